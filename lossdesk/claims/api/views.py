"""Case endpoints under /api/v1/cases/{case_no}/….

Every view finds its case through `get_case` (Case.objects.for_user: a case outside the
caller's scope is a 404 for every endpoint, before the body is even read), validates the
body, calls one service with the `version` the caller saw as `expected_version`, and answers
with the updated case detail (or, for an upload or a request, the created object). Service
errors become the JSON error body in core.api.exception_handler."""

from functools import cache

from django.http import FileResponse
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import generics
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from lossdesk.claims import registry
from lossdesk.claims.actions import CaseAction, case_actions
from lossdesk.claims.api import serializers as s
from lossdesk.claims.choices import CaseStatus
from lossdesk.claims.error_codes import CaseErrorCode
from lossdesk.claims.filtersets import (
    LOSS_KIND_CHOICES,
    LOSS_KIND_HELP,
    CaseSearchMixin,
    DayFromFilter,
    DayToFilter,
    has_loss_kind,
)
from lossdesk.claims.models import (
    Attachment,
    Case,
    CaseEvent,
    DocumentRequest,
    LossItem,
    Resurvey,
    Review,
)
from lossdesk.claims.pagination import CasePagination
from lossdesk.claims.queries import all_but, joined, load_line_parts
from lossdesk.core.errors import Conflict, NotFound, ServiceError
from lossdesk.core.prepared import Prepared, PreparedPrefetch
from lossdesk.core.uploads import SERVABLE_TYPES, file_response
from lossdesk.org.api.base import error_responses
from lossdesk.org.models import Branch, Client

CASE_NOT_FOUND = "案件不存在或不在您的数据范围内。"
ACTION_ERRORS = error_responses(400, 401, 403, 404, 409)
READ_ERRORS = error_responses(401, 404)


def one_case(queryset) -> Case:
    """The one case of `queryset` (filtered by its unique number), else NotFound (404).
    Unordered: an ORDER BY (first(), the model's ordering) makes Django hash every
    selected column while compiling, ≈ 1 ms a statement (issue 16)."""
    found = list(queryset.order_by()[:1])
    if not found:
        raise NotFound(CASE_NOT_FOUND)
    return found[0]


def get_case(request, case_no: str) -> Case:
    """The case numbered `case_no` if the caller may see it; NotFound (404) otherwise."""
    return one_case(
        Case.objects.for_user(request.user)
        .select_related("client", "branch")
        .filter(case_no=case_no)
    )


# The case's to-many parts the detail shows (and those the apps contribute), each read by
# the case's id with SQL compiled once per process (decision 0031).
DETAIL_CHILDREN = (
    PreparedPrefetch("loss_items", LossItem.objects.order_by("seq")),
    PreparedPrefetch(
        "resurveys",
        joined(Resurvey.objects.all(), "surveyor", "recorded_by").order_by("arrived_at", "id"),
    ),
    PreparedPrefetch(
        "attachments",
        joined(Attachment.objects.all(), "loss_item", "uploaded_by", "duplicate_of__case")
        # Another case's photo is named by its id and case number.
        .defer(
            *all_but("duplicate_of", Attachment, {"case"}),
            *all_but("duplicate_of__case", Case, {"case_no"}),
        )
        .order_by("uploaded_at", "id"),
    ),
    PreparedPrefetch("reviews", joined(Review.objects.all(), "reviewer").order_by("created_at")),
    PreparedPrefetch(
        "document_requests",
        joined(DocumentRequest.objects.all(), "requested_by", "fulfilled_by").order_by(
            "requested_at", "id"
        ),
    ),
)


@cache
def _detail_case() -> Prepared:
    """A case by its id with the to-one relations the detail shows joined: 124 columns,
    the detail's longest compile (decision 0031)."""
    contributed = registry.contributions()
    return Prepared(
        lambda pk: joined(
            Case.objects.filter(pk=pk),
            "client",
            "branch",
            "surveyor",
            *(name for c in contributed for name in c.select_related),
            "survey__surveyed_by",
            "adjusting_report__issued_by",
            "adjusting_report__issuing_branch",
        )
    )


