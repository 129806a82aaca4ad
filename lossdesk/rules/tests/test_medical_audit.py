from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.errors import RuleInputError, RuleInputErrors
from lossdesk.rules.medical_audit import (
    CATEGORY_LABELS,
    DEDUCTION_REASON_LABELS,
    INSURANCE_CLASS_LABELS,
    BillLine,
    CategoryTotals,
    DeductionReason,
    InsuranceClass,
    MedicalBill,
    MedicalCategory,
    audit_bills,
)
from lossdesk.rules.money import MONEY

Line = BillLine
D = Decimal

HOSPITAL = "杭州市第一人民医院"


def bill(invoice_no: str, *lines: BillLine, inpatient: bool = False) -> MedicalBill:
    return MedicalBill(invoice_no, HOSPITAL, date(2026, 11, 3), inpatient, list(lines))


def fine(**changes: object) -> BillLine:
    """A line with nothing deducted; ``changes`` make it bad."""
    return replace(Line("examination", "血常规", "35.00", "35.00"), **changes)


def errors_of(*bills: MedicalBill) -> dict[str, str]:
    with pytest.raises(RuleInputErrors) as caught:
        audit_bills(list(bills))
    found = {error.field: error.message for error in caught.value.errors}
    assert len(found) == len(caught.value.errors), "one error per field"
    return found


# The worked example of the module docstring.

EXAMPLE = [
    bill(
        "0001",
        Line("drugs", "头孢曲松钠", "1,280.00", "980.00", 2, "non_insured_drug", "", "c"),
        Line("examination", "胸部CT", "650.00", "650.00", insurance_class="a"),
        Line("bed", "床位费", "400.00", "300.00", 4, "bed_blocking", "11月5日至6日挂床"),
        inpatient=True,
    ),
    bill(
        "0002",
        Line("treatment", "换药", "85.50", "85.50"),
        Line("drugs", "维生素C", "¥36.20", 0, deduction_reason="unrelated"),
        Line("other", "病历复印", 12, "0", deduction_reason="other", note="非医疗费用"),
    ),
]


def test_the_worked_example() -> None:
    result = audit_bills(EXAMPLE)
    first, second = result.bills
    assert [line.deducted for line in first.lines] == [D("300.00"), D("0.00"), D("100.00")]
    assert (first.claimed_total, first.reasonable_total, first.deducted_total) == (
        D("2330.00"),
        D("1930.00"),
        D("400.00"),
    )
    assert [line.deducted for line in second.lines] == [D("0.00"), D("36.20"), D("12.00")]
    assert (second.claimed_total, second.reasonable_total, second.deducted_total) == (
        D("133.70"),
        D("85.50"),
        D("48.20"),
    )
    assert (result.claimed_total, result.reasonable_total, result.deducted_total) == (
        D("2463.70"),
        D("2015.50"),
        D("448.20"),
    )
    assert result.by_category == {
        MedicalCategory.drugs: CategoryTotals(D("1316.20"), D("980.00"), D("336.20")),
        MedicalCategory.examination: CategoryTotals(D("650.00"), D("650.00"), D("0.00")),
        MedicalCategory.treatment: CategoryTotals(D("85.50"), D("85.50"), D("0.00")),
        MedicalCategory.bed: CategoryTotals(D("400.00"), D("300.00"), D("100.00")),
        MedicalCategory.other: CategoryTotals(D("12.00"), D("0.00"), D("12.00")),
    }
    assert list(result.by_reason.items()) == [
        (DeductionReason.non_insured_drug, D("300.00")),
        (DeductionReason.unrelated, D("36.20")),
        (DeductionReason.bed_blocking, D("100.00")),
        (DeductionReason.other, D("12.00")),
    ]


def test_lines_keep_their_parsed_details() -> None:
    drug, ct, bed = audit_bills(EXAMPLE).bills[0].lines
    assert drug.category == MedicalCategory.drugs
    assert drug.quantity == 2
    assert drug.insurance_class == InsuranceClass.c
    assert drug.deduction_reason == DeductionReason.non_insured_drug
    assert ct.quantity is None and ct.deduction_reason is None
    assert ct.insurance_class == InsuranceClass.a
    assert bed.note == "11月5日至6日挂床"
    assert str(ct.claimed) == "650.00"


