"""Case pages and the case actions. Views only parse input, look the case up through
`Case.objects.for_user` (404 outside scope), call a service and turn a ServiceError into a
form error or a message."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.views import View

from lossdesk.claims import registry
from lossdesk.claims.actions import CaseAction, FulfilDocuments, case_actions
from lossdesk.claims.choices import (
    AttachmentKind,
    CancelReason,
    CaseStatus,
    DocumentRequestStatus,
    EventType,
    LossItemKind,
    ResurveyReason,
)
from lossdesk.claims.filtersets import CaseFilterSet
from lossdesk.claims.forms import (
    FulfilForm,
)
from lossdesk.claims.models import (
    Attachment,
    Case,
    CaseEvent,
    DocumentRequest,
    LossItem,
    Resurvey,
    Review,
    SurveyRecord,
)
from lossdesk.claims.pagination import CasePaginator
from lossdesk.claims.sheet_editing import state_message
from lossdesk.claims.workflow import Action, available_actions
from lossdesk.core.errors import Conflict, IllegalTransition, NotFound, ServiceError
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


def kept_input_answer(
    exc: Conflict, data, case: Case, *, version_key: str = "version"
) -> tuple[list[str], object]:
    """The messages of a case action refused by a conflict, its input kept, and the data to
    show its form with. When a version refused it (not the state), the form takes the case's
    current version, so a second send, after the user has checked, is not refused again;
    a state refusal shows the form as posted."""
    kept = "您填写的内容已保留在下方，尚未保存。"
    if isinstance(exc, IllegalTransition) or exc.extra.get("current_version") is None:
        return [f"未保存：{state_message(exc)}", kept], data
    errors = [
        f"未保存：您填写期间案件已被他人修改（案件当前状态：{case.get_status_display()}）。",
        kept,
        "请核对案件当前情况，确认无误后再次提交。",
    ]
    data = data.copy()
    data[version_key] = str(case.version)
    return errors, data


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
        page = CasePaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
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
    "note": "说明",
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
    "resurvey",
}
# Data values that are a choice's code, by event type and key: the timeline shows the label
# (a review's or a decline's "reason" is the user's own text and stays as written).
EVENT_CHOICES = {
    (EventType.CANCELLED, "reason"): CancelReason,
    (EventType.RESURVEY_RECORDED, "reason"): ResurveyReason,
}
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
            *(name for c in contributed for name in (*c.select_related, *c.page_select_related)),
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
            Prefetch(
                "resurveys",
                Resurvey.objects.select_related("surveyor", "recorded_by").order_by(
                    "arrived_at", "id"
                ),
            ),
            *(prefetch for c in contributed for prefetch in c.page_prefetch),
            Prefetch(
                "attachments",
                Attachment.objects.select_related(
                    "uploaded_by", "loss_item", "duplicate_of__case"
                ).order_by("-uploaded_at", "-id"),
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
                FulfilForm(case=case, prefix=FulfilDocuments.form_prefix(doc_request))
                if can_fulfil and doc_request.status == DocumentRequestStatus.OPEN
                else None
            )
        context = {
            "nav": "cases",
            "case": case,
            "report": case.report,
            "survey": getattr(case, "survey", None),
            "resurveys": list(case.resurveys.all()),
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
    """Streams one attachment of a case the user may see, or its watermarked display copy
    or thumbnail (`variant`); media is never served publicly."""

    variant = "file"

    def get(self, request, case_no, pk):
        attachment = get_object_or_404(Attachment, pk=pk, case=self.case)
        served = attachment.served(self.variant)
        if served is None:
            raise Http404("该附件没有此版本。")
        stored, content_type, filename = served
        return file_response(stored, content_type=content_type, filename=filename)


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
    """The page of one declared case action (claims.actions): POST runs it; GET shows its
    form on its own page (also where a form with field errors is shown again)."""

    declaration: type[CaseAction] = CaseAction

    def load_objects(self, **kwargs) -> None:
        self.target = None
        key = kwargs.get("pk", kwargs.get("seq"))
        if key is not None:
            try:
                self.target = self.declaration.target(self.case, key)
            except NotFound as exc:
                raise Http404(exc.message) from None

    def get_form(self, case, data=None, files=None):
        prefix = self.declaration.form_prefix(self.target)
        kwargs = self.declaration.form_kwargs(self.target)
        return self.declaration.form(data, files, case=case, prefix=prefix, **kwargs)

    def get(self, request, **kwargs):
        return self.render_form(self.case, self.get_form(self.case))

    def post(self, request, **kwargs):
        case = self.case
        form = self.get_form(case, request.POST, request.FILES)
        if not form.is_valid():
            return self.render_form(case, form, status=400)
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        try:
            result = self.declaration.run(
                case,
                data,
                actor=request.user,
                version=None if self.declaration.additive else version,
                target=self.target,
            )
        except ServiceError as exc:
            return self.refused(case, form, exc)
        messages.success(request, self.declaration.message(case, result))
        if self.declaration.leaves_scope and not (
            Case.objects.for_user(request.user).filter(pk=case.pk).exists()
        ):
            return redirect("claims:case-list")
        return redirect(self.declaration.next_url(case, self.target) or case_url(case))

    def refused(self, case, form, exc: ServiceError):
        """Validation errors go back onto the form; state/permission refusals become a
        message on the case page, or, for an action that `keeps_input`, its page again with
        what was typed."""
        editable = {name for name, f in form.fields.items() if not f.widget.is_hidden}
        if self.declaration.keeps_input and editable:
            return self.kept(case, form, exc, editable)
        if exc.status == 400 and editable & set(exc.fields):
            for name, errors in exc.fields.items():
                for error in errors:
                    form.add_error(name if name in editable else None, error)
            return self.render_form(case, form, status=400)
        messages.error(self.request, describe_error(exc))
        return redirect(case_url(case))

    def kept(self, case, form, exc: ServiceError, editable: set[str]):
        """The action's page again with the input kept and nothing saved. A conflict says
        what happened, shows what the action has recorded meanwhile and, when only the
        version was stale, carries the current one, so a deliberate second send goes through
        (decision 0007, amended); any other refusal puts its field errors on their inputs and
        the rest above the form."""
        if isinstance(exc, Conflict):
            case.refresh_from_db(fields=["status", "version"])
            errors, data = kept_input_answer(
                exc, self.request.POST, case, version_key=form.add_prefix("version")
            )
            form = self.get_form(case, data, self.request.FILES)
            form.is_valid()
            for error in errors:
                form.add_error(None, error)
            kept = {
                "kept": True,
                "recorded": self.declaration.recorded(case, self.target),
                "current_url": self.current_url(case),
            }
        else:
            kept = {}
            placed = False
            for name, field_errors in exc.fields.items():
                if name in editable:
                    for error in field_errors:
                        form.add_error(name, error)
                    placed = True
                else:
                    for error in field_errors:
                        if error not in form.non_field_errors():
                            form.add_error(None, error)
            if not placed and exc.message not in form.non_field_errors():
                form.add_error(None, exc.message)
        return self.render_form(case, form, status=exc.status, kept=kept)

    def current_url(self, case) -> str:
        """Where the kept page's link shows the case as it is now (the item's page for an
        item action, else the case page; the phone's own pages on the phone)."""
        return self.declaration.next_url(case, self.target) or case_url(case)

    def render_form(self, case, form, status=200, kept=None):
        """The action's page; `kept`: what `kept` adds after a conflict."""
        actions = available_actions(self.request.user, case)
        context = {
            "nav": "cases",
            "case": case,
            "form": form,
            "view": self.declaration,
            "title": self.declaration.page_title(self.target),
            "action_url": self.request.path,
            "available": self.declaration.visible(self.request.user, case, actions, self.target),
            **self.declaration.page_context(case, self.request.user),
            **(kept or {}),
        }
        return render(self.request, self.declaration.template_name, context, status=status)


