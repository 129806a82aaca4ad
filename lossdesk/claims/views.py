"""Case pages and the case actions. Views only parse input, look the case up through
`Case.objects.for_user` (404 outside scope), call a service and turn a ServiceError into a
form error or a message."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views import View

from lossdesk.claims import registry, services
from lossdesk.claims.choices import (
    AttachmentKind,
    CancelReason,
    CaseStatus,
    DocumentRequestStatus,
    EventType,
    LossItemStatus,
    ReviewDecision,
)
from lossdesk.claims.filtersets import CaseFilterSet
from lossdesk.claims.forms import (
    AttachmentForm,
    CancelForm,
    ConfirmForm,
    DocumentRequestForm,
    FulfilForm,
    ReviewForm,
    SurveyForm,
)
from lossdesk.claims.models import (
    Attachment,
    Case,
    CaseEvent,
    DocumentRequest,
    LossItem,
    Review,
    SurveyRecord,
)
from lossdesk.claims.workflow import Action, available_actions
from lossdesk.core.errors import Conflict, IllegalTransition, ServiceError
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.core.uploads import file_response
from lossdesk.org.models import Staff

PAGE_SIZE = 25


def case_url(case: Case) -> str:
    return reverse("claims:case-detail", args=[case.case_no])


def scoped_case(request, case_no: str, queryset=None) -> Case:
    """The case if the user may see it; 404 otherwise (never 403: no hint it exists)."""
    queryset = queryset if queryset is not None else Case.objects.for_user(request.user)
    return get_object_or_404(queryset, case_no=case_no)


def state_label(value) -> str:
    try:
        return CaseStatus(value).label
    except ValueError:
        return str(value)


def describe_error(exc: ServiceError) -> str:
    """One readable sentence for a refused action; 409s name the current state."""
    message = exc.message
    state = exc.extra.get("current_state")
    restated = isinstance(exc, IllegalTransition)  # its message names the state already
    if isinstance(exc, Conflict) and not restated and state in CaseStatus.values:
        message += f"（案件当前状态：{state_label(state)}）"
    details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
    if details:
        message += " " + "；".join(details)
    return message


# --- list --------------------------------------------------------------------------------


class CaseListView(LoginRequiredMixin, View):
    template_name = "claims/case_list.html"

    def get(self, request):
        base = (
            Case.objects.for_user(request.user)
            .select_related("client", "branch", "surveyor", "report")
            .annotate(**registry.annotations("list", request.user))
        )
        filterset = CaseFilterSet(request.GET or None, queryset=base, request=request)
        page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {
            "nav": "cases",
            "filterset": filterset,
            "page_obj": page,
            "cases": page.object_list,
        }
        template = self.template_name
        htmx = getattr(request, "htmx", None)
        if htmx and not htmx.history_restore_request:
            template += "#case-table"
        response = render(request, template, context)
        patch_vary_headers(response, ["HX-Request"])
        return response


# --- detail ------------------------------------------------------------------------------

EVENT_KEY_LABELS = {
    "status": "状态",
    "surveyor": "查勘员",
    "amount": "金额",
    "total": "定损合计",
    "lines": "项目数",
    "level": "审核级别",
    "reason": "原因",
    "report_no": "编号",
    "sheet": "定损单号",
    "loss_items": "损失标的数",
    "name": "文件",
    "dispatch_to_arrival_minutes": "调度到达用时(分钟)",
    "dispatch_to_accept_minutes": "调度接单用时(分钟)",
    "score": "推荐得分",
    "override_reason": "未选推荐原因",
    "duplicate_of": "疑似重复报案",
    "to_branch": "受托机构",
    "fee_share": "受托分成",
    "rating": "满意度",
    "deadline_minutes": "接单时限(分钟)",
}
# Ids and codes the message already says in words.
EVENT_HIDDEN_KEYS = {
    "attachment",
    "request",
    "channel",
    "delegation",
    "callback",
    "recommended",
    "auto",
}
# Data values that are a choice's code, by event type and key: the timeline shows the label
# (a review's or a decline's "reason" is the user's own text and stays as written).
EVENT_CHOICES = {(EventType.CANCELLED, "reason"): CancelReason}
# Amounts, shown in the money format.
EVENT_MONEY_KEYS = {"amount", "total"}
SURVEY_LABELS = {f.name: f.verbose_name for f in SurveyRecord._meta.get_fields() if f.concrete}
SURVEY_CHOICES = {
    f.name: dict(f.choices) for f in SurveyRecord._meta.get_fields() if getattr(f, "choices", None)
}


def _staff_ids(events) -> set[int]:
    ids = set()
    for event in events:
        value = event.data.get("surveyor") if isinstance(event.data, dict) else None
        for pk in value if isinstance(value, list) else [value]:
            if isinstance(pk, int):
                ids.add(pk)
    return ids


def _change_rows(
    event_type: str, data, staff_names: dict[int, str]
) -> list[tuple[str, str, str | None]]:
    """Event data → rows (label, before-or-value, after); the timeline shows them small."""
    if not isinstance(data, dict):
        return []
    rows = []
    for key, value in data.items():
        if key in EVENT_HIDDEN_KEYS:
            continue
        if key == "changes" and isinstance(value, dict):
            for name, pair in value.items():
                choices = SURVEY_CHOICES.get(name, {})
                before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
                rows.append(
                    (
                        str(SURVEY_LABELS.get(name, name)),
                        _show(choices.get(before, before)),
                        _show(choices.get(after, after)),
                    )
                )
            continue
        label = EVENT_KEY_LABELS.get(key, key)
        convert = _show
        if key == "status":
            convert = lambda v: state_label(v) if v else "—"  # noqa: E731
        elif key == "surveyor":
            convert = lambda v: staff_names.get(v, "—") if v else "—"  # noqa: E731
        elif key in EVENT_MONEY_KEYS:
            convert = money
        elif (choices := EVENT_CHOICES.get((event_type, key))) is not None:
            convert = lambda v, c=choices: _show(dict(c.choices).get(v, v))  # noqa: E731
        if isinstance(value, list) and len(value) == 2:
            rows.append((label, convert(value[0]), convert(value[1])))
        else:
            rows.append((label, convert(value), None))
    return rows


def _show(value) -> str:
    return "—" if value is None or value == "" else str(value)


def case_detail_queryset(user):
    contributed = registry.contributions()
    documents = registry.document_select_related()
    return (
        Case.objects.for_user(user)
        .annotate(**registry.annotations("page", user))
        .select_related(
            *(name for c in contributed for name in c.select_related),
            "client",
            "branch",
            "surveyor",
            "survey",
            "survey__surveyed_by",
            "adjusting_report",
            "adjusting_report__issued_by",
            "adjusting_report__issuing_branch",
        )
        .prefetch_related(
            Prefetch("loss_items", LossItem.objects.select_related(*documents).order_by("seq")),
            *(prefetch for c in contributed for prefetch in c.page_prefetch),
            Prefetch(
                "attachments",
                Attachment.objects.select_related("uploaded_by", "loss_item").order_by(
                    "-uploaded_at", "-id"
                ),
            ),
            Prefetch(
                "reviews",
                Review.objects.select_related("reviewer").order_by("-created_at", "-id"),
            ),
            Prefetch(
                "document_requests",
                DocumentRequest.objects.select_related("requested_by", "fulfilled_by").order_by(
                    "-requested_at", "-id"
                ),
            ),
            Prefetch(
                "events",
                CaseEvent.objects.select_related("actor").order_by("-created_at", "-id"),
            ),
        )
    )


class CaseView(LoginRequiredMixin, View):
    """A page or action of one case. The case is looked up before anything else, whatever
    the method, so a case out of scope is a 404 for GET and POST alike."""

    def case_queryset(self):
        return Case.objects.for_user(self.request.user)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.case = scoped_case(request, kwargs["case_no"], self.case_queryset())
        self.load_objects(**kwargs)
        return super().dispatch(request, *args, **kwargs)

    def load_objects(self, **kwargs) -> None:
        """Look up the case's own objects named in the URL (404 if not of this case)."""