def test_every_amount_is_to_the_fen() -> None:
    result = audit_bills(
        [bill("1", Line("drugs", "药", "12", "10.5", deduction_reason="other", note="x"))]
    )
    line = result.bills[0].lines[0]
    assert [str(line.claimed), str(line.reasonable), str(line.deducted)] == [
        "12.00",
        "10.50",
        "1.50",
    ]
    assert str(result.by_reason[DeductionReason.other]) == "1.50"


def test_labels_cover_every_member() -> None:
    assert set(CATEGORY_LABELS) == set(MedicalCategory)
    assert set(DEDUCTION_REASON_LABELS) == set(DeductionReason)
    assert [INSURANCE_CLASS_LABELS[c] for c in InsuranceClass] == ["甲", "乙", "丙"]
    assert [CATEGORY_LABELS[c] for c in MedicalCategory] == [
        "药品", "检查", "治疗", "手术", "床位", "护理", "材料", "其他"
    ]  # fmt: skip
    assert DEDUCTION_REASON_LABELS[DeductionReason.bed_blocking] == "挂床期间费用"


# Refusals, each on the cell at fault.


def test_a_reasonable_amount_above_the_claimed_is_refused() -> None:
    assert errors_of(bill("1", fine(claimed="35.00", reasonable="35.01"))) == {
        "bills.0.lines.0.reasonable": "合理金额不能大于申报金额 35.00"
    }


def test_a_deduction_needs_a_reason() -> None:
    assert errors_of(bill("1", fine(reasonable="30"))) == {
        "bills.0.lines.0.deduction_reason": "有核减金额，请选择核减原因"
    }


def test_a_reason_without_a_deduction_is_refused() -> None:
    assert errors_of(bill("1", fine(deduction_reason="duplicate_charge"))) == {
        "bills.0.lines.0.deduction_reason": "本行未核减，不应填写核减原因"
    }


def test_the_reason_other_needs_a_note() -> None:
    line = fine(reasonable="0", deduction_reason="other", note="  ")
    assert errors_of(bill("1", line)) == {"bills.0.lines.0.note": "核减原因为“其他”时须填写说明"}
    assert audit_bills([bill("1", replace(line, note="自费项目"))]).deducted_total == D("35.00")


def test_an_unknown_reason_category_or_insurance_class_is_refused() -> None:
    found = errors_of(
        bill("1", fine(category="药品", insurance_class="甲", reasonable="1", deduction_reason="x"))
    )
    assert set(found) == {
        "bills.0.lines.0.category",
        "bills.0.lines.0.insurance_class",
        "bills.0.lines.0.deduction_reason",  # the bad value only, not also "missing"
    }
    assert found["bills.0.lines.0.category"].startswith("未知取值 '药品'")


@pytest.mark.parametrize(
    ("claimed", "message"),
    [
        (35.0, "须为精确数值（数字字符串或整数），不接受浮点数。"),
        ("abc", "请输入数字。"),
        ("-1", "不能小于 0。"),
        ("1.005", "最多 2 位小数。"),
        (D("1.005"), "最多 2 位小数。"),
        ("1e3", "请输入数字。"),
        ("", "请输入数字。"),
        (None, "请输入数字。"),
        (True, "请输入数字。"),
        ("1,000,000,000,000.00", f"不能大于 {MONEY.maximum:,}。"),
    ],
)
def test_a_bad_amount_is_refused(claimed: object, message: str) -> None:
    assert errors_of(bill("1", fine(claimed=claimed))) == {"bills.0.lines.0.claimed": message}


def test_typed_amounts_are_accepted() -> None:
    line = fine(claimed="１,２８０.００元", reasonable=" ¥1280 ", quantity="1.5")
    audited = audit_bills([bill("1", line)]).bills[0].lines[0]
    assert (audited.claimed, audited.reasonable, audited.quantity) == (
        D("1280"),
        D("1280"),
        D("1.5"),
    )


def test_a_quantity_when_given_must_be_positive() -> None:
    assert errors_of(bill("1", fine(quantity="0"))) == {"bills.0.lines.0.quantity": "必须大于 0。"}
    assert audit_bills([bill("1", fine(quantity=""))]).bills[0].lines[0].quantity is None


def test_an_empty_item_or_a_non_text_note_is_refused() -> None:
    assert errors_of(bill("1", fine(item=" ", note=None))) == {
        "bills.0.lines.0.item": "请填写项目名称",
        "bills.0.lines.0.note": "说明须为文字",
    }


