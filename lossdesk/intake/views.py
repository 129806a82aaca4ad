"""Report registration and the dispatch actions (dispatch, accept, arrival) of a case."""

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.views import View

from lossdesk.claims.forms import VersionedForm
from lossdesk.claims.views import CaseActionView, case_url
from lossdesk.claims.workflow import Action
from lossdesk.core.errors import ServiceError
from lossdesk.intake import services
from lossdesk.intake.choices import ACTIVE_DISPATCH_STATUSES
from lossdesk.intake.forms import ReportForm
from lossdesk.org.models import ClientBranch
from lossdesk.org.positions import REPORT_REGISTER


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
                case = services.do_register_report(form.cleaned_data, actor=request.user)
            except ServiceError as exc:
                for name, errors in exc.fields.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
                if not exc.fields:
                    form.add_error(None, exc.message)
            except IntegrityError:  # a duplicate registered between our check and the insert
                form.add_error("client_claim_no", "该委托方的赔案号已登记过报案，请勿重复登记。")
            else:
                messages.success(
                    request, f"报案 {case.report.report_no} 已登记，案件号 {case.case_no}。"
                )
                return redirect(case_url(case))
        return self.render_form(form, status=400)

    def render_form(self, form, status=200):
        context = {"form": form, "nav": "report-new"}
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


class SurveyorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        position = obj.position.name if obj.position_id else ""
        return f"{obj.full_name or obj.username}（{position}）" if position else str(obj)


class DispatchForm(VersionedForm):
    surveyor = SurveyorChoiceField(label="查勘员", queryset=None, empty_label="请选择查勘员")
    note = forms.CharField(label="调度说明", max_length=200, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["surveyor"].queryset = services.dispatchable_surveyors(case)
        if case is not None and case.surveyor_id:
            self.fields["surveyor"].initial = case.surveyor_id


class DispatchView(CaseActionView):
    primary = True
    actions = (Action.DISPATCH,)
    form_class = DispatchForm
    url_name = "intake:case-dispatch"
    title = "调度查勘员"
    submit_label = "调度"

    def perform(self, case, form):
        dispatch = services.do_dispatch_case(
            case,
            surveyor=form.cleaned_data["surveyor"],
            note=form.cleaned_data["note"],
            actor=self.request.user,
            expected_version=self.expected_version(form),
        )
        return f"已调度查勘员 {dispatch.surveyor}。"


def _active_dispatch(case):
    """The active dispatch from the prefetched list when there is one (no extra query)."""
    cache = getattr(case, "_prefetched_objects_cache", {}).get("dispatches")
    dispatches = cache if cache is not None else case.dispatches.all()
    return next((d for d in dispatches if d.status in ACTIVE_DISPATCH_STATUSES), None)


class AcceptView(CaseActionView):
    actions = (Action.ACCEPT,)
    url_name = "intake:case-accept"
    title = "接受调度"
    submit_label = "接单"
    button_class = "btn-success"

    @classmethod
    def visible(cls, user, case, actions) -> bool:
        return super().visible(user, case, actions) and case.surveyor_id == user.pk

    def perform(self, case, form):
        services.do_accept_dispatch(
            case, actor=self.request.user, expected_version=self.expected_version(form)
        )
        return "已接单，请尽快前往现场。"


class ArrivalView(CaseActionView):
    actions = (Action.RECORD_ARRIVAL,)
    url_name = "intake:case-arrival"
    title = "到达现场"
    submit_label = "到达现场"

    @classmethod
    def visible(cls, user, case, actions) -> bool:
        if not (super().visible(user, case, actions) and case.surveyor_id == user.pk):
            return False
        dispatch = _active_dispatch(case)
        return dispatch is not None and dispatch.arrived_at is None

    def perform(self, case, form):
        services.do_record_arrival(
            case, actor=self.request.user, expected_version=self.expected_version(form)
        )
        return "已记录到达现场时间。"
