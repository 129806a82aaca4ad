"""Staff quality pages (品质管理): the register with its Excel books, an entry and its steps,
a person's quality page (one's own for everyone), complaints and whistle-blower reports.
Every object is looked up through the services' scoped look-ups: another branch's is a 404."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views import View

from lossdesk.core.errors import NotFound, ServiceError, apply_service_error
from lossdesk.core.uploads import file_response
from lossdesk.quality import permissions as perms
from lossdesk.quality.staff import exports, forms, periods, queries, services
from lossdesk.quality.staff.choices import ComplaintStatus, MisconductStatus, ReportStatus
from lossdesk.quality.staff.models import (
    Award,
    Complaint,
    Consequence,
    MisconductRecord,
    WhistleblowerReport,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def found(lookup, *args):
    try:
        return lookup(*args)
    except NotFound:
        raise Http404 from None


def xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class RegisterView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """违规展业登记: the entries of the user's scope, by status and period; the monthly
    register (?month=YYYY-MM) and the quarterly report (?quarter=YYYYQn) as Excel."""

    permission_required = perms.VIEW_MISCONDUCT

    def get(self, request):
        user = request.user
        records = MisconductRecord.objects.for_user(user)
        if request.GET.get("month"):
            return self.month(request, records)
        if request.GET.get("quarter"):
            return self.quarter(request, records)
        status = request.GET.get("status", "")
        period = request.GET.get("period", "")
        shown = records.select_related("person", "branch", "item", "case", "registered_by")
        if status in MisconductStatus.values:
            shown = shown.filter(status=status)
        if period:
            shown = shown.filter(period=period)
        page = Paginator(shown, 50).get_page(request.GET.get("page"))
        today = timezone.localdate()
        context = {
            "nav": "staff-quality",
            "tab": "register",
            "page_obj": page,
            "records": page.object_list,
            "status": status,
            "period": period,
            "statuses": MisconductStatus.choices,
            "month": f"{today:%Y-%m}",
            "quarter": f"{today.year}Q{(today.month - 1) // 3 + 1}",
        }
        return render(request, "quality/staff/register.html", context)

    def bad(self, request, message: str):
        messages.error(request, message)
        return render(
            request,
            "quality/staff/register.html",
            {"nav": "staff-quality", "tab": "register", "records": [], "export_error": message},
            status=400,
        )

    def month(self, request, records):
        month = request.GET["month"]
        try:
            start, end = periods.month_bounds(month)
        except ValueError:
            return self.bad(request, "月份格式为 YYYY-MM。")
        user = request.user
        books = queries.month_register(
            records,
            Complaint.objects.for_user(user),
            WhistleblowerReport.objects.for_user(user),
            start,
            end,
        )
        return xlsx(exports.month_workbook(books, month), f"quality-register-{month}.xlsx")

    def quarter(self, request, records):
        quarter = request.GET["quarter"]
        try:
            start, end = periods.quarter_bounds(quarter)
        except ValueError:
            return self.bad(request, "季度格式为 YYYYQn，如 2026Q4。")
        user = request.user
        report = queries.quarter_report(
            records,
            Complaint.objects.for_user(user),
            Award.objects.for_user(user),
            Consequence.objects.for_user(user),
            start,
            end,
        )
        return xlsx(exports.quarter_workbook(report, quarter), f"quality-report-{quarter}.xlsx")


class RegisterNewView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = perms.REGISTER_MISCONDUCT

    def get(self, request):
        return self.page(forms.MisconductForm(user=request.user))

    def post(self, request):
        form = forms.MisconductForm(request.POST, user=request.user)
        if form.is_valid():
            data = {**form.cleaned_data}
            data["person"], data["item"] = data["person"].pk, data["item"].pk
            try:
                record = services.do_register_misconduct(
                    data, evidence=request.FILES.getlist("evidence"), actor=request.user
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, "违规已登记。")
                return redirect("quality:misconduct-detail", record.pk)
        return self.page(form, status=400)

    def page(self, form, status=200):
        context = {"nav": "staff-quality", "tab": "register", "form": form}
        return render(self.request, "quality/staff/register_new.html", context, status=status)


STEPS = {
    "reply": forms.ReplyForm,
    "appeal": forms.AppealForm,
    "decide": forms.DecisionForm,
    "finalize": None,
    "evidence": None,
}


class RecordView(LoginRequiredMixin, View):
    """One entry with the steps open to the user: the person replies and appeals, a
    committee member decides, the registrar (or a colleague with the right) finalizes."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.record = found(services.record_for, request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.page({})

    def post(self, request, pk):
        step = request.POST.get("step", "")
        if step not in STEPS:
            messages.error(request, "请选择要办理的操作。")
            return self.page({}, status=400)
        form_class = STEPS[step]
        form = form_class(request.POST) if form_class else None
        try:
            if form is not None and not form.is_valid():
                return self.page({step: form}, status=400)
            self.act(step, form.cleaned_data if form else {})
        except ServiceError as exc:
            if form is None:
                details = [m for field in exc.fields.values() for m in field]
                messages.error(request, " ".join([exc.message, *details]))
            else:
                apply_service_error(form, exc)
            return self.page({step: form} if form else {}, status=exc.status)
        messages.success(request, "已办理。")
        return redirect("quality:misconduct-detail", self.record.pk)

    def act(self, step: str, data: dict) -> None:
        user, record = self.request.user, self.record
        if step == "reply":
            services.do_reply_misconduct(record, reply=data["reply"], actor=user)
        elif step == "appeal":
            services.do_appeal_misconduct(record, reason=data["reason"], actor=user)
        elif step == "decide":
            services.do_decide_appeal(
                record,
                decision=data["decision"],
                reason=data["reason"],
                points=data.get("points"),
                actor=user,
            )
        elif step == "finalize":
            services.do_finalize_misconduct(record, actor=user)
        else:
            services.do_add_misconduct_evidence(
                record, self.request.FILES.getlist("evidence"), actor=user
            )

    def page(self, bound: dict, status=200):
        user, record = self.request.user, self.record
        own = record.person_id == user.pk
        is_open = record.status != MisconductStatus.FINAL
        context = {
            "nav": "staff-quality",
            "tab": "register",
            "record": record,
            "evidence": record.evidence.all(),
            "trail": services.trail("misconduct", record),
            "may_reply": own and record.status in services.REPLYABLE,
            "may_appeal": own and record.status in services.APPEALABLE,
            "may_decide": (
                record.status == MisconductStatus.APPEALED
                and user.has_perm(perms.DECIDE_APPEAL)
                and user.pk not in (record.person_id, record.registered_by_id)
            ),
            "may_finalize": (
                record.status in services.FINALIZABLE
                and user.has_perm(perms.REGISTER_MISCONDUCT)
                and not own
            ),
            "may_add_evidence": is_open and user.has_perm(perms.REGISTER_MISCONDUCT),
            "reply_form": bound.get("reply") or forms.ReplyForm(),
            "appeal_form": bound.get("appeal") or forms.AppealForm(),
            "decide_form": bound.get("decide") or forms.DecisionForm(),
        }
        return render(self.request, "quality/staff/record.html", context, status=status)


