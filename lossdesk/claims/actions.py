"""Case actions, each declared once.

A declaration names the workflow actions it performs (the workflow table gives the
permission and the states that allow them), its input (the page form and the API body), its
labels and the service it runs. From it `claims.views` builds the case page's panel, the
action's own page and its URL, and `claims.api.views` the API endpoint and its schema:
`page_urls()` and `api_urls()` give both URL lists. Feature apps declare theirs the same way
and contribute them through `registry.CaseContribution.actions` (dispatch comes first).

The page and the API take the same fields with two exceptions that are part of each
medium: the page uploads several files at once (`files`), the API one (`file`); and an
`additive` action (it conflicts with nothing, e.g. adding a photo) is not refused on the page
for a stale version, while an API caller that sends one has it checked."""

import re

from django import forms
from django.db import transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from lossdesk.claims import registry, services, workflow
from lossdesk.claims.api import serializers as s
from lossdesk.claims.choices import AttachmentKind, LossItemStatus, ReviewDecision
from lossdesk.claims.error_codes import CaseErrorCode
from lossdesk.claims.forms import (
    AttachmentForm,
    CancelForm,
    ConfirmForm,
    DocumentRequestForm,
    FulfilForm,
    ResurveyForm,
    ReviewForm,
    SurveyForm,
)
from lossdesk.claims.models import Attachment, Case, DocumentRequest, LossItem
from lossdesk.claims.workflow import Action
from lossdesk.core.errors import Conflict, NotFound, PermissionDenied, ServiceError
from lossdesk.core.templatetags.lossdesk_ui import money

IDEMPOTENCY_HEADER = "Idempotency-Key"
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,100}")
REPLAY_HEADER = "Idempotent-Replay"


def check_version(case: Case, version: int | None) -> None:
    """For services that take no `expected_version` (additive actions): compare up front."""
    if version is not None and case.version != version:
        raise Conflict(
            "案件已被他人修改，请刷新后重试。",
            current_state=case.status,
            current_version=case.version,
        )


class CaseAction:
    """One action on a case. Subclasses set the class attributes and `run`."""

    do_not_call_in_templates = True  # templates read a declaration's labels, never call it

    actions: tuple[Action, ...] = ()
    title = ""
    done = ""  # the page's message after success
    # URLs: the page at cases/<case_no>/<page_path> named "<page_name>", the API at
    # /api/v1/cases/<case_no>/<api_path> named "api:<api_name>".
    page_name = ""
    page_path = ""
    api_name = ""
    api_path = ""
    api_method = "post"
    api_multipart = False  # the API body is multipart/form-data (a file)
    api_summary = ""  # the schema's summary (the title when empty)
    api_description = ""  # the schema's description (the common one when empty)
    api_responses: dict | None = None  # the schema's responses (the case detail when None)
    api_parameters: list = []  # the schema's parameters beyond the path (e.g. a header)
    form: type[forms.Form] = ConfirmForm
    serializer = s.VersionSerializer
    created_serializer = None  # the API answers 201 with this, over run()'s result
    additive = False
    surveyor_only = False  # offered only to the case's surveyor
    # The case page: its panel and the action's own page.
    submit_label = "确定"
    button_class = "btn-primary"
    confirm = ""
    primary = False  # its panel opens by default
    template_name = "claims/action_form.html"
    form_template = "claims/includes/action_form.html"
    panel = True  # has a panel on the case page (else it is offered where its object shows)
    leaves_scope = False  # may take the case out of the actor's scope: the page goes to the list
    # A refused post shows the action's page again with what was typed (a conflict: 409 and
    # what happened; the service's field errors on their inputs) instead of a message on the
    # case page (decision 0007, amended): for forms that take typing, e.g. a survey record.
    keeps_input = False
    record_label = ""  # what `recorded` lists, e.g. 报价 ("内容" when empty)

    @classmethod
    def visible(cls, user, case, actions, target=None) -> bool:
        """Whether the case page offers it to `user` (`actions`: those the workflow allows)."""
        if cls.surveyor_only and case.surveyor_id != user.pk:
            return False
        return any(action in actions for action in cls.actions)

    @classmethod
    def page_title(cls, target=None) -> str:
        return cls.title

    @classmethod
    def form_prefix(cls, target=None) -> str | None:
        """Several forms of the action on one page (one per object) need their own prefix."""
        return None

    @classmethod
    def form_kwargs(cls, target=None) -> dict:
        """More keyword arguments of the action's form on its page, for `target` (e.g. its
        values as `initial`)."""
        return {}

    @classmethod
    def page_context(cls, case: Case, user) -> dict:
        """What the action's own page shows beside the form."""
        return {}

    @classmethod
    def recorded(cls, case: Case, target=None) -> list[str]:
        """What the action has recorded so far (one line each), shown beside the input kept
        after a conflict, so that a second send does not record the same thing twice. Empty
        for actions whose save replaces the last one (a survey, a decision)."""
        return []

    @classmethod
    def check_actor(cls, actor) -> None:
        """Refuse an actor before their input is read (PermissionDenied)."""

    @classmethod
    def target(cls, case: Case, pk: int):
        """The case's object named by `<int:pk>` (or a loss item's `<int:seq>`) in the URL,
        if the action has one."""
        raise NotFound("未找到。")

    @classmethod
    def run(cls, case: Case, data: dict, *, actor, version: int | None, target=None):
        """Call the service; what it returns goes to `message` (and `created_serializer`)."""
        raise NotImplementedError

    @classmethod
    def message(cls, case: Case, result) -> str:
        """The page's message after success: `done`, unless it names what came out."""
        return cls.done

    @classmethod
    def next_url(cls, case: Case, target=None) -> str | None:
        """Where the page goes after success (None: the case page)."""
        return None

    @classmethod
    def request_data(cls, request) -> dict:
        """What the API action takes from the request beyond its body (e.g. a header)."""
        return {}

    @classmethod
    def api_answer(cls, result, context: dict) -> tuple | None:
        """The API's body and status (and headers) after success; None answers the updated
        case detail."""
        if cls.created_serializer is None:
            return None
        context = {**context, "case_version": result.case.version}
        return cls.created_serializer(result, context=context).data, 201


