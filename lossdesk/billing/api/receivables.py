"""The receivables API (issue 14 §3-4): statements and their status actions and Excel,
payments and their allocations, reconciliations with a client's settlement sheet and their
detail table, the receivables ageing. Every read is scoped (the objects by the making branch,
the cases through Case.objects.for_user); every write goes through the services."""

from datetime import date

from django.http import Http404, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.billing import reconciliations, statements
from lossdesk.billing.choices import (
    ReconciliationCategory,
    StatementAction,
    StatementStatus,
)
from lossdesk.billing.exports import reconciliation_workbook, statement_workbook
from lossdesk.billing.models import ClientSheetMapping, Payment, Reconciliation, Statement
from lossdesk.billing.permissions import (
    ADD_PAYMENT,
    ADD_RECONCILIATION,
    ADD_STATEMENT,
    CHANGE_SHEET_MAPPING,
    CHANGE_STATEMENT,
    VIEW_CASE_FEE,
    VIEW_PAYMENT,
    VIEW_RECONCILIATION,
    VIEW_SHEET_MAPPING,
    VIEW_STATEMENT,
)
from lossdesk.core.errors import ErrorCode, ServiceError
from lossdesk.core.limits import NOTE_MAX
from lossdesk.core.money_fields import AmountField
from lossdesk.org.api.base import EnumField, error_responses
from lossdesk.org.models import Client, ClientBranch

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TAG = "receivables"


class Needs:
    """A DRF permission: GET needs `read`, anything else `write` (the services check again
    within the data scope)."""

    def __init__(self, read: str, write: str | None = None):
        self.read, self.write = read, write or read

    def __call__(self):
        return self

    def has_permission(self, request, view):
        user = request.user
        if not (user and user.is_authenticated):
            return False
        needed = self.read if request.method in ("GET", "HEAD", "OPTIONS") else self.write
        return user.has_perm(needed)

    def has_object_permission(self, request, view, obj):
        return True


