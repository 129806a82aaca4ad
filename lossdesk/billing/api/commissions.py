"""The commissions API (issue 14 §5): the rules per role (read by finance and branch
managers, written by HQ finance as new versions), the monthly runs of a branch (made by
finance, seen within the data scope, approved by the branch manager) with their sheets and
lines, and a run as Excel. Every write goes through billing.commissions."""

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from lossdesk.billing import commissions
from lossdesk.billing.api.serializers import rule_errors
from lossdesk.billing.api.views import ContractPermissions
from lossdesk.billing.choices import CommissionRoleChoices, CommissionRunStatus
from lossdesk.billing.models import CommissionRule, CommissionRun
from lossdesk.billing.permissions import ADD_COMMISSION_RUN, APPROVE_COMMISSION_RUN
from lossdesk.calc.api import StrictSerializer, ratio
from lossdesk.core.errors import PermissionDenied
from lossdesk.core.limits import NOTE_MAX
from lossdesk.core.money_fields import AmountField
from lossdesk.org.api.base import EnumField, error_responses
from lossdesk.org.models import Branch
from lossdesk.rules.commissions import parse_terms
from lossdesk.rules.errors import RuleInputError

TAG = "commissions"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --------------------------------------------------------------------------------- rules


class ScoreBandDocSerializer(serializers.Serializer):
    from_score = serializers.CharField(max_length=5, help_text="起始考核得分（0–100），含。")
    multiplier = serializers.CharField(max_length=7, help_text="考核系数（0–10），如 1.10。")


class CommissionTermsDocSerializer(serializers.Serializer):
    """A commission rule's terms (documentation; the rules check the body): at least one."""

    rate = ratio(required=False, help_text="按公估费比例，小数：0.08 即 8%。")
    per_case = AmountField(required=False, help_text="每案固定金额（同一角色多人时按件数分摊）。")
    per_unit = AmountField(
        required=False,
        help_text="每件金额：查勘员每次查勘、定损员每个定损标的、审核员每次审核通过、调度员每次调度。",
    )
    score_multipliers = ScoreBandDocSerializer(
        many=True,
        required=False,
        help_text="按本人当月考核得分（考核指标）取考核系数的分段，起始得分从低到高；"
        "得分所在的最高分段适用，无得分或低于各段时系数为 1。",
    )


@extend_schema_field(CommissionTermsDocSerializer)
class CommissionTermsField(serializers.Field):
    """A rule's terms: a JSON object checked by the rules; reads back canonical."""

    default_error_messages = {"invalid": '须为对象，如 {{"rate": "0.08"}}。'}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("invalid")
        try:
            return parse_terms(data).as_json()
        except RuleInputError as exc:
            raise serializers.ValidationError(rule_errors(exc)) from None

    def to_representation(self, value):
        return value