class LossItemAction(CaseAction):
    """An action on one loss item of the case, named by `<int:seq>` in its URLs: offered on
    the item's own page (`item_page`, a URL name taking case_no and seq), not as a panel of
    the case page, and back there after success. Subclasses look the item up (`target`)."""

    panel = False
    keeps_input = True
    item_page = ""

    @classmethod
    def page_title(cls, target=None):
        return f"{cls.title}：{target.label}" if target is not None else cls.title

    @classmethod
    def next_url(cls, case, target=None):
        return reverse(cls.item_page, kwargs={"case_no": case.case_no, "seq": target.seq})


class SaveSurvey(CaseAction):
    actions = (Action.SAVE_SURVEY,)
    title = "查勘记录"
    done = "查勘记录已保存。"
    page_name, page_path = "claims:case-survey", "survey/"
    api_name, api_path, api_method = "case-survey", "survey", "put"
    api_summary = "保存查勘记录"
    form, serializer = SurveyForm, s.SurveyInputSerializer
    surveyor_only = True
    primary = True
    submit_label = "保存查勘记录"
    keeps_input = True

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        survey = {name: data[name] for name in SurveyForm.FIELDS if name in data}
        return services.do_save_survey(case, survey, actor=actor, expected_version=version)


class CompleteSurvey(CaseAction):
    actions = (Action.COMPLETE_SURVEY,)
    title = "完成查勘"
    done = "查勘已完成，案件进入定损。"
    page_name, page_path = "claims:case-complete-survey", "survey/complete/"
    api_name, api_path = "case-complete-survey", "complete-survey"
    api_summary = "完成查勘（进入定损）"
    surveyor_only = True
    submit_label = "完成查勘"
    button_class = "btn-success"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_complete_survey(case, actor=actor, expected_version=version)


class RecordResurvey(CaseAction):
    """A visit on site after the completed survey (复勘): who went, when they arrived, why.
    The case stays in its state; the fee computed when the report is issued counts it."""

    actions = (Action.RECORD_RESURVEY,)
    title = "记录复勘"
    page_name, page_path = "claims:case-resurvey", "resurveys/new/"
    api_name, api_path = "case-resurveys", "resurveys"
    api_summary = "记录复勘（完成查勘后再次到场）"
    api_description = (
        "查勘员或定损员在定损中、待审核、待二级审核、审核通过时记录（出具公估报告时按复勘次数计收"
        "复勘费，之后不能再记录）；案件状态不变。复勘人须为本案机构或本案查勘员所在机构的在职"
        "查勘员（不带则为本案查勘员）；到达时间不能晚于现在、不能早于完成查勘；原因为「其他」时须"
        "填写说明；同一人同一到达时间只记一次。违反时返回 400 invalid_resurvey（fields 指明字段）；"
        "其他状态返回 409 illegal_transition；带 `version` 且案件版本已变时返回 409 conflict。"
        "成功时返回 201 与复勘记录（含 case_version）。"
    )
    form, serializer = ResurveyForm, s.ResurveyInputSerializer
    created_serializer = s.CreatedResurveySerializer
    submit_label = "保存复勘记录"
    keeps_input = True
    record_label = "复勘"

    @classmethod
    def recorded(cls, case, target=None):
        # Who went, when and why; not the note.
        resurveys = case.resurveys.select_related("surveyor", "recorded_by")
        return [
            f"{timezone.localtime(r.arrived_at):%Y-%m-%d %H:%M} {r.surveyor} 到场，"
            f"{r.get_reason_display()}（{r.recorded_by} 记录）"
            for r in resurveys.order_by("arrived_at", "id")
        ]

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_record_resurvey(
            case,
            surveyor_id=data.get("surveyor"),
            arrived_at=data["arrived_at"],
            reason=data["reason"],
            note=data.get("note", ""),
            actor=actor,
            expected_version=version,
        )

    @classmethod
    def message(cls, case, result):
        return f"已记录 {result.surveyor} 的复勘（{result.get_reason_display()}）。"


