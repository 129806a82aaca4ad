"""Saving the assessment of an injured person (人伤定损): the person, the medical bills as
audited and the compensation, together, under the case's lock. The figures are the rules':
rules.id_number for the person, rules.medical_audit for the bills and the calculator's
calc.calculations.injury for the compensation (so POST /api/v1/calc/injury with the stored
inputs gives the same figures). The page and the API call the same function."""

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from lossdesk.calc import calculations
from lossdesk.claims.choices import EventType, Liability
from lossdesk.claims.models import Case, LossItem
from lossdesk.claims.services import (
    bump_version,
    check_sheet_version,
    recompute_assessed_amount,
    record_event,
    sheet_case_version,
)
from lossdesk.core.errors import ErrorCode, PermissionDenied, ServiceError
from lossdesk.core.masking import MEDICAL_MASK, can_view_pii
from lossdesk.core.numbering import next_number
from lossdesk.core.templatetags.lossdesk_ui import money
from lossdesk.injury.choices import (
    FLAG_ONLY_REASONS,
    FLAG_REASONS,
    DeductionReason,
    FlagKind,
    FlagStatus,
    Relation,
)
from lossdesk.injury.models import (
    BillLine,
    Dependant,
    DisabilityAppraisal,
    InjuredPerson,
    InjuryAssessment,
    InvestigationFlag,
    MedicalBill,
)
from lossdesk.injury.services.investigation import lock_item
from lossdesk.rules import medical_audit
from lossdesk.rules.errors import RuleInputError, RuleInputErrors
from lossdesk.rules.id_number import age_on, parse_id_number

ASSESSMENT_INVALID = "人伤定损有误，请检查标出的字段。"
MAX_BILLS = 200
# The person's text fields and their column limits.
PERSON_TEXT = ("name", "residence", "occupation", "income_evidence")
# Bill and line text and their column limits (the rule takes any length).
BILL_TEXT = {"invoice_no": 40, "hospital": 100}
LINE_TEXT = {"item": 100, "note": 200}
# A line's name or note, or the remarks, sent back as the mask: never stored.
HIDDEN_LINE = "此项医疗信息已隐藏（无「查看个人敏感信息」权限），请由有该权限的人员修改。"
# Who may not read saved bill lines may not audit them (decision 0026).
BILLS_HIDDEN = "医疗票据明细为医疗信息，您的岗位没有「查看个人敏感信息」权限，人伤定损仅供查看。"


def bills_hidden_from(user, item: LossItem) -> bool:
    lines = BillLine.objects.filter(bill__assessment__loss_item=item)
    return not can_view_pii(user) and lines.exists()


def _clean_person(raw: Mapping[str, Any], accident: date, errors: dict) -> dict:
    """The person's fields, with sex and birth date read from a valid ID number."""
    person: dict[str, Any] = {}
    for name in PERSON_TEXT:
        value = raw.get(name)
        text = "" if value is None else str(value).strip()
        limit = InjuredPerson._meta.get_field(name).max_length
        if len(text) > limit:
            errors.setdefault(f"person.{name}", []).append(f"最多 {limit} 个字。")
        person[name] = text[:limit]
    if not person["name"]:
        errors.setdefault("person.name", []).append("请填写伤者姓名。")
    relation = raw.get("relation")
    if relation not in Relation.values:
        errors.setdefault("person.relation", []).append("请选择与车辆的关系。")
    person["relation"] = relation
    person["urban"] = bool(raw.get("urban", True))
    try:
        parsed = parse_id_number(raw.get("id_number"), today=accident)
    except RuleInputError as exc:
        errors.setdefault("person.id_number", []).append(exc.message)
        return person
    person.update(id_number=parsed.number, sex=parsed.sex.value, birth_date=parsed.birth_date)
    person["age"] = age_on(parsed.birth_date, accident)
    return person