def line_item(request, case_no: str, seq: int, kind: str) -> tuple[Case, LossItem]:
    """The loader of a loss line's item page: the case in the user's scope and its loss
    item `seq`, which must be of `kind`, with what the line shows of it
    (`LossLine.select_related`); anything else is 404."""
    case = get_object_or_404(
        Case.objects.for_user(request.user).select_related("client", "branch", "report"),
        case_no=case_no,
    )
    line = registry.line_for(kind)
    item = get_object_or_404(
        LossItem.objects.select_related(line.document, *line.select_related),
        case=case,
        seq=seq,
    )
    if item.kind != kind:
        raise Http404(f"该损失标的不是{LossItemKind(kind).label}。")
    return case, item


def page_urls(namespace: str) -> list:
    """The pages of the declared case actions whose page is in `namespace`, under
    cases/<case_no>/ (each app includes its own)."""
    return [
        path(
            f"cases/<str:case_no>/{action.page_path}",
            CaseActionView.as_view(declaration=action),
            name=action.page_name.removeprefix(f"{namespace}:"),
        )
        for action in case_actions()
        if action.page_name.startswith(f"{namespace}:")
    ]


def action_url(action: type[CaseAction], case: Case, **kwargs) -> str:
    return reverse(action.page_name, kwargs={"case_no": case.case_no, **kwargs})


def action_panels(user, case: Case, actions) -> dict[str, list[dict]]:
    """Forms with fields open in a panel; button-only actions are a row of buttons."""
    panels: dict[str, list[dict]] = {"buttons": [], "forms": []}
    for action in case_actions():
        if not action.panel or not action.visible(user, case, actions):
            continue
        form = action.form(case=case)
        panel = {
            "title": action.title,
            "submit_label": action.submit_label,
            "button_class": action.button_class,
            "confirm": action.confirm,
            "primary": action.primary,
            "form": form,
            "form_template": action.form_template,
            "url": action_url(action, case),
            "key": action.page_name.split(":")[-1],
        }
        has_fields = any(not f.is_hidden for f in form)
        panels["forms" if has_fields else "buttons"].append(panel)
    return panels