class AddAttachments(CaseAction):
    actions = (Action.ADD_ATTACHMENT,)
    title = "上传照片 / 单证"
    page_name, page_path = "claims:case-upload", "attachments/new/"
    api_name, api_path = "case-attachments", "attachments"
    form, serializer = AttachmentForm, s.AttachmentInputSerializer
    created_serializer = s.CreatedAttachmentSerializer
    api_summary = "上传照片或单证（可带 Idempotency-Key 安全重试）"
    api_description = (
        "multipart/form-data，一次一个文件。请求头 `Idempotency-Key`（客户端为每张照片生成的"
        "唯一键，1–100 个字母、数字或 `.`、`_`、`:`、`-`）使重试安全：同一案件中该键已上传过"
        "相同内容时返回 200、首次的附件和响应头 `Idempotent-Replay: true`，不会重复保存；"
        "该键已用于不同内容时返回 409 idempotency_key_reused。非图片（照片）返回 400 "
        "unsupported_file_type；超过大小上限返回 400 file_too_large；案件不在调用方数据范围内"
        "返回 404。请求体可带 `version`（重试时不检查）。照片读取 EXIF（拍摄时间、GPS、设备）"
        "并做按 EXIF 的真实性检查；带水印的展示图和缩略图（原图不变）、感知哈希与相似照片检查"
        "（duplicate_of）在应答之后由后台任务完成，进度见 processing（pending → ready / failed）。"
    )
    api_responses = {
        201: s.CreatedAttachmentSerializer,
        200: OpenApiResponse(
            s.CreatedAttachmentSerializer,
            description="重试：该 Idempotency-Key 首次上传的附件（响应头 Idempotent-Replay: true）",
        ),
    }
    api_parameters = [
        OpenApiParameter(
            IDEMPOTENCY_HEADER,
            OpenApiTypes.STR,
            OpenApiParameter.HEADER,
            required=False,
            description="客户端为每个文件生成的唯一键（如 UUID），重试时原样重发。",
        )
    ]
    api_multipart = True
    additive = True
    submit_label = "上传"

    @classmethod
    def request_data(cls, request):
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if key is None:
            return {}
        if not IDEMPOTENCY_KEY.fullmatch(key):
            message = "Idempotency-Key 须为 1–100 个字母、数字或 . _ : - 字符。"
            raise ServiceError(
                message,
                code=CaseErrorCode.INVALID_IDEMPOTENCY_KEY,
                fields={IDEMPOTENCY_HEADER: [message]},
            )
        return {"idempotency_key": key}

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        """One batch, one outcome: a bad file in the middle saves none of them (no row, no
        file). Answers the last attachment stored. A retry under a used Idempotency-Key is
        answered before the version is compared: the first try moved it on."""
        key = data.get("idempotency_key")
        if key and "file" in data:
            replay = services.replayed_attachment(case, data["file"], key)
            if replay is not None:
                return replay
        check_version(case, version)
        loss_item = None
        if data.get("loss_item") is not None:
            loss_item = case.loss_items.filter(seq=data["loss_item"]).first()
            if loss_item is None:
                message = "本案没有该序号的损失标的。"
                raise ServiceError(
                    message,
                    code=CaseErrorCode.LOSS_ITEM_NOT_IN_CASE,
                    fields={"loss_item": [message]},
                )
        several = "files" in data
        uploads = data["files"] if several else [data["file"]]
        stored = []
        try:
            with transaction.atomic():
                for upload in uploads:
                    try:
                        attachment = services.do_add_attachment(
                            case,
                            upload,
                            kind=data["kind"],
                            doc_type=data["doc_type"],
                            loss_item=loss_item,
                            idempotency_key=key,
                            actor=actor,
                        )
                    except ServiceError as exc:
                        if several and "file" in exc.fields:
                            exc.fields = {
                                "files": [f"{upload.name}：{m}" for m in exc.fields.pop("file")],
                                **exc.fields,
                            }
                        raise
                    stored.append(attachment)
        except BaseException:
            services.delete_stored_files(a for a in stored if not getattr(a, "replayed", False))
            raise
        attachment.uploaded_count = len(uploads)
        return attachment

    @classmethod
    def message(cls, case, result):
        return f"已上传 {result.uploaded_count} 个文件。"

    @classmethod
    def api_answer(cls, result, context):
        body, status = super().api_answer(result, context)
        if getattr(result, "replayed", False):
            return body, 200, {REPLAY_HEADER: "true"}
        return body, status