class CommissionRuleSerializer(StrictSerializer, serializers.ModelSerializer):
    terms = CommissionTermsField(help_text="提成条款：rate、per_case、per_unit 至少一项。")
    role = EnumField(
        CommissionRoleChoices,
        help_text="案件上的角色：surveyor 查勘员、assessor 定损员、reviewer 审核员、"
        "dispatcher 调度员。",
    )
    latest = serializers.BooleanField(read_only=True, help_text="是否为该角色的最新版本。")
    created_by = serializers.CharField(source="created_by.full_name", read_only=True)
    previous_version = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=0,
        help_text="录入时所见的最新版本（没有为 0）；其间他人录入新版本则 409。",
    )
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)

    class Meta:
        model = CommissionRule
        fields = [
            "id",
            "role",
            "version",
            "effective_from",
            "effective_to",
            "terms",
            "note",
            "latest",
            "created_by",
            "created_at",
            "previous_version",
        ]
        read_only_fields = ["version", "created_at"]


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="提成规则（各角色的全部版本）",
        parameters=[OpenApiParameter("role", str, enum=CommissionRoleChoices.values)],
        responses={200: CommissionRuleSerializer(many=True), **error_responses(401, 403)},
    ),
    retrieve=extend_schema(
        tags=[TAG],
        summary="提成规则的一个版本",
        responses={200: CommissionRuleSerializer, **error_responses(401, 403, 404)},
    ),
    create=extend_schema(
        tags=[TAG],
        summary="录入提成规则的新版本（总部财务）",
        description="修改即录入新版本，旧版本保留只读；某日生效的是覆盖该日的最高版本。"
        "生效日期落在已审批锁定的月份内 409 month_locked。",
        request=CommissionRuleSerializer,
        responses={201: CommissionRuleSerializer, **error_responses(400, 401, 403, 409)},
        examples=[
            OpenApiExample(
                "定损员：公估费 8% 加每个标的 5 元",
                value={
                    "role": "assessor",
                    "effective_from": "2027-01-01",
                    "terms": {"rate": "0.08", "per_unit": "5.00"},
                    "previous_version": 0,
                },
                request_only=True,
            )
        ],
    ),
)
class CommissionRuleViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = CommissionRuleSerializer
    permission_classes = [ContractPermissions]
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CommissionRule.objects.none()
        rules = (
            CommissionRule.objects.for_user(self.request.user)
            .with_latest()
            .select_related("created_by")
        )
        role = self.request.query_params.get("role")
        if self.action == "list" and role in CommissionRoleChoices.values:
            rules = rules.filter(role=role)
        return rules

    def perform_create(self, serializer):
        data = serializer.validated_data
        rule = commissions.do_create_commission_rule(
            role=data["role"],
            effective_from=data["effective_from"],
            effective_to=data.get("effective_to"),
            terms=data["terms"],
            note=data.get("note", ""),
            previous_version=data.get("previous_version"),
            actor=self.request.user,
        )
        serializer.instance = self.get_queryset().get(pk=rule.pk)


# ---------------------------------------------------------------------------------- runs


class CommissionLineSerializer(serializers.Serializer):
    case_no = serializers.CharField(source="case.case_no")
    role = EnumField(CommissionRoleChoices)
    fee_date = serializers.DateField(help_text="计费日：首次计算公估费的日期（北京时间）。")
    fee_basis = AmountField(help_text="公估费基数：月末时的公估费（含当时已批准的调整）。")
    units = serializers.IntegerField(help_text="本人件数。")
    role_units = serializers.IntegerField(help_text="本案该角色的总件数。")
    rule_version = serializers.IntegerField(
        allow_null=True, help_text="所用规则版本；无规则为 null。"
    )
    terms = serializers.JSONField(allow_null=True, help_text="所用规则条款的快照。")
    multiplier = serializers.DecimalField(
        max_digits=6, decimal_places=4, coerce_to_string=True, help_text="考核系数（暂为 1）。"
    )
    amount = AmountField()
    explanation = serializers.ListField(child=serializers.CharField())


class CommissionSheetSerializer(serializers.Serializer):
    staff = serializers.IntegerField(source="staff_id")
    staff_name = serializers.CharField(source="staff.full_name")
    total = AmountField()
    line_count = serializers.IntegerField()
    lines = CommissionLineSerializer(many=True, source="lines.all")


class CommissionRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    branch = serializers.IntegerField(source="branch_id")
    branch_name = serializers.CharField(source="branch.name")
    month = serializers.DateField(format="%Y-%m", help_text="月份（YYYY-MM）。")
    status = EnumField(
        CommissionRunStatus,
        help_text="draft 待审批、approved 已审批（该月锁定）、superseded 已重算作废。",
    )
    total = AmountField()
    case_count = serializers.IntegerField()
    run_by = serializers.CharField(source="run_by.full_name")
    run_at = serializers.DateTimeField()
    approved_by = serializers.CharField(source="approved_by.full_name", allow_null=True)
    approved_at = serializers.DateTimeField(allow_null=True)


class CommissionRunDetailSerializer(CommissionRunSerializer):
    sheets = CommissionSheetSerializer(many=True, source="sheet_list")


class CommissionRunInputSerializer(StrictSerializer):
    branch = serializers.PrimaryKeyRelatedField(
        queryset=Branch.objects.all(), help_text="机构 id。"
    )
    month = serializers.RegexField(
        r"^\d{4}-\d{2}$",
        help_text="月份，YYYY-MM；须已结束。",
        error_messages={"invalid": "月份格式须为 YYYY-MM，如 2026-11。"},
    )