class CaseDetailView(CaseView):
    template_name = "claims/case_detail.html"

    def case_queryset(self):
        return case_detail_queryset(self.request.user)

    def get(self, request, case_no):
        return render(request, self.template_name, self.get_context(request, self.case))

    @staticmethod
    def get_context(request, case: Case) -> dict:
        actions = available_actions(request.user, case)
        events = list(case.events.all())
        names = {}
        if ids := _staff_ids(events):
            names = dict(Staff.objects.filter(pk__in=ids).values_list("pk", "full_name"))
        for event in events:
            event.rows = _change_rows(event.type, event.data, names)
        attachments = list(case.attachments.all())
        loss_items = list(case.loss_items.all())
        for item in loss_items:
            if line := registry.line_for(item.kind):
                item.document = getattr(item, line.document, None)
                item.document_label = line.document_label
                if line.editor:
                    item.editor_url = reverse(line.editor, args=[case.case_no, item.seq])
        document_requests = list(case.document_requests.all())
        can_fulfil = Action.FULFIL_DOCUMENTS in actions
        for doc_request in document_requests:
            doc_request.fulfil_form = (
                FulfilForm(case=case, prefix=f"dr{doc_request.pk}")
                if can_fulfil and doc_request.status == DocumentRequestStatus.OPEN
                else None
            )
        context = {
            "nav": "cases",
            "case": case,
            "report": case.report,
            "survey": getattr(case, "survey", None),
            "adjusting_report": getattr(case, "adjusting_report", None),
            "loss_items": loss_items,
            "photos": [a for a in attachments if a.kind == AttachmentKind.PHOTO],
            "documents": [a for a in attachments if a.kind != AttachmentKind.PHOTO],
            "reviews": list(case.reviews.all()),
            "document_requests": document_requests,
            "events": events,
            "actions": actions,
            "can_edit_sheet": Action.SAVE_SHEET in actions,
            "panels": action_panels(request.user, case, actions),
            "slots": {slot: registry.page_templates(slot) for slot in ("alerts", "main", "side")},
        }
        for contribution in registry.contributions():
            if contribution.page_context is not None:
                context.update(contribution.page_context(request, case))
        return context