def detail_case(user, case_no: str) -> Case:
    """The case numbered `case_no` if `user` may see it (NotFound otherwise), with its to-one
    relations: the scope decides in a statement of its own (Case.objects.for_user, the one
    rule), the case is read in a prepared one."""
    visible = Case.objects.for_user(user).filter(case_no=case_no).values_list("pk", flat=True)
    found = [case for pk in visible[:1] for case in _detail_case().fetch(pk)]
    if not found:
        raise NotFound(CASE_NOT_FOUND)
    return found[0]


def load_detail(case: Case) -> None:
    """Everything else the detail shows of `case`, in a fixed number of statements whatever
    it holds: one per to-many part, one per loss line it has items of (decision 0030)."""
    for child in (*DETAIL_CHILDREN, *(p for c in registry.contributions() for p in c.api_prefetch)):
        child.load([case])
    load_line_parts(case.loss_items.all(), api=True)


def case_detail_response(request, case_no: str, status: int = 200, headers=None) -> Response:
    # NotFound e.g. for a surveyor who just cancelled their own case (out of scope now).
    case = detail_case(request.user, case_no)
    load_detail(case)
    data = s.CaseDetailSerializer(case, context={"request": request}).data
    return Response(data, status=status, headers=headers)


def paginated_response(view, queryset, serializer_class) -> Response:
    """One page of `queryset` in the envelope of every list (count, next, previous, results),
    as the schema publishes it for a list."""
    page = view.paginate_queryset(queryset)
    return view.get_paginated_response(serializer_class(page, many=True).data)


ACTION_DESCRIPTION = (
    "请求体可带 `version`（调用方看到的案件版本）：版本已变时返回 409 conflict；"
    "当前状态不允许该操作时返回 409 illegal_transition（含 current_state）。"
    "成功时返回更新后的案件详情（新建对象的接口返回该对象及 case_version）。"
)


def schema(summary: str, request=s.VersionSerializer, responses=None, **kwargs):
    """extend_schema for a case action: tag, body, case detail and the error bodies."""
    return extend_schema(
        tags=["cases"],
        summary=summary,
        description=kwargs.pop("description", ACTION_DESCRIPTION),
        request=request,
        responses=responses or {200: s.CaseDetailSerializer, **ACTION_ERRORS},
        **kwargs,
    )


