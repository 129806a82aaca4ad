"""The injury page (人伤) of one loss item: the injured person, the injury and the
compensation inputs, the medical bill audit (费用审核) and the saved compensation.

The page posts to `save`, which hands the person, the non-blank bills and lines and the
calculator's inputs to `do_save_injury_assessment` and puts its `person.<f>`,
`bills.<i>.<f>`, `bills.<i>.lines.<j>.<f>` and calculator errors back on the input the user
typed them in. Only the calculator's numbers are parsed here (as on the calculator page);
everything else is checked by the service, so the page and the API report the same errors."""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from lossdesk.calc.forms import InjuryForm
from lossdesk.calc.views import field_for
from lossdesk.claims.choices import LossItemKind
from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.sheet_editing import apply_field_errors, conflict_answer, readonly_reason
from lossdesk.claims.views import line_item
from lossdesk.core.errors import Conflict, PermissionDenied, ServiceError
from lossdesk.core.masking import mask_id_number, medical_for, reveal
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.injury.choices import FlagStatus
from lossdesk.injury.forms import (
    ADD_LINES,
    LINE_FIELDS,
    AssessmentHeaderForm,
    BillFormSet,
    BillLineFormSet,
    CompensationForm,
    DependantRowFormSet,
    PersonForm,
    bill_initial,
    compensation_initial,
    line_initial,
    lines_prefix,
)
from lossdesk.injury.models import InjuryAssessment
from lossdesk.injury.services.assessment import (
    ASSESSMENT_INVALID,
    BILLS_HIDDEN,
    bills_hidden_from,
    do_save_injury_assessment,
    duplicate_invoices,
)
from lossdesk.org.positions import CASE_ASSESS
from lossdesk.rules.money import MONEY, AmountError, parse_amount

DOCUMENT = "人伤定损"
BILLS, DEPENDANTS = "bills", "dependants"
ZERO = Decimal("0.00")


def _url(name: str, case: Case, item: LossItem) -> str:
    return reverse(name, kwargs={"case_no": case.case_no, "seq": item.seq})


def _assessment(item: LossItem) -> InjuryAssessment | None:
    return getattr(item, "injury_assessment", None)


def _person(item: LossItem):
    return getattr(item, "injured_person", None)


def _saved_bills(assessment) -> list:
    if assessment is None:
        return []
    return list(assessment.bills.prefetch_related("lines"))


# --- the editor --------------------------------------------------------------------------


