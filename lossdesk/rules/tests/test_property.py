from dataclasses import replace
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.money import MONEY, Number, to_fen
from lossdesk.rules.property import (
    DEFAULT_FLOOR,
    DEPRECIATED,
    USEFUL_LIFE,
    PropertyLineInput,
    PropertyLineResult,
    Treatment,
    assess_sheet,
    depreciation_rate,
)

Line = PropertyLineInput


def one(line: PropertyLineInput, floor: Number = DEFAULT_FLOOR) -> PropertyLineResult:
    return assess_sheet([line], floor).lines[0]


# The three worked examples of issue 11 §2.


def test_issue_example_replace_at_36_of_96_months_keeps_62_5_percent() -> None:
    line = one(Line("护栏板", Treatment.replace, 2, "5000.00", 36, 8))
    assert line.depreciation_rate == Decimal("0.625")
    assert not line.floored
    assert line.amount == Decimal("6250.00")
    assert str(line.amount) == "6250.00"


def test_issue_example_compensate_past_its_useful_life_keeps_the_10_percent_floor() -> None:
    line = one(Line("电脑", "compensate", 1, "500.00", 120, 5))
    assert line.depreciation_rate == Decimal("0.10")
    assert line.floored
    assert line.amount == Decimal("50.00")
    assert "按下限" in line.formula


def test_issue_example_repair_is_quantity_times_price_without_depreciation() -> None:
    line = one(Line("门面玻璃修复", "repair", 3, "120.00"))
    assert line.depreciation_rate == 1
    assert line.amount == Decimal("360.00")
    assert "不计折旧" in line.formula


def test_the_sheet_total_is_amounts_less_salvage() -> None:
    sheet = assess_sheet(
        [
            Line("波形梁护栏板", "replace", 2, "5000.00", 36, 8, salvage_value="300.00"),
            Line("立柱", "compensate", 1, "500.00", 120, 5),
            Line("护栏校正", "repair", 3, "120.00"),
            Line("现场清理", "clean_up", 1, "200"),
            Line("施工人工", "labour", "1.5", "180.00"),
        ]
    )
    assert [line.amount for line in sheet.lines] == [
        Decimal("6250.00"),
        Decimal("50.00"),
        Decimal("360.00"),
        Decimal("200.00"),
        Decimal("270.00"),
    ]
    assert sheet.amounts == Decimal("7130.00")
    assert sheet.salvage == Decimal("300.00")
    assert sheet.total == Decimal("6830.00")
    assert sheet.explanation[-1] == "定损合计 = 7130.00 − 300.00 = 6830.00"


# Our own examples.


def test_an_inexact_rate_is_kept_exact_and_only_the_amount_is_rounded() -> None:
    # 1 − 7 ÷ 96 = 0.927083…; 1000 × 0.927083… = 927.08, where 1000 × 0.9271 would be 927.10.
    line = one(Line("空调", "replace", 1, "1000.00", 7, 8))
    assert line.depreciation_rate == 1 - Decimal(7) / Decimal(96)
    assert line.amount == Decimal("927.08")
    assert "≈ 92.71%" in line.formula


def test_an_exact_half_fen_through_a_repeating_rate_rounds_up() -> None:
    # 成新率 1 − 8 ÷ 12 = 1/3; 1.5 × 0.01 × 1/3 = 0.005 exactly → 0.01.
    line = one(Line("垫片", "replace", "1.5", "0.01", 8, 1))
    assert line.amount == Decimal("0.01")


def test_the_amount_rounds_half_up_to_the_fen() -> None:
    # 1 × 0.05 × 0.5 = 0.025 → 0.03 (half up; banker's rounding would give 0.02).
    assert one(Line("螺栓", "replace", 1, "0.05", 6, 1)).amount == Decimal("0.03")
    assert one(Line("螺栓", "repair", "0.5", "0.05")).amount == Decimal("0.03")


def test_a_new_item_keeps_its_full_value_and_the_floor_is_reached_exactly_at_90_percent() -> None:
    assert one(Line("冰箱", "replace", 1, "3000", 0, 10)).depreciation_rate == 1
    at_floor = one(Line("冰箱", "replace", 1, "3000", 108, 10))
    assert at_floor.depreciation_rate == Decimal("0.1")
    assert not at_floor.floored  # 1 − 108 ÷ 120 is 0.1 itself
    assert one(Line("冰箱", "replace", 1, "3000", 109, 10)).floored


def test_the_floor_is_a_parameter() -> None:
    line = one(Line("服装", "compensate", 2, "400.00", 60, 3), floor="0.2")
    assert line.depreciation_rate == Decimal("0.2")
    assert line.amount == Decimal("160.00")
    assert one(Line("服装", "compensate", 2, "400.00", 60, 3), floor=0).amount == 0
    assert assess_sheet([], "0.3").floor == Decimal("0.3")


def test_a_fractional_useful_life_is_allowed() -> None:
    assert one(Line("灯具", "replace", 1, "100", 15, "2.5")).depreciation_rate == Decimal("0.5")