def _clean_bills(bills: list, accident: date, errors: dict) -> medical_audit.AuditResult | None:
    """The audit of the bills against the accident date, or None with every bad cell in
    `errors`."""
    if not isinstance(bills, list):
        errors["bills"] = ["票据格式有误。"]
        return None
    if len(bills) > MAX_BILLS:
        errors["bills"] = [f"票据不能超过 {MAX_BILLS} 张。"]
        return None
    before = len(errors)
    inputs = []
    for i, raw in enumerate(bills):
        if not isinstance(raw, Mapping) or not isinstance(raw.get("lines", []), list):
            errors[f"bills.{i}"] = ["票据格式有误。"]
            continue
        for name, limit in BILL_TEXT.items():
            if len(str(raw.get(name) or "")) > limit:
                errors.setdefault(f"bills.{i}.{name}", []).append(f"最多 {limit} 个字。")
        lines = []
        for j, line in enumerate(raw.get("lines") or []):
            if not isinstance(line, Mapping):
                errors[f"bills.{i}.lines.{j}"] = ["明细格式有误。"]
                continue
            for name, limit in LINE_TEXT.items():
                if len(str(line.get(name) or "")) > limit:
                    errors.setdefault(f"bills.{i}.lines.{j}.{name}", []).append(
                        f"最多 {limit} 个字。"
                    )
                if str(line.get(name) or "").strip() == MEDICAL_MASK:
                    errors.setdefault(f"bills.{i}.lines.{j}.{name}", []).append(HIDDEN_LINE)
            lines.append(
                medical_audit.BillLine(
                    category=line.get("category"),
                    item=line.get("item"),
                    claimed=line.get("claimed"),
                    reasonable=line.get("reasonable"),
                    quantity=line.get("quantity"),
                    deduction_reason=line.get("deduction_reason") or None,
                    note=line.get("note") or "",
                    insurance_class=line.get("insurance_class") or None,
                )
            )
        inputs.append(
            medical_audit.MedicalBill(
                invoice_no=raw.get("invoice_no"),
                hospital=raw.get("hospital"),
                date=_date(raw.get("date")),
                inpatient=raw.get("inpatient"),
                lines=lines,
            )
        )
    try:
        result = medical_audit.audit_bills(inputs, accident)
    except RuleInputErrors as exc:
        for error in exc.errors:
            errors.setdefault(error.field, []).append(error.message)
        return None
    except RuleInputError as exc:
        errors.setdefault(exc.field, []).append(exc.message)
        return None
    return result if len(errors) == before else None


def _check_flag_reasons(item: LossItem, audit, errors: dict) -> None:
    """A deduction for 冒名就医, 挂床期间费用, 过度医疗 or 既往病史 rests on a confirmed flag of
    the medical investigation."""
    confirmed = {
        FLAG_REASONS[kind]
        for kind in InvestigationFlag.objects.filter(
            loss_item=item, status=FlagStatus.CONFIRMED
        ).values_list("kind", flat=True)
    }
    flag_of = {reason: kind for kind, reason in FLAG_REASONS.items()}
    for i, bill in enumerate(audit.bills):
        for j, line in enumerate(bill.lines):
            reason = line.deduction_reason.value if line.deduction_reason else ""
            if reason in FLAG_ONLY_REASONS and reason not in confirmed:
                errors.setdefault(f"bills.{i}.lines.{j}.deduction_reason", []).append(
                    f"核减原因“{DeductionReason(reason).label}”须有已确认的"
                    f"“{FlagKind(flag_of[reason]).label}”疑点（医疗调查）。"
                )


def _check_grades(item: LossItem, calculator: Mapping[str, Any], errors: dict) -> None:
    """Once disabilities are appraised, the grades compensated are the appraised ones."""
    appraised = sorted(
        DisabilityAppraisal.objects.filter(loss_item=item).values_list("grade", flat=True)
    )
    if not appraised:
        return
    grades = calculator.get("disability_grades") or []
    if calculator.get("outcome") == "disability" and sorted(grades) != appraised:
        listed = "、".join(f"{g} 级" for g in appraised)
        errors.setdefault("disability_grades", []).append(
            f"伤残等级须与伤残鉴定记录一致：{listed}。"
        )


