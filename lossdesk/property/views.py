"""The property page (三者物损) of one loss item: its survey, its sheet editor (物损定损单) and
the negotiation with the owner (协商).

The survey, negotiation and offer forms post to the declared action pages
(property.actions); the sheet posts to `sheet_save`, which hands the non-blank rows to
`services.do_save_property_sheet` and maps its `lines.<i>.<field>` errors back onto the row
the user typed them in. Nothing is validated here that the service also checks, so the page
and the API report the same errors."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from lossdesk.claims.choices import LossItemKind
from lossdesk.claims.models import Attachment, Case, LossItem
from lossdesk.claims.sheet_editing import (
    apply_field_errors,
    conflict_answer,
    mark_invalid,
    readonly_reason,
)
from lossdesk.claims.views import line_item
from lossdesk.claims.workflow import LOSS_ITEM_STATES, Action, ItemAction, available_actions
from lossdesk.core.errors import Conflict, PermissionDenied, ServiceError
from lossdesk.core.masking import phone_for
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.org.positions import CASE_ASSESS
from lossdesk.property import services
from lossdesk.property.actions import SaveNegotiation
from lossdesk.property.forms import NegotiationForm, OfferForm, PropertySurveyForm
from lossdesk.property.models import PropertySheet, UsefulLife
from lossdesk.property.sheet_forms import (
    ADD_ROWS,
    LINE_FIELDS,
    USEFUL_LIFE_LIST,
    PropertyLineFormSet,
    PropertySheetHeaderForm,
    line_initial,
)

PREFIX = "lines"
DOCUMENT = "物损定损单"
ZERO = Decimal("0.00")


def _url(name: str, case: Case, item: LossItem) -> str:
    return reverse(name, kwargs={"case_no": case.case_no, "seq": item.seq})


def annotate_rows(formset, case: Case, floor: Decimal) -> tuple[Decimal, Decimal]:
    """Set `form.rate` and `form.amount` on every row the rule can price as shown (bound or
    initial) and return the Σ amounts and Σ salvage of those rows: the page shows what a
    save would compute before it is saved, e.g. after "add rows" or an error."""
    accident = timezone.localdate(case.report.accident_time)
    amounts = salvage = ZERO
    for form in formset.forms:
        form.rate = form.amount = ""
        if form["DELETE"].value() in (True, "on", "true", "1"):
            continue
        raw = {name: str(form[name].value() or "").strip() for name in LINE_FIELDS}
        if not any(raw.values()):
            continue
        cleaned, _ = services.clean_lines([raw], floor=floor, accident=accident)
        if cleaned:
            line = cleaned[0]
            form.rate = line.rate_label
            form.amount = money(line.amount)
            amounts += line.amount
            salvage += line.salvage_value
    return amounts, salvage


def _render(request, case, item, *, reason, header=None, formset=None, errors=(), status=200):
    user = request.user
    actions = available_actions(user, case)
    item_open = LOSS_ITEM_STATES.allowed_from(ItemAction.ASSESS, item.status)
    sheet = getattr(item, "property_sheet", None)
    survey = getattr(item, "property_survey", None)
    negotiation = getattr(item, "negotiation", None)
    floor, rule_text = services.rule_in_force(case)

    lines = []
    if formset is not None:
        amounts, salvage = annotate_rows(formset, case, floor)
        for form in formset.forms:
            mark_invalid(form)
        mark_invalid(header)
    elif sheet is not None:
        lines = list(sheet.lines.all())
        amounts, salvage = sheet.amounts_total, sheet.salvage_total
    else:
        amounts = salvage = ZERO

    survey_form = None
    if Action.SAVE_SURVEY in actions and item_open:
        initial = {}
        if survey is not None:
            initial = {name: getattr(survey, name) for name in PropertySurveyForm.FIELDS}
            initial["owner_phone"] = _owner_phone(user, case, survey)
        survey_form = PropertySurveyForm(case=case, initial=initial, auto_id="survey_%s")
    negotiation_form = offer_form = None
    if reason is None:
        # Four forms on one page: each its own element ids (the field names are the action's).
        negotiation_form = NegotiationForm(
            case=case, auto_id="negotiation_%s", **SaveNegotiation.form_kwargs(item)
        )
        offer_form = OfferForm(case=case, auto_id="offer_%s")

    ctx = {
        "nav": "cases",
        "case": case,
        "item": item,
        "case_url": reverse("claims:case-detail", args=[case.case_no]),
        "errors": list(errors),
        "readonly_reason": reason,
        # survey
        "survey": survey,
        "owner_phone": _owner_phone(user, case, survey) if survey and not survey_form else "",
        "survey_form": survey_form,
        "survey_url": _url("property:survey", case, item),
        # sheet
        "sheet": sheet,
        # What a save would use while editing; what the saved sheet used otherwise.
        "rule": sheet.depreciation_rule if sheet is not None and formset is None else rule_text,
        "header": header,
        "formset": formset,
        "lines": lines,
        "sheet_url": _url("property:sheet", case, item),
        "useful_lives": UsefulLife.objects.filter(active=True),
        "useful_life_list": USEFUL_LIFE_LIST,
        "amounts": amounts,
        "salvage": salvage,
        "total": amounts - salvage,
        # negotiation
        "negotiation": negotiation,
        "offers": list(negotiation.offers.all()) if negotiation else [],
        "recommended": services.recommended_settlement(item),
        "negotiation_form": negotiation_form,
        "negotiation_url": _url("property:negotiation", case, item),
        "offer_form": offer_form,
        "offer_url": _url("property:offer", case, item),
        "documents": Attachment.objects.filter(case=case, loss_item=item).order_by("id"),
        "upload_url": reverse("claims:case-upload", args=[case.case_no])
        if Action.ADD_ATTACHMENT in actions
        else "",
    }
    return render(request, "property/item.html", ctx, status=status)


def _owner_phone(user, case: Case, survey) -> str:
    """The owner's phone as `user` may see it (masked without the PII permission)."""
    return phone_for(
        user,
        survey.owner_phone,
        field="owner_phone",
        case_no=case.case_no,
        person=survey.owner_name,
    )