def test_lines_that_do_not_depreciate_ignore_age_and_useful_life() -> None:
    line = one(Line("清运", "clean_up", 2, "50", 500, None))
    assert line.amount == Decimal("100.00")


def test_salvage_may_equal_its_line_amount() -> None:
    sheet = assess_sheet([Line("废铁", "replace", 1, "100", 0, 5, salvage_value="100.00")])
    assert sheet.total == 0


def test_an_empty_sheet_totals_zero() -> None:
    sheet = assess_sheet([])
    assert (sheet.amounts, sheet.salvage, sheet.total) == (0, 0, 0)
    assert str(sheet.total) == "0.00"


def test_amounts_accept_typed_text() -> None:
    assert one(Line("门头", "repair", "1", "1,280.00")).amount == Decimal("1280.00")


@pytest.mark.parametrize(
    ("line", "field"),
    [
        (Line("", "replace", 1, 100, 1, 5), "lines.0.name"),
        (Line("桌子", "rebuild", 1, 100, 1, 5), "lines.0.treatment"),
        (Line("桌子", "replace", 0, 100, 1, 5), "lines.0.quantity"),
        (Line("桌子", "replace", -1, 100, 1, 5), "lines.0.quantity"),
        (Line("桌子", "replace", "0.001", 100, 1, 5), "lines.0.quantity"),
        (Line("桌子", "replace", "1000000", 100, 1, 5), "lines.0.quantity"),
        (Line("桌子", "replace", 1.0, 100, 1, 5), "lines.0.quantity"),  # type: ignore[arg-type]
        (Line("桌子", "replace", 1, "-0.01", 1, 5), "lines.0.unit_price"),
        (Line("桌子", "replace", 1, "10000000000", 1, 5), "lines.0.unit_price"),
        (Line("桌子", "replace", 1, "1.005", 1, 5), "lines.0.unit_price"),
        (Line("桌子", "replace", 1, 100, -1, 5), "lines.0.months_used"),
        (Line("桌子", "repair", 1, 100, -1, 5), "lines.0.months_used"),
        (Line("桌子", "replace", 1, 100, None, 5), "lines.0.months_used"),
        (Line("桌子", "replace", 1, 100, "3", 5), "lines.0.months_used"),  # type: ignore[arg-type]
        (Line("桌子", "replace", 1, 100, 1, 0), "lines.0.useful_life_years"),
        (Line("桌子", "compensate", 1, 100, 1, -5), "lines.0.useful_life_years"),
        (Line("桌子", "replace", 1, 100, 1, None), "lines.0.useful_life_years"),
        (Line("桌子", "replace", 1, 100, 1, "1000"), "lines.0.useful_life_years"),
        (Line("桌子", "replace", 1, 100, 1, "2.555"), "lines.0.useful_life_years"),
        (Line("桌子", "replace", 1, 100, 1, 5, "98.34"), "lines.0.salvage_value"),
        (Line("桌子", "repair", 1, 100, salvage_value="-1"), "lines.0.salvage_value"),
        (Line("桌子", "repair", 999_999, "9999999999.99"), "lines.0.unit_price"),
    ],
)
def test_bad_input_names_its_field_in_chinese(line: PropertyLineInput, field: str) -> None:
    with pytest.raises(RuleInputError) as caught:
        assess_sheet([Line("门面", "repair", 1, 1), line])
    assert caught.value.field == field.replace("lines.0", "lines.1")
    assert any("\u4e00" <= char <= "\u9fff" for char in caught.value.message)


def test_a_floor_outside_0_to_1_is_an_input_error_on_floor() -> None:
    with pytest.raises(RuleInputError) as caught:
        assess_sheet([], "1.5")
    assert caught.value.field == "floor"


def test_a_sheet_whose_lines_add_up_beyond_the_money_limit_is_refused_on_lines() -> None:
    big = Line("厂房", "repair", 100, "9999999999.99")  # 999,999,999,999.00 on its own
    assert one(big).amount == Decimal("999999999999.00")
    with pytest.raises(RuleInputError) as caught:
        assess_sheet([big, Line("设备", "repair", 1, "1.00")])
    assert caught.value.field == "lines"


def test_every_useful_life_default_is_positive_and_cites_its_source() -> None:
    assert {"guardrail", "appliance", "computer", "clothing"} <= USEFUL_LIFE.keys()
    assert USEFUL_LIFE["guardrail"].years == 10
    assert USEFUL_LIFE["appliance"].years == 8
    assert USEFUL_LIFE["computer"].years == 5
    assert USEFUL_LIFE["clothing"].years == 3
    assert USEFUL_LIFE["electronics"].years == 3  # 企业所得税法实施条例 第六十条（五）
    for entry in USEFUL_LIFE.values():
        assert entry.years > 0
        assert entry.label and len(entry.source) > 10


def test_docs_property_lists_every_useful_life_default_with_its_years() -> None:
    doc = Path(__file__).resolve().parents[3] / "docs" / "property.md"
    rows = {}
    section = doc.read_text(encoding="utf-8").split("## Useful-life defaults")[1]
    for row in section.split("\n### ")[0].splitlines():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if len(cells) == 4 and cells[0].startswith("`") and cells[2].isdigit():
            rows[cells[0].strip("`")] = int(cells[2])
    assert rows == {key: entry.years for key, entry in USEFUL_LIFE.items()}