def test_a_bill_needs_an_invoice_no_a_hospital_a_date_a_kind_and_lines() -> None:
    bad = MedicalBill(" ", "", "2026-13-03", None, [])  # type: ignore[arg-type]
    assert errors_of(bad) == {
        "bills.0.invoice_no": "请填写发票号",
        "bills.0.hospital": "请填写医院名称",
        "bills.0.date": "须为日期",
        "bills.0.inpatient": "请选择门诊或住院",
        "bills.0.lines": "每张票据至少录入一行费用",
    }


def test_a_repeated_invoice_number_is_refused_on_the_second_bill() -> None:
    assert errors_of(bill("A001", fine()), bill("B002", fine()), bill(" a001 ", fine())) == {
        "bills.2.invoice_no": "发票号与第 1 张票据重复"
    }


def test_no_bills_is_refused() -> None:
    assert errors_of() == {"bills": "请至少录入一张票据"}


def test_a_total_beyond_the_column_is_refused() -> None:
    biggest = str(MONEY.maximum)
    assert errors_of(
        bill("1", fine(claimed=biggest, reasonable=biggest)),
        bill("2", fine(claimed=biggest, reasonable=biggest)),
    ) == {"bills": f"申报金额合计不能大于 {MONEY.maximum:,}。"}


def test_every_bad_cell_is_reported_at_once() -> None:
    found = errors_of(
        bill("1", fine(), fine(reasonable="36"), fine(claimed="x")),
        bill("", fine(reasonable="1")),
        bill("1", fine(deduction_reason="other", reasonable="0")),
    )
    assert list(found) == [
        "bills.0.lines.1.reasonable",
        "bills.0.lines.2.claimed",
        "bills.1.invoice_no",
        "bills.1.lines.0.deduction_reason",
        "bills.2.invoice_no",
        "bills.2.lines.0.note",
    ]


def test_the_aggregate_is_a_rule_input_error_naming_the_first_cell() -> None:
    with pytest.raises(RuleInputError) as caught:
        audit_bills([bill("1", fine(item=""), fine(reasonable="99"))])
    assert isinstance(caught.value, RuleInputErrors)
    assert (caught.value.field, caught.value.message) == ("bills.0.lines.0.item", "请填写项目名称")
    assert len(caught.value.errors) == 2
    assert "bills.0.lines.1.reasonable" in str(caught.value)


# Properties. For any valid bills:
#   1. claimed_total = reasonable_total + deducted_total, per line, per bill and overall;
#   2. the bills' totals add up to the overall totals;
#   3. per category, the three sums add up to the overall totals (every line is counted once);
#   4. Σ by reason = deducted_total, so Σ claimed by category = Σ by reason + reasonable_total;
#   5. a line has a reason exactly when something is deducted, and never deducts a negative;
#   6. every amount is a Decimal with two places.

amounts = st.decimals(min_value=0, max_value=100_000, places=2)


@st.composite
def lines(draw: st.DrawFn) -> BillLine:
    claimed = draw(amounts)
    reasonable = draw(st.decimals(min_value=0, max_value=claimed, places=2))
    reason = draw(st.sampled_from(list(DeductionReason))) if reasonable < claimed else None
    return Line(
        category=draw(st.sampled_from(list(MedicalCategory))),
        item="项目",
        claimed=draw(st.sampled_from([claimed, str(claimed), f"¥{claimed:,}"])),
        reasonable=reasonable,
        deduction_reason=reason,
        note="说明" if reason == DeductionReason.other else "",
    )


@st.composite
def bill_lists(draw: st.DrawFn) -> list[MedicalBill]:
    count = draw(st.integers(min_value=1, max_value=4))
    return [
        MedicalBill(f"{i:04d}", HOSPITAL, date(2026, 11, 3), draw(st.booleans()),
                    draw(st.lists(lines(), min_size=1, max_size=6)))
        for i in range(count)
    ]  # fmt: skip