class Editor:
    """Every form of the page, bound to what was posted or filled from the saved assessment."""

    def __init__(self, header, person, compensation, dependants, bills, lines):
        self.header = header
        self.person = person
        self.compensation = compensation
        self.dependants = dependants
        self.bills = bills
        # One line formset per bill form, in the same order.
        self.lines = lines

    @classmethod
    def saved(cls, request, case: Case, item: LossItem) -> "Editor":
        assessment = _assessment(item)
        person = _person(item)
        person_initial = {"urban": True}
        if person is not None:
            person_initial = {name: getattr(person, name) for name in PersonForm.base_fields}
            person_initial["id_number"] = _id_for(request.user, case, person)
        bills = _saved_bills(assessment)
        who = {"case_no": case.case_no, "person": person.name if person else ""}
        remarks = medical_for(request.user, assessment.remarks, **who) if assessment else ""
        dependants = list(assessment.dependants.all()) if assessment else []
        return cls(
            AssessmentHeaderForm(
                initial={
                    "sheet_version": assessment.version if assessment else 0,
                    "remarks": remarks,
                }
            ),
            PersonForm(initial=person_initial),
            CompensationForm(initial=compensation_initial(assessment.inputs) if assessment else {}),
            DependantRowFormSet(
                prefix=DEPENDANTS,
                initial=[
                    {
                        "relation": d.relation,
                        "age": d.age,
                        "supporters": d.supporters,
                        "unable_to_work": d.unable_to_work,
                    }
                    for d in dependants
                ],
            ),
            BillFormSet(prefix=BILLS, initial=[bill_initial(bill) for bill in bills]),
            [
                BillLineFormSet(
                    prefix=lines_prefix(i),
                    initial=[
                        line_initial(line, lambda text: medical_for(request.user, text, **who))
                        for line in bill.lines.all()
                    ],
                )
                for i, bill in enumerate(bills)
            ],
        ).with_blank_bill_lines()

    @classmethod
    def posted(cls, data) -> "Editor":
        bills = BillFormSet(data, prefix=BILLS)
        lines = []
        for i in range(len(bills.forms)):
            prefix = lines_prefix(i)
            # A bill added by "增加票据" has no line rows on the page yet: blank rows.
            bound = f"{prefix}-TOTAL_FORMS" in data
            lines.append(BillLineFormSet(data if bound else None, prefix=prefix))
        return cls(
            AssessmentHeaderForm(data),
            PersonForm(data),
            CompensationForm(data),
            DependantRowFormSet(data, prefix=DEPENDANTS),
            bills,
            lines,
        )

    def with_blank_bill_lines(self) -> "Editor":
        for i in range(len(self.lines), len(self.bills.forms)):
            self.lines.append(BillLineFormSet(prefix=lines_prefix(i)))
        return self

    def is_valid(self) -> bool:
        results = [
            self.header.is_valid(),
            self.person.is_valid(),
            self.compensation.is_valid(),
            self.dependants.is_valid(),
            self.bills.is_valid(),
            *(lines.is_valid() for lines in self.lines),
        ]
        return all(results)

    def non_form_errors(self) -> list[str]:
        errors = [*self.dependants.non_form_errors(), *self.bills.non_form_errors()]
        for lines in self.lines:
            errors.extend(e for e in lines.non_form_errors() if e not in errors)
        return errors

    def submitted_bills(self) -> list[tuple]:
        """(bill form, its non-blank line forms) of every bill that is not blank."""
        submitted = []
        for form, lines in zip(self.bills.forms, self.lines, strict=True):
            rows = [row for row in lines.forms if not row.is_blank()]
            if form.cleaned_data.get("DELETE") or (form.is_blank() and not rows):
                continue
            submitted.append((form, rows))
        return submitted

    def submitted_dependants(self) -> list:
        return [
            form
            for form in self.dependants.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]

    def apply_errors(self, fields: dict, submitted, dependants, top: list[str]) -> None:
        """Each of the service's field errors onto its input; the rest into `top`."""
        person = {k[len("person.") :]: v for k, v in fields.items() if k.startswith("person.")}
        apply_field_errors(person, self.person, [], top, line_fields=())
        for i, (bill, rows) in enumerate(submitted):
            prefix = f"bills.{i}"
            own = {
                # Only the bill's own errors: `bills.1` must not take `bills.10.…`.
                k.removeprefix(prefix).lstrip(".") or "bill": v
                for k, v in fields.items()
                if k == prefix or k.startswith(f"{prefix}.")
            }
            on_bill: list[str] = []
            apply_field_errors(own, bill, rows, on_bill, line_fields=LINE_FIELDS)
            for message in on_bill:
                bill.add_error(None, message)
        prefixes = {"addon_rule": "addon_"}
        if self.compensation.cleaned_data.get("standard_mode") == InjuryForm.INLINE:
            prefixes["standard"] = "std_"
        for key, field_messages in fields.items():
            if key.startswith(("bills.", "person.")):
                continue  # placed above
            parts = key.split(".")
            target, name = None, None
            if key == "remarks":
                target, name = self.header, "remarks"
            elif parts[0] == DEPENDANTS and len(parts) == 3 and parts[1].isdigit():
                index = int(parts[1])
                if index < len(dependants) and parts[2] in dependants[index].fields:
                    target, name = dependants[index], parts[2]
            elif key not in ("age", "medical_amount"):
                name = field_for(self.compensation, key, prefixes)
                target = self.compensation if name else None
            if target is None:
                top.extend(m for m in field_messages if m not in top)
            else:
                for message in field_messages:
                    target.add_error(name, message)


def _grown(post) -> Editor:
    """The page again with more blank rows ("增加票据", "增加明细", "增加被扶养人"),
    everything typed so far kept and nothing saved."""
    data = post.copy()
    if "add_bill" in post:
        _grow(data, f"{BILLS}-TOTAL_FORMS", 1, BillFormSet.max_num)
    if "add_dependant" in post:
        _grow(data, f"{DEPENDANTS}-TOTAL_FORMS", 1, DependantRowFormSet.max_num)
    index = post.get("add_lines", "")
    if index.isdigit():
        key = f"{lines_prefix(int(index))}-TOTAL_FORMS"
        _grow(data, key, ADD_LINES, BillLineFormSet.max_num)
    return Editor.posted(data)


