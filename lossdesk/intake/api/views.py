"""Reports and dispatch: POST /reports, /cases/{case_no}/dispatch, /accept, /arrival and the
surveyors a case may be dispatched to."""

from django.db import IntegrityError
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import generics

from lossdesk.claims.api.serializers import CaseDetailSerializer
from lossdesk.claims.api.views import (
    ACTION_ERRORS,
    READ_ERRORS,
    CaseActionView,
    case_detail_response,
    get_case,
    schema,
)
from lossdesk.claims.workflow import PERMISSIONS, Action
from lossdesk.core.errors import Conflict, PermissionDenied, ServiceError
from lossdesk.intake import services
from lossdesk.intake.api import serializers as s
from lossdesk.org.models import Staff


@extend_schema(
    tags=["reports"],
    summary="登记报案（立案）",
    request=s.ReportCreateSerializer,
    responses={201: CaseDetailSerializer, **ACTION_ERRORS},
)
class ReportCreateView(generics.GenericAPIView):
    serializer_class = s.ReportCreateSerializer

    def post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            case = services.do_register_report(dict(serializer.validated_data), actor=request.user)
        except IntegrityError:  # the same claim number registered a moment ago
            message = "该委托方赔案号已登记过报案，请勿重复登记。"
            raise Conflict(message, fields={"client_claim_no": [message]}) from None
        location = reverse("api:case-detail", kwargs={"case_no": case.case_no})
        return case_detail_response(
            request, case.case_no, status=201, headers={"Location": location}
        )


@schema("调度查勘员", request=s.DispatchInputSerializer)
class DispatchView(CaseActionView):
    input_serializer = s.DispatchInputSerializer

    def perform(self, case, data, version):
        surveyor = Staff.objects.filter(pk=data["surveyor"], is_active=True).first()
        if surveyor is None:
            message = "请选择本机构在职查勘员。"
            raise ServiceError("所选人员不是本机构在职查勘员。", fields={"surveyor": [message]})
        services.do_dispatch_case(
            case,
            surveyor=surveyor,
            note=data["note"],
            actor=self.request.user,
            expected_version=version,
        )


@schema("接受调度")
class AcceptView(CaseActionView):
    def perform(self, case, data, version):
        services.do_accept_dispatch(case, actor=self.request.user, expected_version=version)


@schema("到达现场")
class ArrivalView(CaseActionView):
    def perform(self, case, data, version):
        services.do_record_arrival(case, actor=self.request.user, expected_version=version)


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
        if not self.request.user.has_perm(PERMISSIONS[Action.DISPATCH]):
            raise PermissionDenied("您的岗位没有「调度」权限。")
        return services.dispatchable_surveyors(case)