class FileDownloadMixin:
    """File endpoints answer a file whatever the Accept header; errors still go out as
    JSON."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)


# ---------------------------------------------------------------------------- reading


class CaseFilter(CaseSearchMixin, filters.FilterSet):
    # A column of the case itself: no join to repeat rows, so no DISTINCT (django-filter's
    # default for a multiple choice), which would sort every matching case.
    status = filters.MultipleChoiceFilter(
        choices=CaseStatus.choices, distinct=False, help_text="可重复。"
    )
    client = filters.ModelChoiceFilter(queryset=Client.objects.all())
    branch = filters.ModelChoiceFilter(queryset=Branch.objects.all())
    loss_kind = filters.ChoiceFilter(
        choices=LOSS_KIND_CHOICES, method=has_loss_kind, help_text=LOSS_KIND_HELP
    )
    q = filters.CharFilter(
        method="filter_search",
        help_text="按案件号、报案号、赔案号、车牌、VIN 或电话搜索；"
        "无「查看个人敏感信息」权限时电话只按尾号（至多 4 位）匹配。",
    )
    opened_after = DayFromFilter(field_name="opened_at", help_text="立案日期不早于（含）。")
    opened_before = DayToFilter(field_name="opened_at", help_text="立案日期不晚于（含）。")

    class Meta:
        model = Case
        fields = ["status", "client", "branch"]


LIST_COLUMNS = (
    "case_no",
    "status",
    "version",
    "assessed_amount",
    "approved_amount",
    "opened_at",
    "closed_at",
    "report__report_no",
    "report__plate",
    "client__short_name",
    "branch__name",
    "surveyor__full_name",
)


@extend_schema(
    tags=["cases"],
    summary="案件列表",
    responses={200: s.CaseListSerializer(many=True), **error_responses(400, 401)},
)
class CaseListView(generics.ListAPIView):
    serializer_class = s.CaseListSerializer
    filterset_class = CaseFilter
    pagination_class = CasePagination

    def get_queryset(self):
        # Only the columns a row shows: building 50 full reports and staff rows a page was a
        # fifth of the request (decision 0025).
        return (
            Case.objects.for_user(self.request.user)
            .select_related("report", "client", "branch", "surveyor")
            .only(*LIST_COLUMNS)
        )


@extend_schema(
    tags=["cases"], summary="案件详情", responses={200: s.CaseDetailSerializer, **READ_ERRORS}
)
class CaseDetailView(generics.GenericAPIView):
    serializer_class = s.CaseDetailSerializer

    def get(self, request, case_no):
        return case_detail_response(request, case_no)


@extend_schema(
    tags=["cases"],
    summary="案件时间线",
    responses={200: s.CaseEventSerializer(many=True), **READ_ERRORS},
)
class CaseEventsView(generics.GenericAPIView):
    serializer_class = s.CaseEventSerializer
    queryset = CaseEvent.objects.none()

    def get(self, request, case_no):
        case = get_case(request, case_no)
        events = (
            CaseEvent.objects.filter(case=case).select_related("actor").order_by("created_at", "id")
        )
        return paginated_response(self, events, s.CaseEventSerializer)


# ---------------------------------------------------------------------------- actions


class CaseActionView(generics.GenericAPIView):
    """POST (or PUT) /cases/{case_no}/<action> of one declared case action (claims.actions):
    the actor is checked, then the body; the action runs with the `version` the caller saw,
    and the answer is the updated case detail or what the declaration answers (a created
    object with 201)."""

    declaration: type[CaseAction] = CaseAction

    def get_serializer_class(self):
        return self.declaration.serializer

    def handle(self, request, case_no, pk=None, seq=None):
        action = self.declaration
        case = get_case(request, case_no)
        action.check_actor(request.user)
        key = pk if pk is not None else seq
        target = action.target(case, key) if key is not None else None
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = {**serializer.validated_data, **action.request_data(request)}
        version = data.pop("version", None)
        result = action.run(case, data, actor=request.user, version=version, target=target)
        answer = action.api_answer(result, {"request": request})
        if answer is None:
            return case_detail_response(request, case_no)
        body, status, *headers = answer
        return Response(body, status=status, headers=headers[0] if headers else None)


def action_endpoint(action: type[CaseAction]):
    """The API view of a declared case action, with its schema."""
    attrs = {
        "declaration": action,
        "http_method_names": [action.api_method, "options"],
        action.api_method: CaseActionView.handle,
        "__doc__": action.__doc__ or action.title,
    }
    if action.api_multipart:
        attrs["parser_classes"] = [MultiPartParser, FormParser]
    view = type(f"{action.__name__}View", (CaseActionView,), attrs)
    request = {"multipart/form-data": action.serializer} if action.api_multipart else None
    responses = action.api_responses
    if responses is None and action.created_serializer is not None:
        responses = {201: action.created_serializer}
    if responses is not None:
        responses = {**responses, **ACTION_ERRORS}
    return schema(
        action.api_summary or action.title,
        request=request or action.serializer,
        responses=responses,
        parameters=action.api_parameters or None,
        **({"description": action.api_description} if action.api_description else {}),
    )(view)


def action_urls() -> list:
    """The endpoints of every declared case action, under cases/<case_no>/."""
    return [
        path(
            f"cases/<str:case_no>/{action.api_path}",
            action_endpoint(action).as_view(),
            name=action.api_name,
        )
        for action in case_actions()
        if action.api_path
    ]


# ------------------------------------------------------------------------ loss-item sheet


class LossItemSheetView(generics.GenericAPIView):
    """GET and PUT /cases/{case_no}/loss-items/{seq}/sheet: the assessment document of a
    loss item, handled by the resource of the item's loss line (registry.LossLine
    .sheet_resource); the body is that line's own (a vehicle sheet, a property sheet…).
    A save over another edit is 409 with the document as it is saved now
    (`current_sheet`), so the caller can merge and resend."""

    def get_serializer_class(self):
        """The body of the item's line (OPTIONS describes it); the schema names them all
        (sheet_endpoint)."""
        try:
            case = get_case(self.request, self.kwargs["case_no"])
            return self.resource(case, self.kwargs["seq"])[2].input_serializer
        except ServiceError:
            return s.VersionSerializer

    def resource(self, case: Case, seq: int):
        item = case.loss_items.filter(seq=seq).first()
        if item is None:
            raise NotFound("本案没有该序号的损失标的。")
        line = registry.line_for(item.kind)
        if line is None or line.sheet_resource is None:
            raise ServiceError(
                f"「{item.get_kind_display()}」标的没有定损单。",
                code=CaseErrorCode.LOSS_ITEM_HAS_NO_SHEET,
            )
        return item, line, line.sheet_resource()

    def get(self, request, case_no, seq):
        case = get_case(request, case_no)
        item, line, resource = self.resource(case, seq)
        data = resource.answer(request, item, case.version)
        if data is None:
            raise NotFound(f"该损失标的尚未编制{line.document_label}。")
        return Response(data)

    def put(self, request, case_no, seq):
        case = get_case(request, case_no)
        item, _, resource = self.resource(case, seq)
        context = {"request": request, "loss_item": item}
        serializer = resource.input_serializer(data=request.data, context=context)
        serializer.is_valid(raise_exception=True)
        try:
            return Response(resource.write(request, case, item, serializer.validated_data))
        except Conflict as exc:
            if (current := exc.extra.get("current_version")) is not None:
                exc.extra["current_sheet"] = resource.answer(request, item, current)
            raise


def sheet_endpoint():
    """The sheet view with a schema naming each line's body and answer (one of)."""
    resources = [line.sheet_resource() for line in registry.loss_lines() if line.sheet_resource]

    def one_of(name: str, attr: str):
        return PolymorphicProxySerializer(
            component_name=name,
            serializers=[getattr(r, attr) for r in resources],
            resource_type_field_name=None,
        )

    answer = one_of("LossItemSheet", "output_serializer")
    return extend_schema(
        methods=["GET"],
        tags=["cases"],
        summary="查看损失标的的定损单（车辆或物损，按标的类型）",
        responses={200: answer, **READ_ERRORS},
    )(
        extend_schema(
            methods=["PUT"],
            tags=["cases"],
            summary="保存定损单（整单替换；请求体按标的类型）",
            request=one_of("LossItemSheetInput", "input_serializer"),
            responses={200: answer, **ACTION_ERRORS},
        )(LossItemSheetView)
    )


