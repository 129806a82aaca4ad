"""Reports and dispatch: POST /reports (idempotent per client and client_claim_no), the
dispatch actions of a case (dispatch, accept, decline, arrival), the ranked surveyors with
their reasons, delegation to another region, and the surveyor's position report."""

from django.db import IntegrityError
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.response import Response

from lossdesk.claims.api.serializers import CaseDetailSerializer
from lossdesk.claims.api.views import (
    ACTION_ERRORS,
    READ_ERRORS,
    case_detail_response,
    get_case,
    paginated_response,
)
from lossdesk.claims.models import Case
from lossdesk.claims.workflow import PERMISSIONS, Action
from lossdesk.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lossdesk.core.validators import normalize_plate
from lossdesk.intake.actions import DELEGATION_ANSWERS, RequestDelegation
from lossdesk.intake.api import serializers as s
from lossdesk.intake.choices import ReportChannel
from lossdesk.intake.error_codes import IntakeErrorCode
from lossdesk.intake.models import Delegation, Report
from lossdesk.intake.permissions import REPORT_REGISTER
from lossdesk.intake.services.dispatch import (
    dispatchable_surveyors,
    do_record_position,
    recommend_surveyors,
)
from lossdesk.intake.services.reports import do_register_report
from lossdesk.org.api.base import error_responses
from lossdesk.org.models import Staff

REPLAY_HEADER = "Idempotent-Replay"
DUPLICATE_MESSAGE = "该委托方赔案号已登记过报案。"


@extend_schema(
    tags=["reports"],
    summary="登记报案（立案；按委托方+赔案号幂等）",
    description=(
        "同一委托方的同一赔案号只立一次案。重试的请求（车牌与出险时间与首次相同）返回首次的"
        "结果：200、案件详情、响应头 `Idempotent-Replay: true`，不会新建案件。同一赔案号但车牌"
        "或出险时间不同，或首次立案的案件不在调用方数据范围内时，返回 409 conflict。"
    ),
    request=s.ReportCreateSerializer,
    responses={
        201: CaseDetailSerializer,
        200: OpenApiResponse(CaseDetailSerializer, description="重试：首次立案的结果"),
        **ACTION_ERRORS,
    },
)
class ReportCreateView(generics.GenericAPIView):
    serializer_class = s.ReportCreateSerializer

    def post(self, request):
        if not request.user.has_perm(REPORT_REGISTER):
            raise PermissionDenied("您的岗位没有登记报案权限。")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        existing = self.existing(data)
        if existing is not None:
            return self.replay(request, existing, data)
        try:
            case = do_register_report(data, actor=request.user, channel=ReportChannel.API)
        except (IntegrityError, ServiceError) as exc:
            # The same claim number registered a moment ago by a concurrent request: the
            # unique constraint (or its check) refused ours, so answer with the first one.
            existing = self.existing(data)
            if existing is None:
                if isinstance(exc, ServiceError):
                    raise
                raise Conflict(
                    DUPLICATE_MESSAGE,
                    code=IntakeErrorCode.DUPLICATE_REPORT,
                    fields={"client_claim_no": [DUPLICATE_MESSAGE]},
                ) from None
            return self.replay(request, existing, data)
        location = reverse("api:case-detail", kwargs={"case_no": case.case_no})
        return case_detail_response(
            request, case.case_no, status=201, headers={"Location": location}
        )

    @staticmethod
    def existing(data) -> Report | None:
        return Report.objects.filter(
            client=data["client"], client_claim_no=data["client_claim_no"]
        ).first()

    @staticmethod
    def replay(request, report: Report, data):
        case_no = (
            Case.objects.for_user(request.user)
            .filter(report=report)
            .values_list("case_no", flat=True)
            .first()
        )
        same = report.plate == normalize_plate(data.get("plate", "")) and (
            report.accident_time == data.get("accident_time")
        )
        if not same:
            message = "该委托方赔案号已登记过报案，且车牌或出险时间与本次请求不同。"
            extra = {"case_no": case_no} if case_no else {}
            raise Conflict(
                message,
                code=IntakeErrorCode.DUPLICATE_REPORT,
                fields={"client_claim_no": [message]},
                **extra,
            )
        if case_no is None:  # registered by a branch the caller cannot see: say no more
            raise Conflict(
                DUPLICATE_MESSAGE,
                code=IntakeErrorCode.DUPLICATE_REPORT,
                fields={"client_claim_no": [DUPLICATE_MESSAGE]},
            )
        location = reverse("api:case-detail", kwargs={"case_no": case_no})
        return case_detail_response(
            request, case_no, status=200, headers={"Location": location, REPLAY_HEADER: "true"}
        )


