"""Medical bill audit (费用审核): claimed → reasonable line by line, and the totals.

Each bill (票据: invoice number, hospital, date, outpatient or inpatient) has lines; a line
names its category and item and carries the claimed amount (申报金额) and the amount the
auditor accepts (合理金额). Then:

* 核减金额 = 申报金额 − 合理金额, per line; the reasonable amount never exceeds the claimed;
* a line with a deduction names one reason (核减原因); "other" needs a note; a line with
  nothing deducted names none. A line cut for two reasons is entered as two lines;
* every total is a plain sum of lines: per bill, overall, per category (claimed,
  reasonable, deducted) and per reason (deducted). Amounts are typed money to the fen,
  so the sums are exact; nothing is rounded.

A bill dated before the accident is not a cost of the accident: given the accident date,
such a bill is accepted only when every line of it is deducted in full as 与事故无关 (the
auditor records it, so the claimed figure stays visible) and refused otherwise.

Bad input does not stop at the first cell: ``audit_bills`` collects every error and
raises them together as ``RuleInputErrors``, each named ``bills.<i>.<field>`` or
``bills.<i>.lines.<j>.<field>``. Invoice numbers must be unique among the bills.

Worked example (each figure summed by hand):

    票据 0001 杭州市第一人民医院 住院
      药品 头孢曲松钠   申报 1,280.00  合理   980.00  核减 300.00 非医保用药
      检查 胸部CT       申报   650.00  合理   650.00  核减   0.00
      床位 床位费       申报   400.00  合理   300.00  核减 100.00 挂床期间费用
      小计              申报 2,330.00  合理 1,930.00  核减 400.00
    票据 0002 杭州市第一人民医院 门诊
      治疗 换药         申报    85.50  合理    85.50  核减   0.00
      药品 维生素C      申报    36.20  合理     0.00  核减  36.20 与事故无关
      其他 病历复印     申报    12.00  合理     0.00  核减  12.00 其他（非医疗费用）
      小计              申报   133.70  合理    85.50  核减  48.20
    合计                申报 2,463.70  合理 2,015.50  核减 448.20
    按类别（申报/合理/核减）：药品 1,316.20/980.00/336.20，检查 650.00/650.00/0.00，
      治疗 85.50/85.50/0.00，床位 400.00/300.00/100.00，其他 12.00/0.00/12.00
    按核减原因：非医保用药 300.00，与事故无关 36.20，挂床期间费用 100.00，其他 12.00
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .errors import RuleInputError, RuleInputErrors, parse_date, parse_enum
from .money import FEN, MONEY, QUANTITY, ZERO, Amount, Number, parse_amount


class MedicalCategory(StrEnum):
    drugs = "drugs"
    examination = "examination"
    treatment = "treatment"
    surgery = "surgery"
    bed = "bed"
    nursing = "nursing"
    materials = "materials"
    other = "other"


CATEGORY_LABELS: dict[MedicalCategory, str] = {
    MedicalCategory.drugs: "药品",
    MedicalCategory.examination: "检查",
    MedicalCategory.treatment: "治疗",
    MedicalCategory.surgery: "手术",
    MedicalCategory.bed: "床位",
    MedicalCategory.nursing: "护理",
    MedicalCategory.materials: "材料",
    MedicalCategory.other: "其他",
}


class InsuranceClass(StrEnum):
    """医保类别 of a drug or item in the medical-insurance catalogue."""

    a = "a"
    b = "b"
    c = "c"


INSURANCE_CLASS_LABELS: dict[InsuranceClass, str] = {
    InsuranceClass.a: "甲",
    InsuranceClass.b: "乙",
    InsuranceClass.c: "丙",
}


class DeductionReason(StrEnum):
    non_insured_drug = "non_insured_drug"
    over_insurance_limit = "over_insurance_limit"
    unrelated = "unrelated"
    duplicate_charge = "duplicate_charge"
    no_receipt = "no_receipt"
    bed_blocking = "bed_blocking"
    impersonation = "impersonation"
    over_treatment = "over_treatment"
    pre_existing = "pre_existing"
    other = "other"


DEDUCTION_REASON_LABELS: dict[DeductionReason, str] = {
    DeductionReason.non_insured_drug: "非医保用药",
    DeductionReason.over_insurance_limit: "超医保限额",
    DeductionReason.unrelated: "与事故无关",
    DeductionReason.duplicate_charge: "重复收费",
    DeductionReason.no_receipt: "无票据",
    DeductionReason.bed_blocking: "挂床期间费用",
    DeductionReason.impersonation: "冒名就医",
    DeductionReason.over_treatment: "过度医疗",
    DeductionReason.pre_existing: "既往病史",
    DeductionReason.other: "其他",
}


@dataclass(frozen=True, slots=True)
class BillLine:
    category: MedicalCategory | str
    item: str
    claimed: Number
    reasonable: Number
    quantity: Number | None = None
    deduction_reason: DeductionReason | str | None = None
    note: str = ""
    insurance_class: InsuranceClass | str | None = None


@dataclass(frozen=True, slots=True)
class MedicalBill:
    invoice_no: str
    hospital: str
    date: date
    inpatient: bool
    lines: Sequence[BillLine]


@dataclass(frozen=True, slots=True)
class AuditedLine:
    category: MedicalCategory
    item: str
    quantity: Decimal | None
    claimed: Decimal
    reasonable: Decimal
    deducted: Decimal
    deduction_reason: DeductionReason | None
    note: str
    insurance_class: InsuranceClass | None


@dataclass(frozen=True, slots=True)
class AuditedBill:
    invoice_no: str
    hospital: str
    date: date
    inpatient: bool
    lines: list[AuditedLine]
    claimed_total: Decimal
    reasonable_total: Decimal
    deducted_total: Decimal


@dataclass(frozen=True, slots=True)
class CategoryTotals:
    claimed: Decimal
    reasonable: Decimal
    deducted: Decimal


@dataclass(frozen=True, slots=True)
class AuditResult:
    bills: list[AuditedBill]
    claimed_total: Decimal
    reasonable_total: Decimal
    deducted_total: Decimal
    # Only the categories and reasons that occur, in the order of their enums.
    by_category: dict[MedicalCategory, CategoryTotals]
    by_reason: dict[DeductionReason, Decimal]


def audit_bills(bills: Sequence[MedicalBill], accident_date: date | None = None) -> AuditResult:
    """Deductions and totals of the bills, or ``RuleInputErrors`` naming every bad cell."""
    errors = _Errors()
    if not bills:
        errors.add("bills", "请至少录入一张票据")
        raise RuleInputErrors(errors.found)
    first_seen: dict[str, int] = {}
    audited = [_audit_bill(bill, i, first_seen, errors) for i, bill in enumerate(bills)]
    if accident_date is not None:
        for i, bill in enumerate(audited):
            if bill is not None:
                _check_before_accident(bill, i, accident_date, errors)
    if errors.found:
        raise RuleInputErrors(errors.found)
    # A bill or line is None only when it added an error, so from here none is.
    lines = [line for bill in audited for line in bill.lines]
    claimed_total = _sum(line.claimed for line in lines)
    if claimed_total > MONEY.maximum:
        errors.add("bills", f"申报金额合计不能大于 {MONEY.maximum:,}。")
        raise RuleInputErrors(errors.found)
    by_category = {
        category: CategoryTotals(
            claimed=_sum(line.claimed for line in in_category),
            reasonable=_sum(line.reasonable for line in in_category),
            deducted=_sum(line.deducted for line in in_category),
        )
        for category in MedicalCategory
        if (in_category := [line for line in lines if line.category == category])
    }
    by_reason = {
        reason: _sum(line.deducted for line in with_reason)
        for reason in DeductionReason
        if (with_reason := [line for line in lines if line.deduction_reason == reason])
    }
    return AuditResult(
        bills=audited,
        claimed_total=claimed_total,
        reasonable_total=_sum(line.reasonable for line in lines),
        deducted_total=_sum(line.deducted for line in lines),
        by_category=by_category,
        by_reason=by_reason,
    )


def _check_before_accident(bill: AuditedBill, i: int, accident_date: date, errors: _Errors):
    if bill.date >= accident_date:
        return
    if any(
        line.reasonable or line.deduction_reason != DeductionReason.unrelated for line in bill.lines
    ):
        errors.add(
            f"bills.{i}.date",
            f"票据日期 {bill.date:%Y-%m-%d} 早于事故日期 {accident_date:%Y-%m-%d}：事故前的费用"
            f"须每行全额核减，核减原因为“与事故无关”",
        )


class _Errors:
    """The errors found so far; ``take`` runs one parser and keeps its error, if any."""

    def __init__(self) -> None:
        self.found: list[RuleInputError] = []

    def add(self, field: str, message: str) -> None:
        self.found.append(RuleInputError(field, message))

    def take[T](self, parse: Callable[..., T], *args: object) -> T | None:
        try:
            return parse(*args)
        except RuleInputError as error:
            self.found.append(error)
            return None


def _audit_bill(
    bill: MedicalBill, i: int, first_seen: dict[str, int], errors: _Errors
) -> AuditedBill | None:
    prefix = f"bills.{i}"
    before = len(errors.found)
    invoice_no = _text(bill.invoice_no, f"{prefix}.invoice_no", "请填写发票号", errors)
    if invoice_no:
        key = invoice_no.upper()
        if key in first_seen:
            errors.add(f"{prefix}.invoice_no", f"发票号与第 {first_seen[key] + 1} 张票据重复")
        else:
            first_seen[key] = i
    hospital = _text(bill.hospital, f"{prefix}.hospital", "请填写医院名称", errors)
    bill_date = errors.take(parse_date, bill.date, f"{prefix}.date")
    if not isinstance(bill.inpatient, bool):
        errors.add(f"{prefix}.inpatient", "请选择门诊或住院")
    if not bill.lines:
        errors.add(f"{prefix}.lines", "每张票据至少录入一行费用")
    lines = [_audit_line(line, f"{prefix}.lines.{j}", errors) for j, line in enumerate(bill.lines)]
    if len(errors.found) > before:
        return None
    return AuditedBill(
        invoice_no=invoice_no,
        hospital=hospital,
        date=bill_date,
        inpatient=bill.inpatient,
        lines=lines,
        claimed_total=_sum(line.claimed for line in lines),
        reasonable_total=_sum(line.reasonable for line in lines),
        deducted_total=_sum(line.deducted for line in lines),
    )


def _audit_line(line: BillLine, prefix: str, errors: _Errors) -> AuditedLine | None:
    before = len(errors.found)
    category = errors.take(parse_enum, MedicalCategory, line.category, f"{prefix}.category")
    item = _text(line.item, f"{prefix}.item", "请填写项目名称", errors)
    quantity = None
    if line.quantity not in (None, ""):
        quantity = errors.take(_amount, line.quantity, QUANTITY, f"{prefix}.quantity", True)
    claimed = errors.take(_amount, line.claimed, MONEY, f"{prefix}.claimed", False)
    reasonable = errors.take(_amount, line.reasonable, MONEY, f"{prefix}.reasonable", False)
    insurance_class = None
    if line.insurance_class not in (None, ""):
        insurance_class = errors.take(
            parse_enum, InsuranceClass, line.insurance_class, f"{prefix}.insurance_class"
        )
    reason_given = line.deduction_reason not in (None, "")
    reason = None
    if reason_given:
        reason = errors.take(
            parse_enum, DeductionReason, line.deduction_reason, f"{prefix}.deduction_reason"
        )
    if not isinstance(line.note, str):
        errors.add(f"{prefix}.note", "说明须为文字")
    note = line.note.strip() if isinstance(line.note, str) else ""
    if reason == DeductionReason.other and not note:
        errors.add(f"{prefix}.note", "核减原因为“其他”时须填写说明")

    deducted = None
    if claimed is not None and reasonable is not None:
        if reasonable > claimed:
            errors.add(f"{prefix}.reasonable", f"合理金额不能大于申报金额 {claimed:,.2f}")
        else:
            deducted = claimed - reasonable
            if deducted and not reason_given:
                errors.add(f"{prefix}.deduction_reason", "有核减金额，请选择核减原因")
            if not deducted and reason_given:
                errors.add(f"{prefix}.deduction_reason", "本行未核减，不应填写核减原因")
    if len(errors.found) > before:
        return None
    return AuditedLine(
        category=category,
        item=item,
        quantity=quantity,
        claimed=claimed.quantize(FEN),
        reasonable=reasonable.quantize(FEN),
        deducted=deducted.quantize(FEN),
        deduction_reason=reason,
        note=note,
        insurance_class=insurance_class,
    )


def _text(value: object, field: str, missing: str, errors: _Errors) -> str:
    """``value`` stripped; an empty or non-text value records ``missing``."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors.add(field, missing)
    return text


def _amount(value: object, kind: Amount, field: str, positive: bool) -> Decimal:
    """Typed money or quantity; a float is refused as it cannot carry an exact fen."""
    if isinstance(value, float):
        raise RuleInputError(field, "须为精确数值（数字字符串或整数），不接受浮点数。")
    return parse_amount(value, kind, field=field, positive=positive)


def _sum(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO.quantize(FEN))
