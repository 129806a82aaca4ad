"""The commission pages (issue 14 §5) for finance and the branch manager: the rules per role
(HQ finance adds a version), the months run in the user's scope (finance runs one), a month's
sheets with the approval (佣金审批), one person's sheet with every case line, the Excel. Views
parse forms and call billing.commissions; runs are seen through CommissionRun.for_user."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lossdesk.billing import commissions
from lossdesk.billing.api.commissions import export_response
from lossdesk.billing.choices import CommissionRunStatus
from lossdesk.billing.commission_forms import CommissionRuleForm, CommissionRunForm
from lossdesk.billing.models import CommissionRule, CommissionRun
from lossdesk.billing.permissions import (
    ADD_COMMISSION_RUN,
    APPROVE_COMMISSION_RUN,
    VIEW_COMMISSION_RULE,
    VIEW_COMMISSION_RUN,
)
from lossdesk.core.errors import NotFound, ServiceError, apply_service_error


def needs(permission: str):
    """login_required plus the position's right (the 403 page without it)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perm(permission):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _run(request, pk) -> CommissionRun:
    try:
        return commissions.run_for(request.user, pk)
    except NotFound:
        raise Http404 from None


@needs(VIEW_COMMISSION_RULE)
@require_http_methods(["GET", "POST"])
def rule_list(request):
    may_write = commissions.may_write_commission_rules(request.user)
    form = CommissionRuleForm(request.POST or None)
    if request.method == "POST":
        if not may_write:
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                rule = commissions.do_create_commission_rule(
                    role=form.cleaned_data["role"],
                    effective_from=form.cleaned_data["effective_from"],
                    effective_to=form.cleaned_data["effective_to"],
                    terms=form.terms(),
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ServiceError as exc:
                # The rules name the terms' keys as terms.<key>: the form's own fields; a score
                # band's (terms.score_multipliers.<i>.<key>) is the bands' field, band named.
                exc.fields = {
                    field: messages_
                    for k, v in exc.fields.items()
                    for field, messages_ in [_form_field(k.removeprefix("terms."), v)]
                }
                apply_service_error(form, exc)
            else:
                messages.success(request, f"已录入{rule}。")
                return HttpResponseRedirect(reverse("billing:commission-rule-list"))
    rules = CommissionRule.objects.for_user(request.user).with_latest().select_related("created_by")
    return render(
        request,
        "billing/commissions/rule_list.html",
        {
            "nav": "commissions",
            "rules": rules,
            "form": form,
            "may_write": may_write,
            "locked": commissions.locked_until(),
        },
    )


@needs(VIEW_COMMISSION_RUN)
@require_http_methods(["GET", "POST"])
def run_list(request):
    may_run = request.user.has_perm(ADD_COMMISSION_RUN)
    form = CommissionRunForm(request.POST or None, user=request.user)
    if request.method == "POST":
        if not may_run:
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                run = commissions.do_run_commissions(
                    branch=form.cleaned_data["branch"],
                    month=commissions.parse_month(form.cleaned_data["month"]),
                    actor=request.user,
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"已计算 {commissions.summary(run)}，待机构负责人审批。")
                return HttpResponseRedirect(reverse("billing:commission-run-detail", args=[run.pk]))
    runs = CommissionRun.objects.for_user(request.user).select_related(
        "branch", "run_by", "approved_by"
    )
    return render(
        request,
        "billing/commissions/run_list.html",
        {"nav": "commissions", "runs": runs[:200], "form": form, "may_run": may_run},
    )


@needs(VIEW_COMMISSION_RUN)
@require_GET
def run_detail(request, pk):
    run = _run(request, pk)
    may_approve = (
        run.status == CommissionRunStatus.DRAFT
        and request.user.has_perm(APPROVE_COMMISSION_RUN)
        and run.run_by_id != request.user.pk
    )
    sheets = run.sheets.select_related("staff")
    return render(
        request,
        "billing/commissions/run_detail.html",
        {"nav": "commissions", "run": run, "sheets": sheets, "may_approve": may_approve},
    )


@needs(VIEW_COMMISSION_RUN)
@require_GET
def sheet_detail(request, pk, staff_id):
    run = _run(request, pk)
    sheet = commissions.sheets_of(run).filter(staff_id=staff_id).first()
    if sheet is None:
        raise Http404
    return render(
        request,
        "billing/commissions/sheet.html",
        {"nav": "commissions", "run": run, "sheet": sheet},
    )


@needs(VIEW_COMMISSION_RUN)
@require_POST
def run_approve(request, pk):
    run = _run(request, pk)
    try:
        commissions.do_approve_commission_run(run, actor=request.user)
    except NotFound:
        raise Http404 from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已审批 {commissions.summary(run)}；该月已锁定。")
    return HttpResponseRedirect(reverse("billing:commission-run-detail", args=[run.pk]))


@needs(VIEW_COMMISSION_RUN)
@require_GET
def run_export(request, pk):
    return export_response(_run(request, pk))


def _form_field(key: str, messages_: list[str]) -> tuple[str, list[str]]:
    name, _, rest = key.partition(".")
    if name == "score_multipliers" and rest:
        band = rest.split(".")[0]
        if band.isdigit():
            return name, [f"第 {int(band) + 1} 段：{m}" for m in messages_]
    return name, messages_