# -------------------------------------------------------------------------------- files


@extend_schema(
    tags=["cases"],
    summary="下载附件",
    responses={
        # The stored type when it is allowlisted, otherwise bytes (core.uploads.file_response).
        **{
            (200, content_type): OpenApiTypes.BINARY
            for content_type in sorted(SERVABLE_TYPES | {"application/octet-stream"})
        },
        **READ_ERRORS,
    },
)
class AttachmentFileView(FileDownloadMixin, generics.GenericAPIView):
    """The original as uploaded, or (`variant`) the watermarked display copy or thumbnail
    of an image (JPEG; 404 for a PDF)."""

    variant = "file"

    def get(self, request, case_no, pk):
        case = get_case(request, case_no)
        attachment = case.attachments.filter(pk=pk).first()
        if attachment is None:
            raise NotFound("附件不存在。")
        served = attachment.served(self.variant)
        if served is None:
            raise NotFound("该附件不是图片，没有展示图和缩略图。")
        stored, content_type, filename = served
        return file_response(stored, content_type=content_type, filename=filename)


def attachment_variant_view(variant: str, summary: str):
    return extend_schema(
        tags=["cases"],
        summary=summary,
        responses={(200, "image/jpeg"): OpenApiTypes.BINARY, **READ_ERRORS},
    )(type(f"Attachment{variant.title()}View", (AttachmentFileView,), {"variant": variant}))


@extend_schema(
    tags=["cases"],
    summary="下载公估报告 PDF",
    responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF 文件"),
        **READ_ERRORS,
    },
)
class ReportPdfView(FileDownloadMixin, generics.GenericAPIView):
    def get(self, request, case_no):
        case = get_case(request, case_no)
        report = getattr(case, "adjusting_report", None)
        if report is None:
            raise NotFound("本案尚未出具公估报告。")
        return FileResponse(
            report.file.open("rb"),
            content_type="application/pdf",
            filename=f"{report.report_no}.pdf",
        )
