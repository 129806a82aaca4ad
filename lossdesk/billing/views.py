"""The finance position's pages (issue 14 §1, §3-4): the fee contracts (their versions; HQ
finance adds one), statements (list, make, detail with its status actions, Excel, the
reconciliation upload), payments (record, allocate), a reconciliation's detail table, the
receivables ageing, the clients' settlement-sheet formats. Views parse forms and call the
services (statements, reconciliations); what a user sees is scoped like the API."""

import json
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from lossdesk.billing import receivable_forms as f
from lossdesk.billing import reconciliations, services, statements
from lossdesk.billing.api.receivables import MAX_SHEET_BYTES, xlsx_response
from lossdesk.billing.choices import ReconciliationCategory, StatementAction
from lossdesk.billing.exports import reconciliation_workbook, statement_workbook
from lossdesk.billing.forms import FeeContractForm
from lossdesk.billing.models import (
    ClientSheetMapping,
    FeeContract,
    Payment,
    Reconciliation,
    Statement,
)
from lossdesk.billing.permissions import (
    ADD_PAYMENT,
    ADD_RECONCILIATION,
    ADD_STATEMENT,
    CHANGE_SHEET_MAPPING,
    CHANGE_STATEMENT,
    VIEW_CASE_FEE,
    VIEW_FEE_CONTRACT,
    VIEW_PAYMENT,
    VIEW_RECONCILIATION,
    VIEW_SHEET_MAPPING,
    VIEW_STATEMENT,
)
from lossdesk.core.errors import ErrorCode, ServiceError, apply_service_error
from lossdesk.org.models import Client