class EvidenceFileView(LoginRequiredMixin, View):
    def get(self, request, pk, evidence_pk):
        record = found(services.record_for, request.user, pk)
        evidence = record.evidence.filter(pk=evidence_pk).first()
        if evidence is None:
            raise Http404
        return file_response(
            evidence.file, content_type=evidence.content_type, filename=evidence.original_name
        )


class PersonView(LoginRequiredMixin, View):
    """A person's quality page: points per half-year, consequences, conduct evaluations and
    the credit record; the supervisor evaluates and grants awards here."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            pk = kwargs.get("pk", request.user.pk)
            self.person = found(services.person_for, request.user, pk)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk=None):
        return self.page({})

    def post(self, request, pk=None):
        step = request.POST.get("step", "")
        form_class = {"evaluate": forms.EvaluationForm, "award": forms.AwardForm}.get(step)
        if form_class is None:
            messages.error(request, "请选择要办理的操作。")
            return self.page({}, status=400)
        form = form_class(request.POST)
        if not form.is_valid():
            return self.page({step: form}, status=400)
        act = services.do_evaluate_conduct if step == "evaluate" else services.do_grant_award
        try:
            act(self.person, form.cleaned_data, actor=request.user)
        except ServiceError as exc:
            apply_service_error(form, exc)
            return self.page({step: form}, status=exc.status)
        messages.success(request, "已保存。")
        return redirect("quality:person", self.person.pk)

    def page(self, bound: dict, status=200):
        user = self.request.user
        other = self.person.pk != user.pk
        context = {
            "nav": "staff-quality",
            "tab": "mine" if not other else "register",
            "q": queries.person_quality(self.person),
            "may_evaluate": other and user.has_perm(perms.EVALUATE_CONDUCT),
            "may_award": other and user.has_perm(perms.GRANT_AWARD),
            "evaluate_form": bound.get("evaluate") or forms.EvaluationForm(),
            "award_form": bound.get("award") or forms.AwardForm(),
        }
        return render(self.request, "quality/staff/person.html", context, status=status)


class ComplaintListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = perms.VIEW_COMPLAINT

    def get(self, request):
        return self.page(forms.ComplaintForm(user=request.user))

    def post(self, request):
        form = forms.ComplaintForm(request.POST, user=request.user)
        if form.is_valid():
            data = {**form.cleaned_data}
            data["staff"] = data["staff"].pk if data["staff"] else None
            data["client"] = data["client"].pk if data["client"] else None
            try:
                complaint = services.do_receive_complaint(data, actor=request.user)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, "投诉已受理。")
                return redirect("quality:complaint-detail", complaint.pk)
        return self.page(form, status=400)

    def page(self, form, status=200):
        user = self.request.user
        complaints = Complaint.objects.for_user(user).select_related("case", "staff", "client")
        page = Paginator(complaints, 50).get_page(self.request.GET.get("page"))
        context = {
            "nav": "staff-quality",
            "tab": "complaints",
            "page_obj": page,
            "complaints": page.object_list,
            "form": form,
            "may_receive": user.has_perm(perms.RECEIVE_COMPLAINT),
        }
        return render(self.request, "quality/staff/complaints.html", context, status=status)


class ComplaintView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = perms.VIEW_COMPLAINT

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.complaint = found(services.complaint_for, request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.page(forms.ConcludeForm())

    def post(self, request, pk):
        form = forms.ConcludeForm(request.POST)
        if form.is_valid():
            data = {**form.cleaned_data}
            data["item"] = data["item"].pk if data["item"] else None
            try:
                services.do_conclude_complaint(self.complaint, data, actor=request.user)
            except ServiceError as exc:
                apply_service_error(form, exc)
                return self.page(form, status=exc.status)
            messages.success(request, "投诉已办结。")
            return redirect("quality:complaint-detail", self.complaint.pk)
        return self.page(form, status=400)

    def page(self, form, status=200):
        complaint = self.complaint
        context = {
            "nav": "staff-quality",
            "tab": "complaints",
            "complaint": complaint,
            "form": form,
            "may_conclude": complaint.status == ComplaintStatus.RECEIVED
            and self.request.user.has_perm(perms.CONCLUDE_COMPLAINT),
            "trail": services.trail("complaint", complaint),
        }
        return render(self.request, "quality/staff/complaint.html", context, status=status)


class ReportListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = perms.VIEW_REPORT

    def get(self, request):
        return self.page(forms.ReportForm(user=request.user))

    def post(self, request):
        form = forms.ReportForm(request.POST, user=request.user)
        if form.is_valid():
            data = {**form.cleaned_data}
            data["subject"] = data["subject"].pk if data["subject"] else None
            try:
                report = services.do_receive_report(data, actor=request.user)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, "举报已受理。")
                return redirect("quality:whistleblower-report", report.pk)
        return self.page(form, status=400)

    def page(self, form, status=200):
        user = self.request.user
        reports = WhistleblowerReport.objects.for_user(user).select_related("subject")
        page = Paginator(reports, 50).get_page(self.request.GET.get("page"))
        context = {
            "nav": "staff-quality",
            "tab": "reports",
            "page_obj": page,
            "reports": page.object_list,
            "form": form,
            "may_receive": user.has_perm(perms.RECEIVE_REPORT),
        }
        return render(self.request, "quality/staff/reports.html", context, status=status)


class ReportView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = perms.VIEW_REPORT

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.report = found(services.report_for, request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.page(forms.ReportDecisionForm())

    def post(self, request, pk):
        form = forms.ReportDecisionForm(request.POST)
        if form.is_valid():
            try:
                services.do_decide_report(self.report, form.cleaned_data, actor=request.user)
            except ServiceError as exc:
                apply_service_error(form, exc)
                return self.page(form, status=exc.status)
            messages.success(request, "已决定。")
            return redirect("quality:whistleblower-report", self.report.pk)
        return self.page(form, status=400)

    def page(self, form, status=200):
        report = self.report
        context = {
            "nav": "staff-quality",
            "tab": "reports",
            "report": report,
            "form": form,
            "may_decide": report.status == ReportStatus.RECEIVED
            and self.request.user.has_perm(perms.DECIDE_REWARD),
            "trail": services.trail("report", report),
        }
        return render(self.request, "quality/staff/report.html", context, status=status)