def test_a_useful_life_default_prefills_a_line() -> None:
    life = USEFUL_LIFE["appliance"].years
    line = one(Line("电视机", "replace", 1, "4000", 24, life))
    assert line.depreciation_rate == Decimal("0.75")
    assert line.amount == Decimal("3000.00")


# Properties of the rule.

months_st = st.integers(min_value=0, max_value=1200)
life_st = st.integers(min_value=1, max_value=50) | st.decimals(
    min_value=Decimal("0.5"), max_value=50, places=1
)
floor_st = st.decimals(min_value=0, max_value=1, places=2)
quantity_st = st.decimals(min_value=Decimal("0.01"), max_value=10_000, places=2)
price_st = st.decimals(min_value=0, max_value=1_000_000, places=2)
treatment_st = st.sampled_from(list(Treatment))


@given(months=months_st, life=life_st, floor=floor_st)
def test_the_rate_always_lies_between_the_floor_and_1(
    months: int, life: Decimal, floor: Decimal
) -> None:
    rate, floored = depreciation_rate(months, Decimal(life), floor)
    assert floor <= rate <= 1
    assert floored == (1 - Decimal(months) / (Decimal(life) * 12) < floor)


@given(months=months_st, later=st.integers(min_value=0, max_value=120), life=life_st)
def test_the_rate_never_rises_with_months_used(months: int, later: int, life: Decimal) -> None:
    older, _ = depreciation_rate(months + later, Decimal(life))
    newer, _ = depreciation_rate(months, Decimal(life))
    assert older <= newer


def expected_amount(
    treatment: Treatment,
    quantity: Decimal,
    price: Decimal,
    months: int,
    life: Decimal,
    floor: Decimal,
) -> Decimal:
    """The rule of issue 11 §2 with enough precision that only the final rounding counts."""
    with localcontext() as context:
        context.prec = 80
        if treatment not in DEPRECIATED:
            return to_fen(quantity * price)
        exact = quantity * price * (life * 12 - months) / (life * 12)
        return to_fen(max(exact, quantity * price * floor))


@given(
    treatment=treatment_st,
    quantity=quantity_st,
    price=price_st,
    months=months_st,
    life=life_st,
    floor=floor_st,
)
def test_a_line_amount_never_exceeds_quantity_times_price(
    treatment: Treatment,
    quantity: Decimal,
    price: Decimal,
    months: int,
    life: Decimal,
    floor: Decimal,
) -> None:
    line = one(Line("物品", treatment, quantity, price, months, life), floor)
    assert 0 <= line.amount <= to_fen(quantity * price)
    assert line.amount == expected_amount(treatment, quantity, price, months, Decimal(life), floor)
    if treatment not in DEPRECIATED:
        assert line.depreciation_rate == 1
        assert line.amount == to_fen(quantity * price)


@st.composite
def sheets(draw: st.DrawFn) -> list[PropertyLineInput]:
    lines = []
    for _ in range(draw(st.integers(min_value=0, max_value=6))):
        line = Line(
            "物品",
            draw(treatment_st),
            draw(quantity_st),
            draw(price_st),
            draw(months_st),
            draw(life_st),
        )
        amount = one(line).amount
        salvage = draw(st.decimals(min_value=0, max_value=amount, places=2))
        lines.append(replace(line, salvage_value=salvage))
    return lines


@given(lines=sheets())
def test_the_total_is_the_sum_of_amounts_less_the_sum_of_salvage(
    lines: list[PropertyLineInput],
) -> None:
    sheet = assess_sheet(lines)
    assert sheet.amounts == sum(line.amount for line in sheet.lines)
    assert sheet.salvage == sum(Decimal(line.salvage_value) for line in lines)
    assert sheet.total == sheet.amounts - sheet.salvage
    assert 0 <= sheet.total <= MONEY.maximum
    assert sheet.total == sheet.total.quantize(Decimal("0.01"))


bad_value_st = st.one_of(
    st.integers(max_value=-1),
    st.floats(allow_nan=True),
    st.text(max_size=5),
    st.none(),
    st.decimals(allow_nan=True, allow_infinity=True),
)


@given(
    field=st.sampled_from(
        ["quantity", "unit_price", "months_used", "useful_life_years", "salvage_value"]
    ),
    value=bad_value_st,
    treatment=st.sampled_from([Treatment.replace, Treatment.compensate]),
)
def test_every_refusal_names_the_field_of_the_line(
    field: str, value: object, treatment: Treatment
) -> None:
    good = {
        "quantity": 1,
        "unit_price": "100",
        "months_used": 12,
        "useful_life_years": 5,
        "salvage_value": 0,
    }
    line = Line("物品", treatment, **{**good, field: value})  # type: ignore[arg-type]
    try:
        assess_sheet([line])
    except RuleInputError as error:
        assert error.field == f"lines.0.{field}"
        assert error.message