def needs(*perms: str):
    """login_required plus the position's permissions (403 page without them)."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.has_perms(perms):
                raise DjangoPermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _page(request, template, tab, **context):
    return render(request, f"billing/{template}", {"nav": "receivables", "tab": tab, **context})


# ------------------------------------------------------------------------- fee contracts


@needs(VIEW_FEE_CONTRACT)
@require_http_methods(["GET", "POST"])
def contract_list(request):
    """Every version of every client's contract; who may write (HQ finance) adds the next
    version of a client's line through the form the admin uses (the service's refusals,
    `brackets.1.up_to：…`, land on it)."""
    may_write = services.may_write_fee_contracts(request.user)
    form = type("PageFeeContractForm", (FeeContractForm,), {"actor": request.user})(
        request.POST or None
    )
    if request.method == "POST":
        if not may_write:
            raise DjangoPermissionDenied
        if form.is_valid():
            saved = form.saved
            messages.success(
                request,
                f"{saved.client} {saved.get_line_display()}收费协议第 {saved.version} 版已生效。",
            )
            return HttpResponseRedirect(reverse("billing:contract-list"))
    contracts = FeeContract.objects.select_related("client", "created_by").order_by(
        "client__name", "line", "-version"
    )
    latest: set[tuple[int, str]] = set()
    rows = []
    for contract in contracts:
        key = (contract.client_id, contract.line)
        terms = json.dumps(contract.terms, ensure_ascii=False)
        rows.append((contract, key not in latest, terms))
        latest.add(key)
    response = _page(
        request, "contract_list.html", "contracts", rows=rows, form=form, can_add=may_write
    )
    response.status_code = 400 if form.errors else 200
    return response


# ---------------------------------------------------------------------------- statements


@needs(VIEW_STATEMENT)
@require_http_methods(["GET", "POST"])
def statement_list(request):
    form = f.StatementForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(ADD_STATEMENT):
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                statement = statements.do_create_statement(**form.cleaned_data, actor=request.user)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"对账单 {statement.statement_no} 已生成。")
                return HttpResponseRedirect(
                    reverse("billing:statement-detail", args=[statement.pk])
                )
    found = Statement.objects.for_user(request.user).select_related("client", "client_branch")
    return _page(
        request,
        "statement_list.html",
        "statements",
        form=form,
        statements=found[:200],
        can_add=request.user.has_perm(ADD_STATEMENT),
    )


def _statement(request, pk) -> Statement:
    found = (
        Statement.objects.for_user(request.user)
        .select_related("client", "client_branch", "branch", "created_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("对账单不存在或不在您的数据范围内。")
    return found


@needs(VIEW_STATEMENT)
@require_GET
def statement_detail(request, pk):
    statement = _statement(request, pk)
    return _statement_page(request, statement)


def _statement_page(request, statement, *, action_form=None, sheet_form=None, status=200):
    user = request.user
    lines = statement.lines.select_related("case__report").order_by("billing_date", "pk")
    actions = statements.allowed_actions(statement) if user.has_perm(CHANGE_STATEMENT) else []
    response = _page(
        request,
        "statement_detail.html",
        "statements",
        statement=statement,
        lines=lines,
        actions=[StatementAction(a) for a in actions],
        action_form=action_form or f.StatementActionForm(),
        sheet_form=sheet_form or f.SheetForm(),
        can_reconcile=user.has_perm(ADD_RECONCILIATION) and statement.status != "voided",
        reconciliations=statement.reconciliations.select_related("created_by")
        if user.has_perm(VIEW_RECONCILIATION)
        else [],
        events=statement.events.select_related("actor"),
    )
    response.status_code = status
    return response


@needs(VIEW_STATEMENT, CHANGE_STATEMENT)
@require_POST
def statement_action(request, pk, action):
    statement = _statement(request, pk)
    if action not in StatementAction.values:
        raise Http404
    form = f.StatementActionForm(request.POST)
    if form.is_valid():
        try:
            statements.do_change_statement_status(
                statement, action=action, note=form.cleaned_data["note"], actor=request.user
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"对账单已{StatementAction(action).label}。")
            return HttpResponseRedirect(reverse("billing:statement-detail", args=[pk]))
    return _statement_page(request, statement, action_form=form, status=400)


@needs(VIEW_STATEMENT)
@require_GET
def statement_export(request, pk):
    statement = _statement(request, pk)
    return xlsx_response(statement_workbook(statement), statement.statement_no)


@needs(VIEW_STATEMENT, ADD_RECONCILIATION)
@require_POST
def statement_reconcile(request, pk):
    statement = _statement(request, pk)
    form = f.SheetForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_SHEET_BYTES:
                raise ServiceError(
                    "文件超过 10 MB。",
                    code=ErrorCode.FILE_TOO_LARGE,
                    fields={"file": ["文件超过 10 MB。"]},
                )
            done = reconciliations.do_reconcile_statement(
                statement, name=upload.name, data=upload.read(), actor=request.user
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            return HttpResponseRedirect(reverse("billing:reconciliation-detail", args=[done.pk]))
    return _statement_page(request, statement, sheet_form=form, status=400)


# ------------------------------------------------------------------------ reconciliations


def _reconciliation(request, pk) -> Reconciliation:
    found = (
        Reconciliation.objects.for_user(request.user)
        .select_related("statement__client", "created_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404("对账记录不存在或不在您的数据范围内。")
    return found


@needs(VIEW_RECONCILIATION)
@require_GET
def reconciliation_detail(request, pk):
    found = _reconciliation(request, pk)
    lines = list(found.lines.select_related("case").order_by("pk"))
    counts = {c: sum(1 for line in lines if line.category == c) for c in ReconciliationCategory}
    return _page(
        request,
        "reconciliation_detail.html",
        "statements",
        reconciliation=found,
        lines=lines,
        counts=[(c.label, c.value, n) for c, n in counts.items()],
        difference=found.theirs_total - found.ours_total,
    )


@needs(VIEW_RECONCILIATION)
@require_GET
def reconciliation_export(request, pk):
    found = _reconciliation(request, pk)
    return xlsx_response(reconciliation_workbook(found), f"reconciliation-{found.pk}")


# ------------------------------------------------------------------------------ payments


@needs(VIEW_PAYMENT)
@require_http_methods(["GET", "POST"])
def payment_list(request):
    form = f.PaymentForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm(ADD_PAYMENT):
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                payment = statements.do_record_payment(**form.cleaned_data, actor=request.user)
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, "回款已登记，请核销到案件。")
                return HttpResponseRedirect(reverse("billing:payment-detail", args=[payment.pk]))
    payments = (
        Payment.objects.for_user(request.user)
        .select_related("client")
        .prefetch_related("allocations")[:200]
    )
    for payment in payments:
        payment.allocated = sum((a.amount for a in payment.allocations.all()), Decimal("0.00"))
    return _page(
        request,
        "payment_list.html",
        "payments",
        form=form,
        payments=payments,
        can_add=request.user.has_perm(ADD_PAYMENT),
    )


@needs(VIEW_PAYMENT)
@require_http_methods(["GET", "POST"])
def payment_detail(request, pk):
    payment = (
        Payment.objects.for_user(request.user)
        .select_related("client", "created_by")
        .filter(pk=pk)
        .first()
    )
    if payment is None:
        raise Http404("回款不存在或不在您的数据范围内。")
    errors: list[str] = []
    entered: dict[str, str] = {}
    if request.method == "POST":
        if not request.user.has_perm(ADD_PAYMENT):
            raise DjangoPermissionDenied
        entered = {
            key.removeprefix("amount_"): value.strip()
            for key, value in request.POST.items()
            if key.startswith("amount_") and value.strip()
        }
        rows = [{"case_no": no, "amount": amount} for no, amount in entered.items()]
        try:
            statements.do_allocate_payment(payment, allocations=rows, actor=request.user)
        except ServiceError as exc:
            errors = [exc.message]
            for field, field_errors in exc.fields.items():
                index = field.split(".")[1] if field.count(".") == 2 else None
                case_no = rows[int(index)]["case_no"] if index and index.isdigit() else ""
                errors += [f"{case_no}：{e}" if case_no else e for e in field_errors]
        else:
            messages.success(request, "已核销。")
            return HttpResponseRedirect(reverse("billing:payment-detail", args=[pk]))
    allocations = payment.allocations.select_related("case", "created_by")
    allocated = sum((a.amount for a in allocations), Decimal("0.00"))
    open_fees = list(
        statements.billed_fees(request.user)
        .filter(case__client=payment.client, outstanding__gt=0)
        .select_related("case__report")
        .order_by("billed_at")[:300]
    )
    for fee in open_fees:  # what was typed stays in its box when the allocation is refused
        fee.entered = entered.get(fee.case.case_no, "")
    response = _page(
        request,
        "payment_detail.html",
        "payments",
        payment=payment,
        allocations=allocations,
        allocated=allocated,
        remaining=payment.amount - allocated,
        open_fees=open_fees,
        errors=errors,
        can_allocate=request.user.has_perm(ADD_PAYMENT),
    )
    if errors:
        response.status_code = 400
    return response


# -------------------------------------------------------------------------------- ageing


@needs(VIEW_CASE_FEE)
@require_GET
def ageing(request):
    rows = statements.receivables_ageing(request.user)
    columns = statements.ageing_columns()
    totals = {key: sum((r.buckets[key] for r in rows), Decimal("0.00")) for key, _ in columns}
    return _page(
        request,
        "ageing.html",
        "ageing",
        rows=[(r, [r.buckets[key] for key, _ in columns]) for r in rows],
        columns=columns,
        totals=[totals[key] for key, _ in columns],
        total=sum((r.total for r in rows), Decimal("0.00")),
    )


# ---------------------------------------------------------------- settlement-sheet formats


@needs(VIEW_SHEET_MAPPING)
@require_GET
def sheet_mapping_list(request):
    """Each active client with the headers its settlement sheet is read by."""
    clients = Client.objects.filter(active=True).order_by("name")
    mappings = {
        m.client_id: m
        for m in ClientSheetMapping.objects.filter(client__in=clients).select_related("updated_by")
    }
    return _page(
        request,
        "sheet_mapping_list.html",
        "sheet_mappings",
        rows=[(client, mappings.get(client.pk)) for client in clients],
        defaults=reconciliations.DEFAULT_HEADERS,
        can_change=request.user.has_perm(CHANGE_SHEET_MAPPING),
    )


@needs(VIEW_SHEET_MAPPING)
@require_http_methods(["GET", "POST"])
def sheet_mapping_edit(request, client_id):
    client = Client.objects.filter(pk=client_id, active=True).first()
    if client is None:
        raise Http404("委托方不存在。")
    mapping = ClientSheetMapping.objects.filter(client=client).first()
    initial = {}
    if mapping is not None:
        initial = {key: "，".join(mapping.columns.get(key, [])) for key in reconciliations.TITLES}
        initial["sheet_name"] = mapping.sheet_name
    form = f.SheetMappingForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not request.user.has_perm(CHANGE_SHEET_MAPPING):
            raise DjangoPermissionDenied
        if form.is_valid():
            try:
                reconciliations.do_set_sheet_mapping(
                    client,
                    columns=form.columns(),
                    sheet_name=form.cleaned_data["sheet_name"],
                    actor=request.user,
                )
            except ServiceError as exc:
                # The service names "columns.amount"; the form's field is "amount".
                fields = {k.removeprefix("columns."): v for k, v in exc.fields.items()}
                apply_service_error(form, ServiceError(exc.message, code=exc.code, fields=fields))
            else:
                messages.success(request, f"{client.name} 的结算清单格式已保存。")
                return HttpResponseRedirect(reverse("billing:sheet-mapping-list"))
    response = _page(
        request,
        "sheet_mapping_edit.html",
        "sheet_mappings",
        client=client,
        mapping=mapping,
        form=form,
        defaults=reconciliations.DEFAULT_HEADERS,
        can_change=request.user.has_perm(CHANGE_SHEET_MAPPING),
    )
    response.status_code = 400 if form.errors else 200
    return response