def _grow(data, key: str, by: int, limit: int) -> None:
    try:
        total = int(data.get(key, ""))
    except ValueError:
        return
    if total >= 0:
        data[key] = str(min(total + by, limit))


def _id_for(user, case: Case, person) -> str:
    """The stored ID number as `user` may see it (masked without the PII permission)."""
    return reveal(
        user,
        person.id_number,
        masked=mask_id_number(person.id_number),
        field="id_number",
        case_no=case.case_no,
        person=person.name,
    )


def _amount(value) -> Decimal | None:
    try:
        return parse_amount(value, MONEY)
    except AmountError:
        return None


def annotate_bills(editor: Editor, item: LossItem) -> dict:
    """Each line row's 核减 (`row.deducted`), each bill's totals (`form.totals`) and its
    flag when another case has the invoice number (`form.duplicate_of`), as typed: the page
    shows what a save would store before it is saved. Returns the overall totals."""
    overall = {"claimed": ZERO, "reasonable": ZERO, "deducted": ZERO}
    invoice_nos = []
    for form, lines in zip(editor.bills.forms, editor.lines, strict=True):
        totals = {"claimed": ZERO, "reasonable": ZERO, "deducted": ZERO}
        for row in lines.forms:
            claimed = _amount(row["claimed"].value())
            reasonable = _amount(row["reasonable"].value())
            row.deducted = ""
            if row["DELETE"].value() in (True, "on", "true", "1"):
                continue
            # Only a row the audit would accept: a reasonable amount above the claimed is
            # an error on its cell, not a negative deduction.
            if claimed is not None and reasonable is not None and reasonable <= claimed:
                row.deducted = claimed - reasonable
                totals["claimed"] += claimed
                totals["reasonable"] += reasonable
                totals["deducted"] += claimed - reasonable
        form.totals = totals
        if form["DELETE"].value() not in (True, "on", "true", "1"):
            for key in overall:
                overall[key] += totals[key]
        invoice_no = str(form["invoice_no"].value() or "").strip()
        form.typed_invoice_no = invoice_no
        if invoice_no:
            invoice_nos.append(invoice_no)
    duplicates = duplicate_invoices(item, invoice_nos) if invoice_nos else {}
    for form in editor.bills.forms:
        form.duplicate_of = "、".join(duplicates.get(form.typed_invoice_no, []))
    return overall


def investigation(case: Case, item: LossItem, *, can_edit: bool) -> dict:
    """The survey, the visits, the appraisals and the flags of the item, with the links of
    their actions when the viewer may work on the item."""
    flags = list(item.investigation_flags.select_related("raised_by", "decided_by", "visit"))
    ctx = {
        "survey": getattr(item, "injury_survey", None),
        "visits": list(item.hospital_visits.select_related("visitor")),
        "appraisals": list(item.disability_appraisals.select_related("recorded_by")),
        "flags": flags,
        "can_edit": can_edit,
    }
    if can_edit:
        ctx["urls"] = {
            name: _url(f"injury:{name}", case, item)
            for name in ("survey", "visit", "appraisal", "flag")
        }
        for flag in flags:
            if flag.status == FlagStatus.OPEN:
                flag.decision_url = reverse(
                    "injury:flag-decision", kwargs={"case_no": case.case_no, "pk": flag.pk}
                )
    return ctx


def _render(request, case, item, *, reason, editor=None, errors=(), status=200):
    assessment = _assessment(item)
    person = _person(item)
    ctx = {
        "nav": "cases",
        "case": case,
        "item": item,
        "case_url": reverse("claims:case-detail", args=[case.case_no]),
        "errors": list(errors),
        "readonly_reason": reason,
        "assessment": assessment,
        "person": person,
        "save_url": _url("injury:save", case, item),
        "editor": editor,
        **investigation(case, item, can_edit=editor is not None),
    }
    if editor is not None:
        ctx["bills"] = list(zip(editor.bills.forms, editor.lines, strict=True))
        ctx["totals"] = annotate_bills(editor, item)
    else:
        ctx["saved_bills"] = _saved_bills(assessment)
        ctx["dependants"] = list(assessment.dependants.all()) if assessment else []
        ctx["inputs"] = input_rows(assessment) if assessment else []
    return render(request, "injury/item.html", ctx, status=status)