@given(bills=bill_lists())
def test_the_totals_always_balance(bills: list[MedicalBill]) -> None:
    result = audit_bills(bills)
    every_line = [line for b in result.bills for line in b.lines]
    for line in every_line:
        assert line.claimed == line.reasonable + line.deducted
        assert line.deducted >= 0
        assert (line.deduction_reason is not None) == (line.deducted > 0)
    for b in result.bills:
        assert b.claimed_total == b.reasonable_total + b.deducted_total
    assert result.claimed_total == result.reasonable_total + result.deducted_total
    assert result.claimed_total == sum(b.claimed_total for b in result.bills)
    assert result.reasonable_total == sum(b.reasonable_total for b in result.bills)
    assert result.deducted_total == sum(b.deducted_total for b in result.bills)
    categories = result.by_category.values()
    assert sum(c.claimed for c in categories) == result.claimed_total
    assert sum(c.reasonable for c in categories) == result.reasonable_total
    assert sum(c.deducted for c in categories) == result.deducted_total
    assert sum(result.by_reason.values()) == result.deducted_total
    assert sum(c.claimed for c in categories) == (
        sum(result.by_reason.values()) + result.reasonable_total
    )
    shown = [
        *(x for line in every_line for x in (line.claimed, line.reasonable, line.deducted)),
        result.claimed_total,
        result.reasonable_total,
        result.deducted_total,
        *(x for c in categories for x in (c.claimed, c.reasonable, c.deducted)),
        *result.by_reason.values(),
    ]
    assert all(isinstance(x, Decimal) and x.as_tuple().exponent == -2 for x in shown)


@given(bills=bill_lists(), data=st.data())
def test_the_order_of_the_bills_does_not_change_the_totals(
    bills: list[MedicalBill], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(bills))
    before, after = audit_bills(bills), audit_bills(shuffled)
    assert (before.claimed_total, before.reasonable_total, before.deducted_total) == (
        after.claimed_total,
        after.reasonable_total,
        after.deducted_total,
    )
    assert before.by_category == after.by_category
    assert before.by_reason == after.by_reason


@given(bills=bill_lists(), data=st.data())
def test_one_bad_cell_among_good_ones_is_reported_alone(
    bills: list[MedicalBill], data: st.DataObject
) -> None:
    i = data.draw(st.integers(min_value=0, max_value=len(bills) - 1))
    j = data.draw(st.integers(min_value=0, max_value=len(bills[i].lines) - 1))
    line = bills[i].lines[j]
    claimed = audit_bills([bill("1", line)]).claimed_total
    broken = replace(line, reasonable=claimed + D("0.01"))
    bad = list(bills)
    bad[i] = replace(bills[i], lines=[*bills[i].lines[:j], broken, *bills[i].lines[j + 1 :]])
    with pytest.raises(RuleInputErrors) as caught:
        audit_bills(bad)
    assert [e.field for e in caught.value.errors] == [f"bills.{i}.lines.{j}.reasonable"]


# Bills dated before the accident (the bills above are dated 2026-11-03).

ACCIDENT = date(2026, 11, 3)


def test_a_bill_on_the_accident_day_is_a_cost_of_the_accident() -> None:
    assert audit_bills(EXAMPLE, ACCIDENT).reasonable_total == D("2015.50")


def test_a_bill_before_the_accident_with_a_reasonable_amount_is_refused() -> None:
    with pytest.raises(RuleInputErrors) as caught:
        audit_bills(EXAMPLE, date(2026, 11, 4))
    found = {error.field: error.message for error in caught.value.errors}
    assert set(found) == {"bills.0.date", "bills.1.date"}
    assert "早于事故日期 2026-11-04" in found["bills.0.date"]


def test_a_bill_before_the_accident_deducted_in_full_as_unrelated_is_kept() -> None:
    earlier = bill("9", Line("drugs", "降压药", "120.00", "0", deduction_reason="unrelated"))
    result = audit_bills([earlier], date(2026, 11, 10))
    assert (result.claimed_total, result.reasonable_total) == (D("120.00"), D("0.00"))
    assert result.by_reason == {DeductionReason.unrelated: D("120.00")}


def test_a_bill_before_the_accident_deducted_for_another_reason_is_refused() -> None:
    earlier = bill("9", Line("drugs", "降压药", "120.00", "0", deduction_reason="pre_existing"))
    with pytest.raises(RuleInputErrors) as caught:
        audit_bills([earlier], date(2026, 11, 10))
    assert [e.field for e in caught.value.errors] == ["bills.0.date"]


@given(bills=bill_lists(), days=st.integers(min_value=-400, max_value=0))
def test_an_accident_on_or_before_every_bill_changes_nothing(
    bills: list[MedicalBill], days: int
) -> None:
    assert audit_bills(bills, ACCIDENT + timedelta(days=days)) == audit_bills(bills)