def _date(value):
    """An ISO date sent as text becomes a date; anything else goes to the rule as it is
    (which names the field when it is not a date)."""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return value
    return value


def _compensation(calculator: Mapping[str, Any], errors: dict) -> dict | None:
    try:
        return calculations.injury(calculator)
    except RuleInputError as exc:
        errors.setdefault(exc.field, []).append(exc.message)
        return None


# Who is no third party of the insured vehicle: CTPL and 三者险 do not pay them.
OWN_OCCUPANTS = frozenset({Relation.DRIVER, Relation.PASSENGER})


def _split(case: Case, items: dict, accident: date, relation: str, errors: dict) -> dict | None:
    """The compensation split into CTPL and 三者险 by the liability the survey decided
    (None before the survey record)."""
    survey = getattr(case, "survey", None)
    if survey is None:
        return None
    try:
        return calculations.injury_split(
            items,
            accident,
            at_fault=survey.liability != Liability.NONE,
            third_party=relation not in OWN_OCCUPANTS,
            liability_ratio=survey.liability_ratio,
        )
    except RuleInputError as exc:
        errors.setdefault(f"split.{exc.field}", []).append(exc.message)
        return None


def duplicate_invoices(item: LossItem, invoice_nos: list[str]) -> dict[str, list[str]]:
    """For each invoice number, the other cases whose bills carry it (a possible
    double claim, shown beside the bill; not a refusal: a case may be re-opened)."""
    found: dict[str, list[str]] = {}
    rows = (
        MedicalBill.objects.filter(invoice_no__in=invoice_nos)
        .exclude(assessment__loss_item__case_id=item.case_id)
        .values_list("invoice_no", "assessment__loss_item__case__case_no")
        .order_by("assessment__loss_item__case__case_no")
    )
    for invoice_no, case_no in rows:
        cases = found.setdefault(invoice_no, [])
        if case_no not in cases:
            cases.append(case_no)
    return found


@transaction.atomic
def do_save_injury_assessment(
    item: LossItem,
    *,
    person: Mapping[str, Any],
    calculator: Mapping[str, Any],
    bills: list,
    dependant_relations: list[str] | None = None,
    remarks: str = "",
    actor,
    expected_version=None,
    expected_sheet_version=None,
) -> InjuryAssessment:
    """Create or replace the assessment of an injury loss item. `calculator` is the body of
    POST /api/v1/calc/injury without `age` (from the person's ID number at the accident
    date) and `medical_amount` (the audited reasonable total). Every error of the person,
    the bills and the compensation comes back at once. `expected_sheet_version` is the
    assessment's version the caller started from (0: none yet), `expected_version` the
    case's, checked only without it (decision 0007, amended: a document or a photo uploaded
    while the bills are typed does not refuse the save)."""
    case_version = sheet_case_version(expected_version, expected_sheet_version)
    case, item = lock_item(item, actor, case_version)
    if bills_hidden_from(actor, item):
        raise PermissionDenied(BILLS_HIDDEN)
    assessment = InjuryAssessment.objects.filter(loss_item=item).first()
    version = check_sheet_version(case, assessment, expected_sheet_version, "人伤定损")
    accident = timezone.localdate(case.report.accident_time)
    errors: dict[str, list[str]] = {}
    cleaned = _clean_person(person or {}, accident, errors)
    audit = _clean_bills(bills, accident, errors)
    if audit is not None:
        _check_flag_reasons(item, audit, errors)
    _check_grades(item, calculator, errors)
    remarks = "" if remarks is None else str(remarks).strip()
    if remarks == MEDICAL_MASK:
        errors["remarks"] = [HIDDEN_LINE]
    if len(remarks) > InjuryAssessment._meta.get_field("remarks").max_length:
        errors["remarks"] = ["定损说明太长。"]
    result = split = None
    if "age" in cleaned and audit is not None:
        inputs = {
            **calculator,
            "age": cleaned["age"],
            "medical_amount": str(audit.reasonable_total),
            # The standard must be in force on the accident date.
            "accident_date": accident,
        }
        result = _compensation(inputs, errors)
    if result is not None:
        split = _split(case, result["items"], accident, cleaned["relation"], errors)
    if errors or result is None:
        raise ServiceError(ASSESSMENT_INVALID, code=ErrorCode.INVALID, fields=errors)

    _save_person(item, cleaned, actor)
    before = str(assessment.total) if assessment else None
    if assessment is None:
        assessment = InjuryAssessment(loss_item=item, assessment_no=next_number("RS"))
    assessment.version = version
    assessment.assessor = actor
    assessment.outcome = calculator.get("outcome")
    assessment.age = cleaned["age"]
    assessment.hospital_days = int(calculator.get("hospital_days") or 0)
    grades = calculator.get("disability_grades") or []
    assessment.highest_grade = min(grades) if grades else None
    assessment.inputs = result["inputs"]
    assessment.standard = result["standard"]
    assessment.items = result["items"]
    assessment.explanation = result["explanation"]
    assessment.split = split
    assessment.total = Decimal(result["total"])
    assessment.claimed_total = audit.claimed_total
    assessment.reasonable_total = audit.reasonable_total
    assessment.deducted_total = audit.deducted_total
    assessment.remarks = remarks
    assessment.save()
    _replace_children(assessment, calculator, dependant_relations or [], audit, item)

    case.assessed_amount = recompute_assessed_amount(case)
    bump_version(case, "assessed_amount")
    record_event(
        case,
        EventType.SHEET_SAVED,
        actor,
        f"保存人伤定损 {assessment.assessment_no}（{item.label}），"
        f"赔偿合计 {money(assessment.total)} 元",
        sheet=assessment.assessment_no,
        total=[before, str(assessment.total)],
        bills=len(audit.bills),
    )
    return assessment