def export_response(run: CommissionRun) -> HttpResponse:
    """A month's sheets as an Excel download (the API's and the page's)."""
    response = HttpResponse(commissions.commission_workbook(run), content_type=XLSX)
    name = f"commissions-{run.branch.code}-{run.month:%Y-%m}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def detail(run: CommissionRun) -> dict:
    run.sheet_list = commissions.sheets_of(run)
    return CommissionRunDetailSerializer(run).data


class RunPermissions(ContractPermissions):
    """Reads need billing.view_commissionrun; making a run and approving are checked by the
    services (finance's add right, the branch manager's approve right)."""

    perms_map = {**ContractPermissions.perms_map, "POST": []}


@extend_schema_view(
    list=extend_schema(
        tags=[TAG],
        summary="月度佣金（您数据范围内各机构、各月）",
        parameters=[
            OpenApiParameter("branch", int, description="机构 id。"),
            OpenApiParameter("month", str, description="月份 YYYY-MM。"),
            OpenApiParameter("status", str, enum=CommissionRunStatus.values),
        ],
        responses={200: CommissionRunSerializer(many=True), **error_responses(400, 401, 403)},
    ),
    retrieve=extend_schema(
        tags=[TAG],
        summary="月度佣金：每人一张佣金表，每案每个角色一行",
        responses={200: CommissionRunDetailSerializer, **error_responses(401, 403, 404)},
    ),
)
class CommissionRunViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = CommissionRunSerializer
    permission_classes = [RunPermissions]
    filter_backends: list = []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CommissionRun.objects.none()
        runs = CommissionRun.objects.for_user(self.request.user).select_related(
            "branch", "run_by", "approved_by"
        )
        if self.action != "list":
            return runs
        params = self.request.query_params
        if params.get("branch", "").isdigit():
            runs = runs.filter(branch_id=params["branch"])
        if params.get("month"):
            runs = runs.filter(month=commissions.parse_month(params["month"]))
        if params.get("status") in CommissionRunStatus.values:
            runs = runs.filter(status=params["status"])
        return runs

    def retrieve(self, request, *args, **kwargs):
        return Response(detail(self.get_object()))

    @extend_schema(
        tags=[TAG],
        summary="计算某机构某月的佣金（财务）",
        description="按该月月末前的案件事件计算：案件归入首次计算公估费的月份，角色与件数读自"
        "事件，按计费日生效的提成规则。该月未结束 400；已审批锁定 409 month_locked；同月的"
        "待审批结果被新结果取代（superseded）。",
        request=CommissionRunInputSerializer,
        responses={201: CommissionRunDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
        examples=[
            OpenApiExample(
                "杭州分公司 2026 年 11 月",
                value={"branch": 3, "month": "2026-11"},
                request_only=True,
            )
        ],
    )
    def create(self, request):
        if not request.user.has_perm(ADD_COMMISSION_RUN):
            raise PermissionDenied("只有财务可以计算月度佣金。")
        body = CommissionRunInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        run = commissions.do_run_commissions(
            branch=body.validated_data["branch"],
            month=commissions.parse_month(body.validated_data["month"]),
            actor=request.user,
        )
        return Response(
            detail(commissions.run_for(request.user, run.pk)), status=status.HTTP_201_CREATED
        )

    @extend_schema(
        tags=[TAG],
        summary="审批月度佣金（佣金审批，机构负责人）",
        description="审批后该月锁定，不能重算。计算人本人不能审批（403 self_review）；"
        "非待审批状态 409 illegal_transition。",
        request=None,
        responses={200: CommissionRunDetailSerializer, **error_responses(401, 403, 404, 409)},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        if not request.user.has_perm(APPROVE_COMMISSION_RUN):
            raise PermissionDenied("只有机构负责人可以审批月度佣金。")
        run = commissions.do_approve_commission_run(self.get_object(), actor=request.user)
        return Response(detail(commissions.run_for(request.user, run.pk)))

    @extend_schema(
        tags=[TAG],
        summary="月度佣金导出 Excel（汇总表与每人一张明细表）",
        responses={(200, XLSX): OpenApiTypes.BINARY, **error_responses(401, 403, 404)},
    )
    def export(self, request, pk=None):  # routed by billing/api/urls.py: GET only
        return export_response(self.get_object())
