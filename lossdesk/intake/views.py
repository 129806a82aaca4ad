"""Intake pages: report registration and batch import, the dispatch actions of a case
(dispatch with the recommendation, accept, decline, arrival), delegation to another region,
the callback queue and the public callback page, the roster. Views parse input, find the case
through Case.objects.for_user (404 outside scope), call a service and show its errors."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views import View

from lossdesk.claims.models import Case
from lossdesk.claims.views import case_url
from lossdesk.core.errors import ServiceError, apply_service_error
from lossdesk.core.masking import phone_for
from lossdesk.intake import importing, queries, tasks
from lossdesk.intake.actions import (
    DELEGATION_ANSWERS,
    can_request_delegation,
    delegation_verbs,
)
from lossdesk.intake.choices import (
    IMPORT_BATCH_STATES,
    OPEN_CALLBACK_STATUSES,
    CallbackStatus,
    ImportAction,
    ImportStatus,
)
from lossdesk.intake.forms import (
    CallbackResultForm,
    DelegationRequestForm,
    ImportMappingForm,
    ImportUploadForm,
    PublicCallbackForm,
    ReportForm,
    RosterShiftForm,
)
from lossdesk.intake.models import Callback, DispatchAlert, ImportBatch, RosterShift
from lossdesk.intake.permissions import CALLBACK_HANDLE, IMPORT_MAPPING_CHANGE, REPORT_REGISTER
from lossdesk.intake.services import roster
from lossdesk.intake.services.callbacks import (
    callback_for_token,
    do_record_callback_call,
    do_submit_callback_feedback,
)
from lossdesk.intake.services.reports import do_register_report
from lossdesk.org.models import Client, ClientBranch
from lossdesk.org.positions import CASE_DISPATCH


class ReportCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """登记报案: registering a report opens its case."""

    permission_required = REPORT_REGISTER
    template_name = "intake/report_form.html"

    def get(self, request):
        return self.render_form(ReportForm())

    def post(self, request):
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                case = do_register_report(form.cleaned_data, actor=request.user)
            except ServiceError as exc:
                apply_service_error(form, exc)
            except IntegrityError:  # a duplicate registered between our check and the insert
                form.add_error("client_claim_no", "该委托方的赔案号已登记过报案，请勿重复登记。")
            else:
                messages.success(
                    request, f"报案 {case.report.report_no} 已登记，案件号 {case.case_no}。"
                )
                return redirect(case_url(case))
        return self.render_form(form, status=400)

    def render_form(self, form, status=200):
        context = {"nav": "report-new", "form": form}
        return render(self.request, self.template_name, context, status=status)


class ClientBranchOptionsView(LoginRequiredMixin, View):
    """`<option>`s of one client's branches, for the report form's HTMX refresh."""

    def get(self, request):
        client_id = request.GET.get("client", "")
        branches = (
            ClientBranch.objects.filter(client_id=client_id).select_related("client")
            if client_id.isdigit()
            else ClientBranch.objects.none()
        )
        return render(request, "intake/client_branch_options.html", {"branches": branches})


# --- the case page's intake panels ---------------------------------------------------------


def case_page_context(request, case) -> dict:
    """Extra context for claims' case page: dispatch alerts, the duplicate flag, delegations
    with their buttons, the callback (a few small queries)."""
    user = request.user
    report = case.report
    duplicate = None
    if report.possible_duplicate_of_id:
        original = report.possible_duplicate_of
        if hasattr(case, "duplicate_case_no"):  # annotated by claims' case page queryset
            visible = case.duplicate_case_no
        else:
            visible = (
                Case.objects.for_user(user)
                .filter(report_id=original.pk)
                .values_list("case_no", flat=True)
                .first()
            )
        duplicate = {"report": original, "case_no": visible}
    delegations = list(
        case.delegations.select_related(
            "from_branch", "to_branch", "loss_item", "requested_by", "decided_by", "ended_by"
        )
    )
    for delegation in delegations:
        delegation.verbs = [
            (verb, DELEGATION_ANSWERS[verb].title) for verb in delegation_verbs(user, delegation)
        ]
    request_form = None
    if can_request_delegation(user, case, delegations):
        request_form = DelegationRequestForm(case=case)
    callback = Callback.objects.filter(case=case).select_related("called_by").first()
    return {
        "dispatch_alerts": list(
            DispatchAlert.objects.filter(case=case, resolved_at__isnull=True).order_by(
                "-created_at"
            )
        ),
        "duplicate": duplicate,
        "delegations": delegations,
        "delegation_form": request_form,
        "callback": callback,
        "can_handle_callback": user.has_perm(CALLBACK_HANDLE),
    }


# --- callbacks ---------------------------------------------------------------------------


def _callback_phone(user, callback) -> str:
    return phone_for(
        user,
        callback.phone,
        field="callback_phone",
        case_no=callback.case.case_no,
        person=callback.customer_name,
    )


class CallbackListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """回访任务: the call centre's queue (open first), within the user's case scope."""

    permission_required = CALLBACK_HANDLE

    def get(self, request):
        show = request.GET.get("show", "open")
        callbacks = queries.callbacks_for(request.user).select_related(
            "case", "surveyor", "called_by"
        )
        if show == "open":
            callbacks = callbacks.filter(
                status__in=[*OPEN_CALLBACK_STATUSES, CallbackStatus.UNREACHABLE]
            )
        page = Paginator(callbacks.order_by("created_at", "id"), 50).get_page(
            request.GET.get("page")
        )
        for callback in page.object_list:
            callback.shown_phone = _callback_phone(request.user, callback)
        context = {
            "nav": "callbacks",
            "page_obj": page,
            "callbacks": page.object_list,
            "show": show,
        }
        return render(request, "intake/callback_list.html", context)


class CallbackDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """One callback: the call script and the result form."""

    permission_required = CALLBACK_HANDLE

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.callback = get_object_or_404(
                queries.callbacks_for(request.user).select_related(
                    "case", "case__report", "surveyor", "called_by"
                ),
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.render_page(CallbackResultForm())

    def post(self, request, pk):
        form = CallbackResultForm(request.POST)
        if form.is_valid():
            try:
                do_record_callback_call(
                    self.callback,
                    status=form.cleaned_data["status"],
                    rating=form.cleaned_data.get("rating"),
                    comment=form.cleaned_data["comment"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, "回访结果已保存。")
                return redirect("intake:callback-list")
        return self.render_page(form, status=400)

    def render_page(self, form, status=200):
        callback = self.callback
        context = {
            "nav": "callbacks",
            "callback": callback,
            "case": callback.case,
            "phone": _callback_phone(self.request.user, callback),
            "form": form,
            "open": callback.status in (*OPEN_CALLBACK_STATUSES, CallbackStatus.UNREACHABLE),
        }
        return render(self.request, "intake/callback_detail.html", context, status=status)


class PublicCallbackView(View):
    """/callback/<token>/: the customer's rating page (no login; single use; expires)."""

    template_name = "intake/public_callback.html"

    def get(self, request, token):
        try:
            callback = callback_for_token(token)
        except ServiceError as exc:
            return self.closed(request, exc)
        return self.render_page(request, callback, PublicCallbackForm())

    def post(self, request, token):
        try:
            callback = callback_for_token(token)
        except ServiceError as exc:
            return self.closed(request, exc)
        form = PublicCallbackForm(request.POST)
        if not form.is_valid():
            return self.render_page(request, callback, form, status=400)
        try:
            do_submit_callback_feedback(
                token, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except ServiceError as exc:
            if exc.status == 400:
                apply_service_error(form, exc)
                return self.render_page(request, callback, form, status=400)
            return self.closed(request, exc)
        return render(request, self.template_name, {"state": "thanks"})

    def render_page(self, request, callback, form, status=200):
        context = {"state": "form", "callback": callback, "form": form}
        response = render(request, self.template_name, context, status=status)
        response["Cache-Control"] = "no-store"
        # Not "no-referrer": the form's POST would then carry `Origin: null` (CSRF refusal).
        response["Referrer-Policy"] = "same-origin"
        return response

    def closed(self, request, exc: ServiceError):
        state = {404: "invalid", 409: "used", 410: "expired"}.get(exc.status, "invalid")
        response = render(request, self.template_name, {"state": state}, status=exc.status)
        response["Referrer-Policy"] = "same-origin"
        return response


# --- batch import ------------------------------------------------------------------------


class ImportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """报案批量导入: upload a client's Excel file; recent batches below."""

    permission_required = REPORT_REGISTER

    def get(self, request):
        return self.render_page(ImportUploadForm())

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            if request.user.branch is None:
                form.add_error(None, "您没有所属机构，不能导入报案。")
            else:
                client = form.cleaned_data["client"]
                mapping = importing.mapping_for(client)
                upload = form.cleaned_data["file"]
                batch = ImportBatch(
                    client=client,
                    branch=request.user.branch,
                    original_name=upload.name[:200],
                    columns=mapping.columns,
                    sheet_name=mapping.sheet_name,
                    header_row=mapping.header_row,
                    uploaded_by=request.user,
                )
                batch.file.save(upload.name, upload, save=False)
                batch.save()
                return redirect("intake:import-detail", pk=batch.pk)
        return self.render_page(form, status=400)

    def render_page(self, form, status=200):
        batches = queries.import_batches_for(self.request.user)[:20]
        clients = list(Client.objects.filter(active=True))
        editable = set(
            importing.mapping_clients_for(self.request.user).values_list("pk", flat=True)
        )
        for client in clients:
            client.mapping_editable = client.pk in editable
        context = {"nav": "import", "form": form, "batches": batches, "clients": clients}
        return render(self.request, "intake/import.html", context, status=status)


class ImportBatchMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = REPORT_REGISTER

    def get_batch(self, request, pk) -> ImportBatch:
        return get_object_or_404(queries.import_batches_for(request.user), pk=pk)


class ImportDetailView(ImportBatchMixin, View):
    """Before the import: the preview (every row checked, nothing saved). After: the
    outcome of each row with its line number."""

    def get(self, request, pk):
        batch = self.get_batch(request, pk)
        context = {
            "nav": "import",
            "batch": batch,
            "running": batch.status == ImportStatus.RUNNING,
            # queued or running: the outcome is reloaded until it is there
            "waiting": batch.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        }
        if IMPORT_BATCH_STATES.allowed_from(ImportAction.QUEUE, batch.status):
            try:
                result = importing.preview(batch)
            except ServiceError as exc:
                context["file_error"] = exc.message
            else:
                context["preview"] = result
                context["preview_rows"] = result.rows
                context["preview_errors"] = result.errors
        else:
            rows = list(batch.rows.select_related("case").order_by("line_no"))
            for row in rows:
                row.messages = importing.row_messages(row.errors)
            context["rows"] = rows
        return render(request, "intake/import_detail.html", context)


class ImportRunView(ImportBatchMixin, View):
    """Confirm the preview: queue the background import."""

    def post(self, request, pk):
        batch = self.get_batch(request, pk)
        try:
            importing.queue_import(batch)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            tasks.import_reports.enqueue(batch.pk)
            messages.success(request, "已提交后台导入。")
        return redirect("intake:import-detail", pk=batch.pk)


class ImportMappingView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """One client's column mapping (which header holds which field): its own permission,
    only for clients in the user's scope (404 otherwise), every save audited."""

    permission_required = IMPORT_MAPPING_CHANGE

    def get_client(self, request, client_id) -> Client:
        return get_object_or_404(importing.mapping_clients_for(request.user), pk=client_id)

    def get(self, request, client_id):
        client = self.get_client(request, client_id)
        return self.render_page(client, ImportMappingForm(instance=importing.mapping_for(client)))

    def post(self, request, client_id):
        client = self.get_client(request, client_id)
        form = ImportMappingForm(request.POST, instance=importing.mapping_for(client))
        if form.is_valid():
            try:
                importing.do_save_import_mapping(client, **form.mapping(), actor=request.user)
            except ServiceError as exc:
                apply_service_error(form, exc)
                return self.render_page(client, form, status=exc.status)
            messages.success(request, f"{client} 的导入列映射已保存。")
            return redirect("intake:import")
        return self.render_page(client, form, status=400)

    def render_page(self, client, form, status=200):
        context = {"nav": "import", "client": client, "form": form}
        return render(self.request, "intake/import_mapping.html", context, status=status)


class ImportTemplateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """An empty .xlsx in the client's layout."""

    permission_required = REPORT_REGISTER

    def get(self, request, client_id):
        client = get_object_or_404(Client, pk=client_id)
        content = importing.template_workbook(importing.mapping_for(client).columns)
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="import-{client.code}.xlsx"'
        return response


# --- roster ------------------------------------------------------------------------------


class RosterView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """排班表 of the dispatcher's branch for one day: list, add, remove."""

    permission_required = CASE_DISPATCH

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.branch_id is None:
            raise Http404("没有所属机构。")
        return super().dispatch(request, *args, **kwargs)

    def surveyors(self):
        from lossdesk.org.models import Staff

        return Staff.objects.filter(
            branch_id=self.request.user.branch_id,
            is_active=True,
            position__permissions__codename="survey_case",
            position__permissions__content_type__app_label="claims",
        ).order_by("full_name")

    def get(self, request):
        day = parse_date(request.GET.get("date", "") or "") or timezone.localdate()
        form = RosterShiftForm(surveyors=self.surveyors(), initial={"date": day})
        return self.render_page(day, form)

    def post(self, request):
        if "delete" in request.POST:
            shift = get_object_or_404(
                RosterShift, pk=request.POST.get("delete"), branch_id=request.user.branch_id
            )
            day = shift.date
            roster.do_remove_roster_shift(shift, actor=request.user)
            messages.success(request, "已删除排班。")
            return redirect(f"{reverse('intake:roster')}?date={day:%Y-%m-%d}")
        form = RosterShiftForm(request.POST, surveyors=self.surveyors())
        if form.is_valid():
            roster.do_add_roster_shift(form.cleaned_data, actor=request.user)
            day = form.cleaned_data["date"]
            messages.success(request, "已添加排班。")
            return redirect(f"{reverse('intake:roster')}?date={day:%Y-%m-%d}")
        day = parse_date(request.POST.get("date", "") or "") or timezone.localdate()
        return self.render_page(day, form, status=400)

    def render_page(self, day, form, status=200):
        shifts = RosterShift.objects.filter(
            branch_id=self.request.user.branch_id, date=day
        ).select_related("surveyor")
        context = {"nav": "roster", "day": day, "shifts": shifts, "form": form}
        return render(self.request, "intake/roster.html", context, status=status)