def _editor(item: LossItem):
    """The header form and line formset of the saved sheet (or blank rows)."""
    sheet = getattr(item, "property_sheet", None)
    lines = list(sheet.lines.all()) if sheet is not None else []
    header = PropertySheetHeaderForm(
        initial={
            "sheet_version": sheet.version if sheet else 0,
            "remarks": sheet.remarks if sheet else "",
        }
    )
    formset = PropertyLineFormSet(prefix=PREFIX, initial=[line_initial(line) for line in lines])
    return header, formset


@login_required
@require_GET
def item_page(request, case_no: str, seq: int):
    case, item = line_item(request, case_no, seq, LossItemKind.PROPERTY)
    reason = readonly_reason(request.user, case, item, DOCUMENT)
    if reason:
        return _render(request, case, item, reason=reason)
    header, formset = _editor(item)
    return _render(request, case, item, reason=None, header=header, formset=formset)


@login_required
@require_POST
def sheet_save(request, case_no: str, seq: int):
    case, item = line_item(request, case_no, seq, LossItemKind.PROPERTY)
    reason = readonly_reason(request.user, case, item, DOCUMENT)
    if reason:
        status = 403 if not request.user.has_perm(CASE_ASSESS) else 409
        errors = [f"未保存：{reason}"]
        return _render(request, case, item, reason=reason, errors=errors, status=status)

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
            data[key] = str(min(total + ADD_ROWS, PropertyLineFormSet.max_num))
        header = PropertySheetHeaderForm(data)
        formset = PropertyLineFormSet(data, prefix=PREFIX)
        return _render(request, case, item, reason=None, header=header, formset=formset)

    header = PropertySheetHeaderForm(data)
    formset = PropertyLineFormSet(data, prefix=PREFIX)
    header_ok, lines_ok = header.is_valid(), formset.is_valid()
    if not (header_ok and lines_ok):
        errors = [services.SHEET_INVALID, *formset.non_form_errors()]
        return _render(
            request,
            case,
            item,
            reason=None,
            header=header,
            formset=formset,
            errors=errors,
            status=400,
        )

    rows = [form for form in formset.forms if not form.is_blank()]
    try:
        services.do_save_property_sheet(
            item,
            lines=[form.as_line() for form in rows],
            remarks=header.cleaned_data["remarks"],
            actor=request.user,
            expected_version=header.cleaned_data["version"],
            expected_sheet_version=header.cleaned_data["sheet_version"],
        )
    except Conflict as exc:
        saved = PropertySheet.objects.select_related("assessor").filter(loss_item=item).first()
        if saved is not None:
            item.property_sheet = saved
        errors, data = conflict_answer(exc, data, saved, document_label=DOCUMENT)
        header = PropertySheetHeaderForm(data)
        header.is_valid()
        return _render(
            request,
            case,
            item,
            reason=None,
            header=header,
            formset=formset,
            errors=errors,
            status=exc.status,
        )
    except ServiceError as exc:
        errors = [exc.message]
        apply_field_errors(exc.fields, header, rows, errors, line_fields=LINE_FIELDS)
        status = exc.status if isinstance(exc, PermissionDenied) else 400
        return _render(
            request,
            case,
            item,
            reason=None,
            header=header,
            formset=formset,
            errors=errors,
            status=status,
        )

    messages.success(request, f"物损定损单已保存（{item.label}）。")
    return HttpResponseRedirect(_url("property:item", case, item))
