"""The risk-alert pages: the board (open alerts first, the hit rate of each rule) and the
page that works one alert to a decision. Both within the user's case scope."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from lossdesk.core.errors import ServiceError, apply_service_error
from lossdesk.quality import queries
from lossdesk.quality.alert_rules import RULES
from lossdesk.quality.choices import AlertStatus
from lossdesk.quality.forms import ResolveAlertForm
from lossdesk.quality.permissions import RESOLVE_ALERT, VIEW_ALERT
from lossdesk.quality.services import do_resolve_alert


class AlertBoardView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """风险预警: the alerts of the user's cases, filtered by status and rule."""

    permission_required = VIEW_ALERT

    def get(self, request):
        status = request.GET.get("status", AlertStatus.OPEN)
        rule = request.GET.get("rule", "")
        scoped = queries.alerts_for(request.user)
        alerts = scoped.select_related("case", "resolved_by")
        if status in AlertStatus.values:
            alerts = alerts.filter(status=status)
        else:
            status = ""
        if rule in RULES:
            alerts = alerts.filter(rule=rule)
        else:
            rule = ""
        page = Paginator(alerts.order_by("-created_at", "-pk"), 50).get_page(
            request.GET.get("page")
        )
        context = {
            "nav": "alerts",
            "page_obj": page,
            "alerts": page.object_list,
            "status": status,
            "rule": rule,
            "statuses": AlertStatus.choices,
            "rules": [(code, r.title) for code, r in RULES.items()],
            "hit_rates": queries.hit_rates(scoped),
            "may_resolve": request.user.has_perm(RESOLVE_ALERT),
        }
        return render(request, "quality/alert_board.html", context)


class AlertResolveView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """One alert with its inputs, and the form that confirms or dismisses it."""

    permission_required = RESOLVE_ALERT

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.alert = get_object_or_404(
                queries.alerts_for(request.user).select_related("case", "resolved_by"),
                pk=kwargs["pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        return self.render_page(ResolveAlertForm())

    def post(self, request, pk):
        form = ResolveAlertForm(request.POST)
        if form.is_valid():
            try:
                do_resolve_alert(
                    self.alert,
                    decision=form.cleaned_data["decision"],
                    reason=form.cleaned_data["reason"],
                    actor=request.user,
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, "预警已处理。")
                return redirect(self.next_url())
        return self.render_page(form, status=400)

    def next_url(self) -> str:
        target = self.request.POST.get("next") or self.request.GET.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return target
        return "quality:alert-board"

    def render_page(self, form, status=200):
        context = {
            "nav": "alerts",
            "alert": self.alert,
            "case": self.alert.case,
            "form": form,
            "next": self.request.POST.get("next") or self.request.GET.get("next", ""),
        }
        return render(self.request, "quality/alert_resolve.html", context, status=status)