class SubmitForReview(CaseAction):
    actions = (Action.SUBMIT_FOR_REVIEW,)
    title = "提交审核"
    page_name, page_path = "claims:case-submit", "submit/"
    api_name, api_path = "case-submit-for-review", "submit-for-review"
    submit_label = "提交审核"
    button_class = "btn-success"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_submit_for_review(case, actor=actor, expected_version=version)

    @classmethod
    def message(cls, case, result):
        return f"已提交审核，定损金额 {money(result.assessed_amount)} 元。"


def review_items(case: Case) -> list[LossItem]:
    """The loss items a review covers (those a loss line assesses), each with its document
    as its line shows it and its photos, in a fixed number of queries."""
    lines = registry.loss_lines()
    photos = Attachment.objects.filter(kind=AttachmentKind.PHOTO).order_by("uploaded_at", "id")
    items = list(
        case.loss_items.filter(kind__in=[kind for line in lines for kind in line.kinds])
        .exclude(status=LossItemStatus.CANCELLED)
        .select_related(*registry.document_select_related())
        .prefetch_related(
            *(name for line in lines for name in line.review_prefetch),
            Prefetch("attachments", photos, to_attr="photos"),
        )
        .order_by("seq")
    )
    for item in items:
        line = registry.line_for(item.kind)
        item.document = getattr(item, line.document, None)
        item.document_label = line.document_label
        item.review_template = line.review_template
    return items


class ReviewCase(CaseAction):
    """Level 1 or 2 by the case's state. Offered only to someone the service would accept;
    the review page shows what is being approved above the form."""

    actions = (Action.REVIEW, Action.SECOND_REVIEW)
    title = "审核"
    page_name, page_path = "claims:case-review", "review/"
    api_name, api_path = "case-review", "review"
    api_summary = "审核（一级或二级，视案件状态）"
    form, serializer = ReviewForm, s.ReviewInputSerializer
    primary = True
    submit_label = "提交审核结论"
    template_name = "claims/review.html"
    keeps_input = True
    record_label = "审核结论"

    @classmethod
    def recorded(cls, case, target=None):
        reviews = case.reviews.select_related("reviewer").order_by("created_at", "id")
        return [
            f"{timezone.localtime(r.created_at):%Y-%m-%d %H:%M} {r.level}级审核 "
            f"{r.get_decision_display()}（{r.reviewer}）"
            for r in reviews
        ]

    @classmethod
    def visible(cls, user, case, actions, target=None):
        offered = super().visible(user, case, actions, target)
        return offered and services.review_refusal(case, user) is None

    @classmethod
    def page_context(cls, case, user):
        return {
            "refusal": services.review_refusal(case, user),
            "review_items": review_items(case),
            "case_photos": case.attachments.filter(
                kind=AttachmentKind.PHOTO, loss_item__isnull=True
            ).order_by("uploaded_at", "id"),
            **registry.review_context(case, user),
        }

    @classmethod
    def check_actor(cls, actor):
        # A position that may not review at all learns that before anything about its body.
        if not workflow.may_review(actor):
            raise PermissionDenied("您的岗位没有「审核」权限。")

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_review_case(
            case,
            decision=data["decision"],
            reason=data["reason"],
            level=data.get("level"),
            actor=actor,
            expected_version=version,
        )

    @classmethod
    def message(cls, case, result):
        case.refresh_from_db(fields=["status"])
        return (
            f"{result.level}级审核：{ReviewDecision(result.decision).label}，"
            f"案件当前状态：{case.get_status_display()}。"
        )