# --- files -------------------------------------------------------------------------------


def _open(field_file):
    try:
        return field_file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("文件不存在。") from None


class AttachmentView(CaseView):
    """Streams one attachment of a case the user may see; media is never served publicly."""

    def get(self, request, case_no, pk):
        attachment = get_object_or_404(Attachment, pk=pk, case=self.case)
        return file_response(
            attachment.file, content_type=attachment.content_type, filename=attachment.original_name
        )


class ReportPdfView(CaseView):
    """The issued adjusting report (公估报告) as the frozen PDF."""

    def case_queryset(self):
        return super().case_queryset().select_related("adjusting_report")

    def get(self, request, case_no):
        case = self.case
        report = getattr(case, "adjusting_report", None)
        if report is None:
            raise Http404("本案尚未出具公估报告。")
        response = FileResponse(
            _open(report.file),
            content_type="application/pdf",
            as_attachment=True,
            filename=f"{case.case_no}-{report.report_no}.pdf",
        )
        response["Cache-Control"] = "private, no-store"
        return response


# --- actions -----------------------------------------------------------------------------


class CaseActionView(CaseView):
    """One POST action on a case. GET shows the same form on its own page (also where a form
    with field errors is shown again). Subclasses set the form, the labels and `perform`."""

    actions: tuple[Action, ...] = ()
    form_class = ConfirmForm
    url_name = ""
    title = ""
    submit_label = "确定"
    button_class = "btn-primary"
    confirm = ""
    primary = False  # its panel opens by default on the case page
    template_name = "claims/action_form.html"
    form_template = "claims/includes/action_form.html"  # the form in its case-page panel

    # -- hooks
    @classmethod
    def visible(cls, user, case, actions) -> bool:
        return any(action in actions for action in cls.actions)

    def perform(self, case: Case, form) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    @classmethod
    def url_for(cls, case: Case, **kwargs) -> str:
        return reverse(cls.url_name, kwargs={"case_no": case.case_no, **kwargs})

    def get_form(self, case, data=None, files=None):
        return self.form_class(data, files, case=case)

    def page_context(self, case) -> dict:
        """What the action's own page shows beside the form."""
        return {}

    # -- plumbing
    def get(self, request, **kwargs):
        case = self.case
        return self.render_form(case, self.get_form(case))

    def post(self, request, **kwargs):
        case = self.case
        form = self.get_form(case, request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(case, form, status=400)
        try:
            message = self.perform(case, form)
        except ServiceError as exc:
            return self.refused(case, form, exc)
        messages.success(request, message)
        return redirect(case_url(case))

    def expected_version(self, form) -> int | None:
        return form.cleaned_data.get("version")

    def refused(self, case, form, exc: ServiceError):
        """Validation errors go back onto the form; state/permission refusals become a
        message on the case page."""
        editable = {name for name, f in form.fields.items() if not f.widget.is_hidden}
        if exc.status == 400 and editable & set(exc.fields):
            for name, errors in exc.fields.items():
                for error in errors:
                    form.add_error(name if name in editable else None, error)
            return self.render_form(case, form, status=400)
        messages.error(self.request, describe_error(exc))
        return redirect(case_url(case))

    def render_form(self, case, form, status=200):
        actions = available_actions(self.request.user, case)
        context = {
            "nav": "cases",
            "case": case,
            "form": form,
            "view": self,
            "title": self.title,
            "action_url": self.request.path,
            "available": self.visible(self.request.user, case, actions),
            **self.page_context(case),
        }
        return render(self.request, self.template_name, context, status=status)


class SurveyView(CaseActionView):
    primary = True
    actions = (Action.SAVE_SURVEY,)
    form_class = SurveyForm
    url_name = "claims:case-survey"
    title = "查勘记录"
    submit_label = "保存查勘记录"

    @classmethod
    def visible(cls, user, case, actions) -> bool:
        return super().visible(user, case, actions) and case.surveyor_id == user.pk

    def perform(self, case, form):
        services.do_save_survey(
            case,
            form.survey_data(),
            actor=self.request.user,
            expected_version=self.expected_version(form),
        )
        return "查勘记录已保存。"


class CompleteSurveyView(CaseActionView):
    actions = (Action.COMPLETE_SURVEY,)
    url_name = "claims:case-complete-survey"
    title = "完成查勘"
    submit_label = "完成查勘"
    button_class = "btn-success"

    @classmethod
    def visible(cls, user, case, actions) -> bool:
        return super().visible(user, case, actions) and case.surveyor_id == user.pk

    def perform(self, case, form):
        services.do_complete_survey(
            case, actor=self.request.user, expected_version=self.expected_version(form)
        )
        return "查勘已完成，案件进入定损。"


class UploadView(CaseActionView):
    actions = (Action.ADD_ATTACHMENT,)
    form_class = AttachmentForm
    url_name = "claims:case-upload"
    title = "上传照片 / 单证"
    submit_label = "上传"

    def perform(self, case, form):
        data = form.cleaned_data
        files = data["files"]
        # One batch, one outcome: a bad file in the middle saves none of them.
        with transaction.atomic():
            for upload in files:
                try:
                    services.do_add_attachment(
                        case,
                        upload,
                        kind=data["kind"],
                        doc_type=data["doc_type"],
                        loss_item=data["loss_item"],
                        actor=self.request.user,
                    )
                except ServiceError as exc:
                    if "file" in exc.fields:
                        exc.fields = {
                            "files": [f"{upload.name}：{m}" for m in exc.fields.pop("file")],
                            **exc.fields,
                        }
                    raise
        return f"已上传 {len(files)} 个文件。"


class SubmitForReviewView(CaseActionView):
    actions = (Action.SUBMIT_FOR_REVIEW,)
    url_name = "claims:case-submit"
    title = "提交审核"
    submit_label = "提交审核"
    button_class = "btn-success"

    def perform(self, case, form):
        case = services.do_submit_for_review(
            case, actor=self.request.user, expected_version=self.expected_version(form)
        )
        return f"已提交审核，定损金额 {money(case.assessed_amount)} 元。"


class ReviewView(CaseActionView):
    """The review page shows what is being approved (sheets, lines, totals, photos per loss
    item) above the form; the form is offered only to someone the service would accept."""

    primary = True
    actions = (Action.REVIEW, Action.SECOND_REVIEW)
    form_class = ReviewForm
    url_name = "claims:case-review"
    title = "审核"
    submit_label = "提交审核结论"
    template_name = "claims/review.html"

    @classmethod
    def visible(cls, user, case, actions) -> bool:
        return super().visible(user, case, actions) and services.review_refusal(case, user) is None

    def page_context(self, case) -> dict:
        return {
            "refusal": services.review_refusal(case, self.request.user),
            "review_items": review_items(case),
            "case_photos": case.attachments.filter(
                kind=AttachmentKind.PHOTO, loss_item__isnull=True
            ).order_by("uploaded_at", "id"),
        }

    def perform(self, case, form):
        review = services.do_review_case(
            case,
            decision=form.cleaned_data["decision"],
            reason=form.cleaned_data["reason"],
            level=form.cleaned_data["level"],
            actor=self.request.user,
            expected_version=self.expected_version(form),
        )
        case.refresh_from_db(fields=["status"])
        return (
            f"{review.level}级审核：{ReviewDecision(review.decision).label}，"
            f"案件当前状态：{state_label(case.status)}。"
        )


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


class RequestDocumentsView(CaseActionView):
    actions = (Action.REQUEST_DOCUMENTS,)
    form_class = DocumentRequestForm
    url_name = "claims:case-request-documents"
    title = "资料补充"
    submit_label = "发起资料补充"
    button_class = "btn-warning"

    def perform(self, case, form):
        services.do_request_documents(
            case,
            items=form.cleaned_data["items"],
            due_date=form.cleaned_data["due_date"],
            actor=self.request.user,
            expected_version=self.expected_version(form),
        )
        return "已发起资料补充，案件暂停等待资料。"


class FulfilDocumentsView(CaseActionView):
    actions = (Action.FULFIL_DOCUMENTS,)
    form_class = FulfilForm
    url_name = "claims:case-fulfil-documents"
    title = "资料补齐"
    submit_label = "确认资料已补齐"
    button_class = "btn-success"

    def get_form(self, case, data=None, files=None):
        return self.form_class(data, files, case=case, prefix=f"dr{self.kwargs['pk']}")

    def load_objects(self, **kwargs) -> None:
        self.document_request = get_object_or_404(DocumentRequest, pk=kwargs["pk"], case=self.case)

    def render_form(self, case, form, status=200):
        self.title = f"资料补齐：{self.document_request.items}"
        return super().render_form(case, form, status)

    def perform(self, case, form):
        case = services.do_fulfil_document_request(
            self.document_request, note=form.cleaned_data["note"], actor=self.request.user
        )
        return f"资料已补齐，案件当前状态：{state_label(case.status)}。"


class IssueReportView(CaseActionView):
    actions = (Action.ISSUE_REPORT,)
    url_name = "claims:case-issue"
    title = "出具公估报告"
    submit_label = "出具公估报告"
    button_class = "btn-success"
    confirm = "出具后报告内容即固定，确定出具公估报告吗？"

    def perform(self, case, form):
        report = services.do_issue_report(
            case, actor=self.request.user, expected_version=self.expected_version(form)
        )
        return f"公估报告 {report.report_no} 已出具，核定金额 {money(report.amount)} 元。"


class CloseView(CaseActionView):
    actions = (Action.CLOSE,)
    url_name = "claims:case-close"
    title = "结案"
    submit_label = "结案"
    button_class = "btn-dark"
    confirm = "确定结案吗？结案后案件不能再修改。"

    def perform(self, case, form):
        services.do_close_case(
            case, actor=self.request.user, expected_version=self.expected_version(form)
        )
        return "案件已结案。"


class CancelView(CaseActionView):
    actions = (Action.CANCEL,)
    form_class = CancelForm
    url_name = "claims:case-cancel"
    title = "注销案件"
    submit_label = "注销案件"
    button_class = "btn-outline-danger"
    confirm = "确定注销本案吗？注销后案件不能恢复。"

    def perform(self, case, form):
        services.do_cancel_case(
            case,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            actor=self.request.user,
            expected_version=self.expected_version(form),
        )
        return "案件已注销。"


def action_views() -> list[type[CaseActionView]]:
    """The case page's action panels, in the order work is done: what the apps contribute
    (dispatch comes first), then claims' own."""
    contributed = [
        view
        for contribution in registry.contributions()
        if contribution.action_views is not None
        for view in contribution.action_views()
    ]
    return [
        *contributed,
        SurveyView,
        CompleteSurveyView,
        SubmitForReviewView,
        ReviewView,
        IssueReportView,
        CloseView,
        UploadView,
        RequestDocumentsView,
        CancelView,
    ]


def action_panels(user, case: Case, actions) -> dict[str, list[dict]]:
    """Forms with fields open in a panel; button-only actions are a row of buttons."""
    panels: dict[str, list[dict]] = {"buttons": [], "forms": []}
    for view_class in action_views():
        if not view_class.visible(user, case, actions):
            continue
        form = view_class.form_class(case=case)
        panel = {
            "title": view_class.title,
            "submit_label": view_class.submit_label,
            "button_class": view_class.button_class,
            "confirm": view_class.confirm,
            "primary": view_class.primary,
            "form": form,
            "form_template": view_class.form_template,
            "url": view_class.url_for(case),
            "key": view_class.url_name.split(":")[-1],
        }
        has_fields = any(not f.is_hidden for f in form)
        panels["forms" if has_fields else "buttons"].append(panel)
    return panels