def xlsx_response(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def _note(**kwargs):
    return serializers.CharField(
        max_length=NOTE_MAX, required=False, allow_blank=True, default="", **kwargs
    )


# ---------------------------------------------------------------------------- statements


class StatementLineSerializer(serializers.Serializer):
    case_no = serializers.CharField(source="case.case_no")
    client_claim_no = serializers.CharField(help_text="委托方赔案号。")
    plate = serializers.CharField(source="case.report.plate")
    billing_date = serializers.DateField(help_text="账期日：公估报告出具日（注销案件为注销日）。")
    approved_amount = AmountField(help_text="核定金额。")
    fee = AmountField(help_text="公估费（含已批准的调整）。")
    components = serializers.JSONField(
        help_text="费用构成：code（险种线或 adjustment）、label、amount。"
    )


class StatementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    statement_no = serializers.CharField(help_text="对账单号。")
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    client_branch = serializers.IntegerField(source="client_branch_id", allow_null=True)
    branch = serializers.CharField(source="branch.name", help_text="出具机构。")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    status = EnumField(
        StatementStatus,
        help_text="draft 草稿、sent 已发送、confirmed 已确认、disputed 有异议、voided 已作废。",
    )
    status_label = serializers.CharField(source="get_status_display")
    status_note = serializers.CharField(help_text="最近一次状态变更的说明（异议内容、作废原因）。")
    total_approved = AmountField()
    total_fee = AmountField()
    case_count = serializers.IntegerField(source="lines.count")
    note = serializers.CharField()
    created_by = serializers.CharField(source="created_by.full_name")
    created_at = serializers.DateTimeField()


class StatementDetailSerializer(StatementSerializer):
    lines = StatementLineSerializer(many=True, source="lines.all")
    actions = serializers.ListField(
        child=EnumField(StatementAction),
        source="allowed_actions",
        help_text="当前可执行的状态操作。",
    )


class StatementInputSerializer(serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    client_branch = serializers.PrimaryKeyRelatedField(
        queryset=ClientBranch.objects.all(), required=False, allow_null=True
    )
    period_start = serializers.DateField(help_text="账期起（含）。")
    period_end = serializers.DateField(help_text="账期止（含）。")
    note = _note()


class StatementActionSerializer(serializers.Serializer):
    note = _note(help_text="说明：异议（dispute）与作废（void）时必填。")


def _statements(user):
    return Statement.objects.for_user(user).select_related("client", "created_by", "branch")


def _statement(request, pk) -> Statement:
    statement = (
        _statements(request.user).prefetch_related("lines__case__report").filter(pk=pk).first()
    )
    if statement is None:
        raise Http404
    statement.allowed_actions = statements.allowed_actions(statement)
    return statement


class StatementListView(generics.ListAPIView):
    permission_classes = [Needs(VIEW_STATEMENT, ADD_STATEMENT)]
    serializer_class = StatementSerializer
    filter_backends: list = []

    def get_queryset(self):
        found = _statements(self.request.user).prefetch_related("lines")
        params = self.request.query_params
        if params.get("client", "").isdigit():
            found = found.filter(client_id=params["client"])
        if params.get("status") in StatementStatus.values:
            found = found.filter(status=params["status"])
        return found

    @extend_schema(
        tags=[TAG],
        summary="对账单列表",
        responses={200: StatementSerializer(many=True), **error_responses(401, 403)},
        parameters=[
            OpenApiParameter("client", int, description="委托方 id。"),
            OpenApiParameter("status", str, enum=StatementStatus.values),
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="制作对账单（财务）",
        description="列出该委托方（或其分支机构）账期内出具报告（注销案件按注销日）、已计算"
        "公估费且未列入其他有效对账单的、您数据范围内的案件。没有可列入的案件 400 "
        "no_cases_to_bill。",
        request=StatementInputSerializer,
        responses={201: StatementDetailSerializer, **error_responses(400, 401, 403, 409)},
    )
    def post(self, request):
        body = StatementInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        statement = statements.do_create_statement(**body.validated_data, actor=request.user)
        data = StatementDetailSerializer(_statement(request, statement.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class StatementDetailView(APIView):
    permission_classes = [Needs(VIEW_STATEMENT)]

    @extend_schema(
        tags=[TAG],
        summary="对账单：每案一行（委托方赔案号、核定金额、公估费与构成）与合计",
        responses={200: StatementDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        return Response(StatementDetailSerializer(_statement(request, pk)).data)


class StatementActionView(APIView):
    permission_classes = [Needs(VIEW_STATEMENT, CHANGE_STATEMENT)]

    @extend_schema(
        tags=[TAG],
        summary="对账单状态：send 发送、confirm 委托方确认、dispute 有异议、void 作废",
        operation_id="statements_change_status",
        description="send：草稿 → 已发送；confirm：已发送或有异议 → 已确认；dispute：已发送 → "
        "有异议（note 必填）；void：草稿或有异议 → 已作废（note 必填，案件可再列入新对账单）。"
        "已确认的对账单不再变更：409 illegal_transition。",
        parameters=[
            OpenApiParameter("action", str, OpenApiParameter.PATH, enum=StatementAction.values)
        ],
        request=StatementActionSerializer,
        responses={200: StatementDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request, pk: int, action: str):
        if action not in StatementAction.values:
            raise Http404
        body = StatementActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        statement = statements.statement_for(request.user, pk)
        statements.do_change_statement_status(
            statement, action=action, note=body.validated_data["note"], actor=request.user
        )
        return Response(StatementDetailSerializer(_statement(request, pk)).data)


class StatementExportView(APIView):
    permission_classes = [Needs(VIEW_STATEMENT)]

    @extend_schema(
        tags=[TAG],
        summary="对账单 Excel",
        description="表头：公估机构、委托方、账期；每案一行；合计行；金额为两位小数的数字。",
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="对账单 .xlsx"),
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request, pk: int):
        statement = _statement(request, pk)
        return xlsx_response(statement_workbook(statement), statement.statement_no)


# ------------------------------------------------------------------------------ payments


class AllocationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case_no = serializers.CharField(source="case.case_no")
    amount = AmountField()
    created_by = serializers.CharField(source="created_by.full_name")
    created_at = serializers.DateTimeField()


class PaymentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client.name")
    paid_on = serializers.DateField(help_text="到账日期。")
    amount = AmountField(help_text="回款金额。")
    allocated = AmountField(help_text="已核销金额。")
    reference = serializers.CharField(help_text="付款凭证号（每委托方唯一）。")
    note = serializers.CharField()
    allocations = AllocationSerializer(many=True, source="allocations.all")
    created_by = serializers.CharField(source="created_by.full_name")
    created_at = serializers.DateTimeField()


class PaymentInputSerializer(serializers.Serializer):
    client = serializers.PrimaryKeyRelatedField(queryset=Client.objects.all())
    paid_on = serializers.DateField()
    amount = serializers.CharField(max_length=30, help_text='金额，如 "1280.50"。')
    reference = serializers.CharField(max_length=60)
    note = _note()


class AllocationInputLineSerializer(serializers.Serializer):
    case_no = serializers.CharField(max_length=20)
    amount = serializers.CharField(max_length=30, help_text="核销金额，精确到分。")


class AllocationInputSerializer(serializers.Serializer):
    allocations = AllocationInputLineSerializer(many=True, allow_empty=False)


def _payments(user):
    return (
        Payment.objects.for_user(user)
        .select_related("client", "created_by")
        .prefetch_related("allocations__case", "allocations__created_by")
    )


def _payment(request, pk) -> Payment:
    payment = _payments(request.user).filter(pk=pk).first()
    if payment is None:
        raise Http404
    return _with_allocated([payment])[0]


def _with_allocated(payments):
    for payment in payments:
        payment.allocated = sum((a.amount for a in payment.allocations.all()), statements.ZERO)
    return payments


class PaymentListView(generics.ListAPIView):
    permission_classes = [Needs(VIEW_PAYMENT, ADD_PAYMENT)]
    serializer_class = PaymentSerializer
    filter_backends: list = []

    def get_queryset(self):
        found = _payments(self.request.user)
        if self.request.query_params.get("client", "").isdigit():
            found = found.filter(client_id=self.request.query_params["client"])
        return found

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return _with_allocated(page if page is not None else list(queryset))

    @extend_schema(
        tags=[TAG],
        summary="回款列表（含核销明细）",
        responses={200: PaymentSerializer(many=True), **error_responses(401, 403)},
        parameters=[OpenApiParameter("client", int, description="委托方 id。")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="登记回款（财务）",
        description="同一委托方的付款凭证号只能登记一次（409 duplicate_payment）。",
        request=PaymentInputSerializer,
        responses={201: PaymentSerializer, **error_responses(400, 401, 403, 409)},
    )
    def post(self, request):
        body = PaymentInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        payment = statements.do_record_payment(**body.validated_data, actor=request.user)
        return Response(PaymentSerializer(_payment(request, payment.pk)).data, status=201)


class PaymentDetailView(APIView):
    permission_classes = [Needs(VIEW_PAYMENT)]

    @extend_schema(
        tags=[TAG],
        summary="回款与核销明细",
        responses={200: PaymentSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        return Response(PaymentSerializer(_payment(request, pk)).data)


class PaymentAllocationsView(APIView):
    permission_classes = [Needs(VIEW_PAYMENT, ADD_PAYMENT)]

    @extend_schema(
        tags=[TAG],
        summary="核销回款到案件（财务）",
        description="每行一个该委托方的案件与金额。超出回款尚可核销金额 400 over_allocation，"
        "超出案件未收公估费 400 exceeds_outstanding，字段为 allocations.<序号>.amount；任一行"
        "被拒则全部不保存。",
        request=AllocationInputSerializer,
        responses={201: PaymentSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request, pk: int):
        payment = statements.payment_for(request.user, pk)
        body = AllocationInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        statements.do_allocate_payment(
            payment, allocations=body.validated_data["allocations"], actor=request.user
        )
        return Response(PaymentSerializer(_payment(request, pk)).data, status=201)


# ------------------------------------------------------------------------ reconciliations


class ReconciliationLineSerializer(serializers.Serializer):
    client_claim_no = serializers.CharField()
    case_no = serializers.CharField(
        source="case.case_no",
        allow_null=True,
        default=None,
        help_text="我方案件号；委托方清单中的未知赔案号为 null。",
    )
    category = EnumField(
        ReconciliationCategory,
        help_text="matched 一致、amount_differs 金额不符、only_ours 仅我方有、"
        "only_theirs 仅委托方有。",
    )
    category_label = serializers.CharField(source="get_category_display")
    ours = AmountField(allow_null=True, help_text="我方公估费。")
    theirs = AmountField(allow_null=True, help_text="委托方清单金额。")
    difference = AmountField(allow_null=True, help_text="委托方 − 我方（两边都有时）。")
    sheet_line_no = serializers.IntegerField(allow_null=True, help_text="委托方清单行号。")


class RowErrorSerializer(serializers.Serializer):
    line_no = serializers.IntegerField()
    messages = serializers.ListField(child=serializers.CharField())


class ReconciliationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    statement = serializers.IntegerField(source="statement_id")
    statement_no = serializers.CharField(source="statement.statement_no")
    file_name = serializers.CharField()
    sheet_rows = serializers.IntegerField(help_text="委托方清单数据行数。")
    ours_total = AmountField()
    theirs_total = AmountField()
    row_errors = RowErrorSerializer(many=True, help_text="无法读取的行（行号与原因），不参与匹配。")
    created_by = serializers.CharField(source="created_by.full_name")
    created_at = serializers.DateTimeField()


class ReconciliationDetailSerializer(ReconciliationSerializer):
    lines = ReconciliationLineSerializer(many=True, source="lines.all")


class ReconciliationInputSerializer(serializers.Serializer):
    statement = serializers.IntegerField(help_text="对账单 id。")
    file = serializers.FileField(
        help_text="委托方结算清单（.xlsx 或 .csv），按该委托方的列对应读取赔案号与金额。"
    )


def _reconciliation(request, pk) -> Reconciliation:
    found = (
        Reconciliation.objects.for_user(request.user)
        .select_related("statement", "created_by")
        .prefetch_related("lines__case")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


MAX_SHEET_BYTES = 10 * 1024 * 1024


def read_upload(upload) -> tuple[str, bytes]:
    """The uploaded sheet's name and content; a missing or oversize file is a 400 on `file`."""
    if upload is None:
        message = "请选择委托方结算清单文件（.xlsx 或 .csv）。"
        raise ServiceError(message, code=ErrorCode.INVALID, fields={"file": [message]})
    if upload.size > MAX_SHEET_BYTES:
        message = "文件超过 10 MB。"
        raise ServiceError(message, code=ErrorCode.FILE_TOO_LARGE, fields={"file": [message]})
    return upload.name, upload.read()


class ReconciliationListView(generics.ListAPIView):
    permission_classes = [Needs(VIEW_RECONCILIATION, ADD_RECONCILIATION)]
    serializer_class = ReconciliationSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]
    filter_backends: list = []

    def get_queryset(self):
        found = Reconciliation.objects.for_user(self.request.user).select_related(
            "statement", "created_by"
        )
        if self.request.query_params.get("statement", "").isdigit():
            found = found.filter(statement_id=self.request.query_params["statement"])
        return found

    @extend_schema(
        tags=[TAG],
        summary="财务对账记录",
        responses={200: ReconciliationSerializer(many=True), **error_responses(401, 403)},
        parameters=[OpenApiParameter("statement", int, description="对账单 id。")],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=[TAG],
        summary="上传委托方结算清单并与对账单逐笔核对（财务）",
        description="按委托方赔案号逐笔匹配，精确到分：matched、amount_differs（两个金额）、"
        "only_ours、only_theirs（我方无此赔案号时 case_no 为 null，照列不删）。文件整体无法读取"
        "时 400，代码见 ImportErrorCode，字段 file。",
        request={"multipart/form-data": ReconciliationInputSerializer},
        responses={201: ReconciliationDetailSerializer, **error_responses(400, 401, 403, 404, 409)},
    )
    def post(self, request):
        statement_id = str(request.data.get("statement", ""))
        if not statement_id.isdigit():
            message = "请选择对账单。"
            raise ServiceError(message, code=ErrorCode.INVALID, fields={"statement": [message]})
        statement = statements.statement_for(request.user, int(statement_id))
        name, data = read_upload(request.FILES.get("file"))
        done = reconciliations.do_reconcile_statement(
            statement, name=name, data=data, actor=request.user
        )
        return Response(
            ReconciliationDetailSerializer(_reconciliation(request, done.pk)).data, status=201
        )


class ReconciliationDetailView(APIView):
    permission_classes = [Needs(VIEW_RECONCILIATION)]

    @extend_schema(
        tags=[TAG],
        summary="财务对账明细表（逐笔结果）",
        responses={200: ReconciliationDetailSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, pk: int):
        return Response(ReconciliationDetailSerializer(_reconciliation(request, pk)).data)


class ReconciliationExportView(APIView):
    permission_classes = [Needs(VIEW_RECONCILIATION)]

    @extend_schema(
        tags=[TAG],
        summary="财务对账明细表 Excel",
        responses={
            (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="财务对账明细表 .xlsx"),
            **error_responses(401, 403, 404),
        },
    )
    def get(self, request, pk: int):
        found = _reconciliation(request, pk)
        return xlsx_response(reconciliation_workbook(found), f"reconciliation-{found.pk}")


# -------------------------------------------------------------------------------- ageing


class AgeingRowSerializer(serializers.Serializer):
    client = serializers.IntegerField(source="client_id")
    client_name = serializers.CharField(source="client")
    d0_30 = AmountField(source="buckets.d0_30", help_text="账龄 0–30 天的未收公估费。")
    d31_60 = AmountField(source="buckets.d31_60")
    d61_90 = AmountField(source="buckets.d61_90")
    d90_plus = AmountField(source="buckets.d90_plus", help_text="超过 90 天。")
    total = AmountField()
    cases = serializers.IntegerField(help_text="有未收公估费的案件数。")


class AgeingView(APIView):
    permission_classes = [Needs(VIEW_CASE_FEE)]

    @extend_schema(
        tags=[TAG],
        summary="应收账龄（按委托方）",
        description="每个委托方的未收公估费（公估费含已批准调整，减已核销回款），按自报告出具日"
        "（注销案件为注销日）起的天数分段：0–30、31–60、61–90、90 天以上。只含您数据范围内的案件。",
        parameters=[OpenApiParameter("on", OpenApiTypes.DATE, description="计算日，默认今天。")],
        responses={200: AgeingRowSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request):
        on = None
        if "on" in request.query_params:
            try:
                on = date.fromisoformat(request.query_params["on"])
            except ValueError:
                message = "须为日期，如 2026-12-31。"
                raise ServiceError(
                    message, code=ErrorCode.INVALID, fields={"on": [message]}
                ) from None
        rows = statements.receivables_ageing(request.user, on=on)
        return Response(AgeingRowSerializer(rows, many=True).data)


# ------------------------------------------------------------------- client sheet mapping


class SheetMappingColumnsSerializer(serializers.Serializer):
    client_claim_no = serializers.ListField(
        child=serializers.CharField(max_length=60),
        max_length=10,
        required=False,
        help_text="赔案号列的表头（任一即可）；不填按常用表头。",
    )
    amount = serializers.ListField(
        child=serializers.CharField(max_length=60),
        max_length=10,
        required=False,
        help_text="金额列的表头（任一即可）；不填按常用表头。",
    )


class SheetMappingSerializer(serializers.Serializer):
    client = serializers.IntegerField(source="client_id", read_only=True)
    columns = SheetMappingColumnsSerializer()
    sheet_name = serializers.CharField(
        max_length=60, required=False, allow_blank=True, default="", help_text="工作表名称。"
    )
    updated_by = serializers.CharField(source="updated_by.full_name", read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class SheetMappingView(APIView):
    permission_classes = [Needs(VIEW_SHEET_MAPPING, CHANGE_SHEET_MAPPING)]

    def _client(self, client_id) -> Client:
        client = Client.objects.filter(pk=client_id).first()
        if client is None:
            raise Http404
        return client

    @extend_schema(
        tags=[TAG],
        summary="委托方结算清单格式（列对应）",
        description="对账时按此读取委托方结算清单的赔案号与金额列；未设置时 404，按常用表头读取。",
        responses={200: SheetMappingSerializer, **error_responses(401, 403, 404)},
    )
    def get(self, request, client_id: int):
        mapping = ClientSheetMapping.objects.filter(client=self._client(client_id)).first()
        if mapping is None:
            raise Http404
        return Response(SheetMappingSerializer(mapping).data)

    @extend_schema(
        tags=[TAG],
        summary="设置委托方结算清单格式（财务）",
        request=SheetMappingSerializer,
        responses={200: SheetMappingSerializer, **error_responses(400, 401, 403, 404)},
    )
    def put(self, request, client_id: int):
        client = self._client(client_id)
        body = SheetMappingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        mapping = reconciliations.do_set_sheet_mapping(
            client,
            columns=body.validated_data["columns"],
            sheet_name=body.validated_data["sheet_name"],
            actor=request.user,
        )
        return Response(SheetMappingSerializer(mapping).data)