class RequestDocuments(CaseAction):
    actions = (Action.REQUEST_DOCUMENTS,)
    title = "资料补充"
    done = "已发起资料补充，案件暂停等待资料。"
    page_name, page_path = "claims:case-request-documents", "document-requests/new/"
    api_name, api_path = "case-document-requests", "document-requests"
    form, serializer = DocumentRequestForm, s.DocumentRequestInputSerializer
    created_serializer = s.CreatedDocumentRequestSerializer
    api_summary = "发起资料补充"
    submit_label = "发起资料补充"
    button_class = "btn-warning"
    keeps_input = True
    record_label = "资料补充"

    @classmethod
    def recorded(cls, case, target=None):
        requests = case.document_requests.select_related("requested_by").order_by(
            "requested_at", "id"
        )
        return [
            f"{timezone.localtime(r.requested_at):%Y-%m-%d %H:%M} {r.items}"
            f"{f'（截止 {r.due_date:%Y-%m-%d}）' if r.due_date else ''}"
            f" {r.get_status_display()}（{r.requested_by} 发起）"
            for r in requests
        ]

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_request_documents(
            case,
            items=data["items"],
            due_date=data["due_date"],
            actor=actor,
            expected_version=version,
        )


class FulfilDocuments(CaseAction):
    """Answers one document request, named by its id; its own state guards it."""

    actions = (Action.FULFIL_DOCUMENTS,)
    title = "资料补齐"
    page_name, page_path = "claims:case-fulfil-documents", "document-requests/<int:pk>/fulfil/"
    api_name, api_path = "case-document-request-fulfil", "document-requests/<int:pk>/fulfil"
    form, serializer = FulfilForm, s.FulfilInputSerializer
    additive = True
    panel = False  # offered beside each open request on the case page
    submit_label = "确认资料已补齐"
    button_class = "btn-success"
    keeps_input = True

    @classmethod
    def page_title(cls, target=None):
        return f"{cls.title}：{target.items}"

    @classmethod
    def form_prefix(cls, target=None):
        return f"dr{target.pk}" if target is not None else None

    @classmethod
    def target(cls, case, pk):
        document_request = DocumentRequest.objects.filter(pk=pk, case=case).first()
        if document_request is None:
            raise NotFound("资料补充请求不存在。")
        return document_request

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        check_version(case, version)
        return services.do_fulfil_document_request(target, note=data["note"], actor=actor)

    @classmethod
    def message(cls, case, result):
        return f"资料已补齐，案件当前状态：{result.get_status_display()}。"


class IssueReport(CaseAction):
    actions = (Action.ISSUE_REPORT,)
    title = "出具公估报告"
    page_name, page_path = "claims:case-issue", "issue/"
    api_name, api_path = "case-issue-report", "issue-report"
    submit_label = "出具公估报告"
    button_class = "btn-success"
    confirm = "出具后报告内容即固定，确定出具公估报告吗？"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_issue_report(case, actor=actor, expected_version=version)

    @classmethod
    def message(cls, case, result):
        return f"公估报告 {result.report_no} 已出具，核定金额 {money(result.amount)} 元。"


class CloseCase(CaseAction):
    actions = (Action.CLOSE,)
    title = "结案"
    done = "案件已结案。"
    page_name, page_path = "claims:case-close", "close/"
    api_name, api_path = "case-close", "close"
    submit_label = "结案"
    button_class = "btn-dark"
    confirm = "确定结案吗？结案后案件不能再修改。"

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_close_case(case, actor=actor, expected_version=version)


class CancelCase(CaseAction):
    actions = (Action.CANCEL,)
    title = "注销案件"
    done = "案件已注销。"
    page_name, page_path = "claims:case-cancel", "cancel/"
    api_name, api_path = "case-cancel", "cancel"
    form, serializer = CancelForm, s.CancelInputSerializer
    submit_label = "注销案件"
    button_class = "btn-outline-danger"
    confirm = "确定注销本案吗？注销后案件不能恢复。"
    keeps_input = True

    @classmethod
    def run(cls, case, data, *, actor, version, target=None):
        return services.do_cancel_case(
            case, reason=data["reason"], note=data["note"], actor=actor, expected_version=version
        )


def case_actions() -> list[type[CaseAction]]:
    """Every declared case action: what the apps contribute (dispatch comes first), then
    claims' own, in the order work is done."""
    contributed = [
        action
        for contribution in registry.contributions()
        if contribution.actions is not None
        for action in contribution.actions()
    ]
    return [*contributed, *CLAIMS_ACTIONS]


# claims' own actions in the order work is done (the case page's panels follow it).
CLAIMS_ACTIONS: tuple[type[CaseAction], ...] = (
    SaveSurvey,
    CompleteSurvey,
    RecordResurvey,
    SubmitForReview,
    ReviewCase,
    IssueReport,
    CloseCase,
    AddAttachments,
    RequestDocuments,
    FulfilDocuments,
    CancelCase,
)