def _require_dispatcher(request) -> None:
    if not request.user.has_perm(PERMISSIONS[Action.DISPATCH]):
        raise PermissionDenied("您的岗位没有「调度」权限。")


@extend_schema(
    tags=["cases"],
    summary="可调度的查勘员",
    responses={200: s.SurveyorSerializer(many=True), **READ_ERRORS, **ACTION_ERRORS},
)
class SurveyorsView(generics.ListAPIView):
    serializer_class = s.SurveyorSerializer
    pagination_class = None
    filter_backends: list = []

    def get_queryset(self):
        case = get_case(self.request, self.kwargs["case_no"])
        _require_dispatcher(self.request)
        return dispatchable_surveyors(case)


@extend_schema(
    tags=["cases"],
    summary="调度推荐（按得分排序，含理由）",
    description=(
        "得分 = 在班 40 + 距离 30 + 在途任务 20 + 技能 10；已拒绝本案调度的查勘员排在最后。"
    ),
    responses={200: s.RecommendationSerializer(many=True), **error_responses(401, 403, 404)},
)
class RecommendationsView(generics.GenericAPIView):
    serializer_class = s.RecommendationSerializer
    queryset = Staff.objects.none()
    pagination_class = None  # the whole ranking: a branch's surveyors, never long

    def get(self, request, case_no):
        case = get_case(request, case_no)
        _require_dispatcher(request)
        ranking = recommend_surveyors(case)
        return Response(s.RecommendationSerializer(ranking, many=True).data)


# -------------------------------------------------------------------------- delegation


def _delegation_queryset():
    return Delegation.objects.select_related("case", "from_branch", "to_branch", "loss_item")


@extend_schema(tags=["delegations"])
class DelegationsView(generics.GenericAPIView):
    """GET: the case's delegations. POST: delegate the case to a branch in another region."""

    serializer_class = s.DelegationInputSerializer
    queryset = Delegation.objects.none()

    @extend_schema(summary="案件的委托异地记录", responses={200: s.DelegationSerializer(many=True)})
    def get(self, request, case_no):
        case = get_case(request, case_no)
        delegations = _delegation_queryset().filter(case=case).order_by("requested_at", "id")
        return paginated_response(self, delegations, s.DelegationSerializer)

    @extend_schema(
        summary="委托异地",
        request=s.DelegationInputSerializer,
        responses={201: s.DelegationSerializer, **ACTION_ERRORS},
    )
    def post(self, request, case_no):
        case = get_case(request, case_no)
        serializer = s.DelegationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        version = data.pop("version", None)
        delegation = RequestDelegation.run(case, data, actor=request.user, version=version)
        body = s.DelegationSerializer(_delegation_queryset().get(pk=delegation.pk)).data
        return Response(body, status=201)


class DelegationActionView(generics.GenericAPIView):
    serializer_class = s.ReasonSerializer
    queryset = Delegation.objects.none()

    @extend_schema(
        tags=["delegations"],
        operation_id="cases_delegations_action",
        summary="处理委托：accept 接收 / refuse 拒绝 / cancel 撤回 / return 退回",
        request=s.ReasonSerializer,
        responses={200: s.DelegationSerializer, **ACTION_ERRORS},
    )
    def post(self, request, case_no, pk, verb):
        case = get_case(request, case_no)
        answer = DELEGATION_ANSWERS.get(verb)
        if answer is None:
            raise NotFound("委托不存在。")
        delegation = answer.target(case, pk)
        serializer = s.ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answer.run(
            case, serializer.validated_data, actor=request.user, version=None, target=delegation
        )
        return Response(s.DelegationSerializer(_delegation_queryset().get(pk=pk)).data)


@extend_schema(
    tags=["dispatch"],
    summary="上报本人当前位置（查勘员手机）",
    request=s.PositionInputSerializer,
    responses={204: None, **error_responses(400, 401)},
)
class PositionView(generics.GenericAPIView):
    serializer_class = s.PositionInputSerializer

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        do_record_position(request.user, lat=data["lat"], lng=data["lng"], actor=request.user)
        return Response(status=204)