def input_rows(assessment: InjuryAssessment) -> list[tuple[str, str]]:
    """(label, value) of the calculator inputs the saved assessment was computed from."""
    inputs = assessment.inputs
    rows = [("伤情结果", assessment.get_outcome_display())]
    if inputs.get("disability_grades"):
        grades = "、".join(f"{g} 级" for g in inputs["disability_grades"])
        rows.append(("伤残等级", grades))
    fields = CompensationForm.base_fields
    for name in CompensationForm.ITEM_FIELDS:
        if name in inputs and name in fields:
            value = inputs[name]
            shown = str(value) if isinstance(value, int) else money(value)
            rows.append((fields[name].label, shown))
    return rows


def _readonly_reason(user, case: Case, item: LossItem) -> str | None:
    """Claims' reasons, and one of injury's: the bill lines are medical data (decision 0026),
    so who may not read them may not audit them."""
    reason = readonly_reason(user, case, item, DOCUMENT)
    if reason is None and bills_hidden_from(user, item):
        return BILLS_HIDDEN
    return reason


@login_required
@require_GET
def item_page(request, case_no: str, seq: int):
    case, item = line_item(request, case_no, seq, LossItemKind.INJURY)
    reason = _readonly_reason(request.user, case, item)
    if reason:
        return _render(request, case, item, reason=reason)
    return _render(request, case, item, reason=None, editor=Editor.saved(request, case, item))


@login_required
@require_POST
def save(request, case_no: str, seq: int):
    case, item = line_item(request, case_no, seq, LossItemKind.INJURY)
    reason = _readonly_reason(request.user, case, item)
    if reason:
        denied = reason == BILLS_HIDDEN or not request.user.has_perm(CASE_ASSESS)
        status = 403 if denied else 409
        errors = [f"未保存：{reason}"]
        return _render(request, case, item, reason=reason, errors=errors, status=status)

    if {"add_bill", "add_lines", "add_dependant"} & set(request.POST):
        editor = _grown(request.POST)
        return _render(request, case, item, reason=None, editor=editor)

    editor = Editor.posted(request.POST)
    if not editor.is_valid():
        errors = [ASSESSMENT_INVALID, *editor.non_form_errors()]
        return _render(request, case, item, reason=None, editor=editor, errors=errors, status=400)

    person = _person(item)
    stored_id = person.id_number if person is not None else ""
    submitted = editor.submitted_bills()
    dependants = editor.submitted_dependants()
    rows = [form.cleaned_data for form in dependants]
    try:
        do_save_injury_assessment(
            item,
            person=editor.person.as_person(stored_id, mask_id_number(stored_id)),
            calculator=editor.compensation.to_data(
                [{k: row[k] for k in ("age", "supporters", "unable_to_work")} for row in rows]
            ),
            bills=[bill.as_bill([row.as_line() for row in lines]) for bill, lines in submitted],
            dependant_relations=[row["relation"] for row in rows],
            remarks=editor.header.cleaned_data["remarks"],
            actor=request.user,
            expected_version=editor.header.cleaned_data["version"],
            expected_sheet_version=editor.header.cleaned_data["sheet_version"],
        )
    except Conflict as exc:
        saved = InjuryAssessment.objects.select_related("assessor").filter(loss_item=item).first()
        if saved is not None:
            item.injury_assessment = saved
        errors, data = conflict_answer(
            exc, request.POST, saved, document_label=DOCUMENT, total_label="赔偿合计"
        )
        editor.header = AssessmentHeaderForm(data)
        editor.header.is_valid()
        return _render(
            request, case, item, reason=None, editor=editor, errors=errors, status=exc.status
        )
    except ServiceError as exc:
        errors = [exc.message]
        editor.apply_errors(exc.fields, submitted, dependants, errors)
        status = exc.status if isinstance(exc, PermissionDenied) else 400
        return _render(
            request, case, item, reason=None, editor=editor, errors=errors, status=status
        )

    messages.success(request, f"人伤定损已保存（{item.label}）。")
    return HttpResponseRedirect(_url("injury:item", case, item))
