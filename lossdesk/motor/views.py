"""The vehicle assessment-sheet editor (定损单) of one loss item.

The view parses the header form and the line formset, hands the non-blank rows to
`motor.services.do_save_assessment_sheet` and maps the service's `lines.<i>.<field>` errors
back onto the row the user typed them in. Nothing is validated here that the service also
checks, so the page and the API report the same errors."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.sheet_editing import (
    apply_field_errors,
    conflict_answer,
    mark_invalid,
    readonly_reason,
)
from lossdesk.core.errors import Conflict, PermissionDenied, ServiceError
from lossdesk.motor import rules
from lossdesk.motor.choices import LineKind
from lossdesk.motor.forms import (
    ADD_ROWS,
    LINE_FIELDS,
    LineFormSet,
    SheetHeaderForm,
    line_initial,
)
from lossdesk.motor.models import AssessmentSheet
from lossdesk.motor.services import SHEET_INVALID, check_lines, do_save_assessment_sheet
from lossdesk.org.positions import CASE_ASSESS
from lossdesk.rules.money import PRICE, QUANTITY, Amount, AmountError, parse_amount

PREFIX = "lines"
TOTAL_LABELS = [(kind.value, kind.label) for kind in LineKind]


def case_url(case: Case) -> str:
    # The case page belongs to the claims app; a plain path keeps this app independent of
    # its URL names.
    return f"/cases/{case.case_no}/"


def _decimal(text, kind: Amount = PRICE) -> Decimal | None:
    """A number the service would accept (the one money parser), else None."""
    try:
        return parse_amount(text or "", kind)
    except AmountError:
        return None


def annotate_amounts(formset) -> rules.SheetTotals:
    """Set `form.amount` on every row from what it shows (bound or initial) and return the
    totals of the rows that are complete enough to price. The page shows these before JS
    recomputes them live, and after a re-render with errors."""
    priced = []
    for form in formset.forms:
        form.amount = None
        values = {name: form[name].value() for name in (*LINE_FIELDS, "DELETE")}
        if values["DELETE"] in (True, "on", "true", "1"):
            continue
        quantity = _decimal(values["quantity"] or "1", QUANTITY)
        price = _decimal(values["unit_price"])
        salvage = _decimal(values["salvage_value"] or "0")
        if quantity is None or price is None or not str(values["unit_price"] or "").strip():
            continue
        form.amount = rules.line_amount(rules.Line(values["kind"] or "", quantity, price))
        if values["kind"] in LineKind.values and salvage is not None:
            line = rules.Line(values["kind"], quantity, price, salvage)
            # A salvage the rule refuses is shown on its cell, not deducted from the total.
            if rules.salvage_error(line):
                line = rules.Line(values["kind"], quantity, price)
            priced.append(line)
    return rules.sheet_totals(priced)


def _totals_rows(totals: rules.SheetTotals) -> list[tuple[str, str, Decimal]]:
    zero = Decimal("0.00")
    return [(kind, label, totals.by_kind.get(kind, zero)) for kind, label in TOTAL_LABELS]


def _sheet_totals(sheet: AssessmentSheet | None) -> rules.SheetTotals:
    if sheet is None:
        return rules.sheet_totals([])
    by_kind = {
        "replace": sheet.parts_total,
        "repair": sheet.repair_total,
        "paint": sheet.paint_total,
        "labour": sheet.labour_total,
        "materials": sheet.materials_total,
        "sublet": sheet.sublet_total,
    }
    return rules.SheetTotals(
        by_kind=by_kind,
        gross=sum(by_kind.values(), Decimal("0.00")),
        salvage=sheet.salvage_total,
        total=sheet.total,
    )


def _render(request, ctx: dict, status: int = 200):
    if ctx.get("formset") is not None:
        totals = annotate_amounts(ctx["formset"])
        for form in ctx["formset"].forms:
            mark_invalid(form)
        mark_invalid(ctx["header"])
    else:
        totals = _sheet_totals(ctx["sheet"])
    ctx["totals"] = totals
    ctx["kind_totals"] = _totals_rows(totals)
    return render(request, "motor/sheet_edit.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def sheet_edit(request, case_no: str, seq: int):
    case = get_object_or_404(
        Case.objects.for_user(request.user).select_related("client", "branch"), case_no=case_no
    )
    item = get_object_or_404(
        LossItem.objects.select_related("sheet__assessor", "sheet__repair_shop"),
        case=case,
        seq=seq,
    )
    if not item.is_vehicle:
        raise Http404("该损失标的不是车辆。")
    sheet: AssessmentSheet | None = getattr(item, "sheet", None)
    lines = list(sheet.lines.all()) if sheet else []
    reason = readonly_reason(request.user, case, item, "定损单")
    ctx = {
        "case": case,
        "item": item,
        "sheet": sheet,
        "lines": lines,
        "readonly_reason": reason,
        "errors": [],
        "case_url": case_url(case),
        "formset": None,
        "header": None,
        "nav": "cases",
    }

    if request.method == "POST" and reason:
        ctx["errors"] = [f"未保存：{reason}"]
        status = 403 if not request.user.has_perm(CASE_ASSESS) else 409
        return _render(request, ctx, status=status)
    if reason:
        return _render(request, ctx)

    if request.method == "GET":
        ctx["header"] = SheetHeaderForm(
            case=case,
            sheet=sheet,
            initial={
                "sheet_version": sheet.version if sheet else 0,
                "repair_shop": sheet.repair_shop_id if sheet else None,
                "vehicle_model": sheet.vehicle_model if sheet else "",
                "remarks": sheet.remarks if sheet else "",
            },
        )
        ctx["formset"] = LineFormSet(prefix=PREFIX, initial=[line_initial(line) for line in lines])
        return _render(request, ctx)

    data = request.POST
    if "add_rows" in data:
        # Without JS the "add rows" button posts the form: show it again with more blank
        # rows, everything typed so far kept and nothing saved.
        data = data.copy()
        key = f"{PREFIX}-TOTAL_FORMS"
        try:
            total = int(data.get(key, ""))
        except ValueError:
            total = None
        if total is not None and total >= 0:
            data[key] = str(min(total + ADD_ROWS, LineFormSet.max_num))
        ctx["header"] = SheetHeaderForm(data, case=case, sheet=sheet)
        ctx["formset"] = LineFormSet(data, prefix=PREFIX)
        return _render(request, ctx)

    header = SheetHeaderForm(data, case=case, sheet=sheet)
    formset = LineFormSet(data, prefix=PREFIX)
    ctx["header"], ctx["formset"] = header, formset
    header_ok, lines_ok = header.is_valid(), formset.is_valid()
    if not (header_ok and lines_ok):
        ctx["errors"] = [SHEET_INVALID, *formset.non_form_errors()]
        if lines_ok:
            # The lines' own errors beside the header's: every error in one answer.
            rows = [form for form in formset.forms if not form.is_blank()]
            _, errors = check_lines(item, [form.as_line() for form in rows])
            apply_field_errors(errors, header, rows, ctx["errors"], line_fields=LINE_FIELDS)
        return _render(request, ctx, status=400)

    rows = [form for form in formset.forms if not form.is_blank()]
    try:
        do_save_assessment_sheet(
            item,
            lines=[form.as_line() for form in rows],
            repair_shop=header.cleaned_data["repair_shop"],
            vehicle_model=header.cleaned_data["vehicle_model"],
            remarks=header.cleaned_data["remarks"],
            actor=request.user,
            expected_version=header.cleaned_data["version"],
            expected_sheet_version=header.cleaned_data["sheet_version"],
        )
    except Conflict as exc:
        saved = AssessmentSheet.objects.select_related("assessor").filter(loss_item=item).first()
        ctx["sheet"] = saved
        ctx["errors"], data = conflict_answer(exc, data, saved, document_label="定损单")
        ctx["header"] = SheetHeaderForm(data, case=case, sheet=sheet)
        ctx["header"].is_valid()
        return _render(request, ctx, status=exc.status)
    except ServiceError as exc:
        ctx["errors"] = [exc.message]
        apply_field_errors(exc.fields, header, rows, ctx["errors"], line_fields=LINE_FIELDS)
        status = exc.status if isinstance(exc, PermissionDenied) else 400
        return _render(request, ctx, status=status)

    messages.success(request, f"定损单已保存（{item.label}）。")
    return HttpResponseRedirect(case_url(case))