def _save_person(item: LossItem, cleaned: dict, actor) -> InjuredPerson:
    person = InjuredPerson.objects.filter(loss_item=item).first() or InjuredPerson(loss_item=item)
    for name in (*PERSON_TEXT, "relation", "urban", "id_number", "sex", "birth_date"):
        setattr(person, name, cleaned[name])
    person.updated_by = actor
    person.save()
    return person


def _replace_children(assessment, calculator, relations, audit, item) -> None:
    assessment.dependants.all().delete()
    Dependant.objects.bulk_create(
        Dependant(
            assessment=assessment,
            seq=i + 1,
            relation=(relations[i] if i < len(relations) else "")[:20],
            age=d.get("age"),
            supporters=d.get("supporters") or 1,
            unable_to_work=bool(d.get("unable_to_work")),
        )
        for i, d in enumerate(calculator.get("dependants") or [])
    )
    assessment.bills.all().delete()
    duplicates = duplicate_invoices(item, [bill.invoice_no for bill in audit.bills])
    for i, audited in enumerate(audit.bills):
        bill = MedicalBill.objects.create(
            assessment=assessment,
            seq=i + 1,
            invoice_no=audited.invoice_no,
            hospital=audited.hospital,
            bill_date=audited.date,
            inpatient=audited.inpatient,
            claimed_total=audited.claimed_total,
            reasonable_total=audited.reasonable_total,
            deducted_total=audited.deducted_total,
            duplicate_of="、".join(duplicates.get(audited.invoice_no, []))[:200],
        )
        BillLine.objects.bulk_create(
            BillLine(
                bill=bill,
                seq=j + 1,
                category=line.category.value,
                item=line.item,
                quantity=line.quantity,
                insurance_class=line.insurance_class.value if line.insurance_class else "",
                claimed=line.claimed,
                reasonable=line.reasonable,
                deducted=line.deducted,
                deduction_reason=line.deduction_reason.value if line.deduction_reason else "",
                note=line.note,
            )
            for j, line in enumerate(audited.lines)
        )
