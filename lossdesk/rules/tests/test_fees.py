import ast
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.errors import RuleInputError, RuleInputErrors
from lossdesk.rules.fees import (
    Bracket,
    FeeCase,
    FeeLine,
    FeeMode,
    FeeTerms,
    compute_fee,
    parse_terms,
    progressive_parts,
)
from lossdesk.rules.money import to_fen

# The contract bodies of issue 14 §7, verbatim.
PERCENTAGE = {"mode": "percentage", "rate": "0.03", "minimum": "300.00", "maximum": "5000.00"}
BRACKETS = [
    {"up_to": "10000.00", "rate": "0.04"},
    {"up_to": "50000.00", "rate": "0.03"},
    {"up_to": None, "rate": "0.02"},
]
PROGRESSIVE = {"mode": "progressive", "brackets": BRACKETS}
FLAT_BRACKET = {"mode": "flat_bracket", "brackets": BRACKETS}
PER_CASE = {"mode": "per_case", "amount": "200.00"}
# The case of issue 14 §7, verbatim (the API's body; the rules take it as FeeCase).
ISSUE_CASE = {
    "line": "motor",
    "approved_amount": "8115.00",
    "cancelled_after_survey": False,
    "distance_km": "12",
    "night": False,
    "loss_items": 2,
}


def fee(terms, amount, **case) -> Decimal:
    return compute_fee(terms, FeeCase("motor", amount, **case)).fee


def errors_of(caught) -> dict[str, str]:
    exc = caught.value
    found = exc.errors if isinstance(exc, RuleInputErrors) else [exc]
    return {error.field: error.message for error in found}


# The worked examples of issue 14 §7.


def test_issue_example_3_percent_of_8115_is_below_the_minimum_and_earns_300() -> None:
    result = compute_fee(PERCENTAGE, FeeCase(**ISSUE_CASE))
    assert result.fee == Decimal("300.00")
    assert str(result.fee) == "300.00"
    assert "8115.00 × 3% = 243.45" in result.explanation[1]
    assert "低于最低收费，按最低收费 300.00" in result.explanation[1]


def test_issue_example_3_percent_of_250000_is_capped_at_5000() -> None:
    result = compute_fee(PERCENTAGE, FeeCase("motor", "250000.00"))
    assert result.fee == Decimal("5000.00")
    assert "高于最高收费，按最高收费 5000.00" in result.explanation[1]


def test_issue_example_progressive_on_60000_is_400_plus_1200_plus_200() -> None:
    result = compute_fee(PROGRESSIVE, FeeCase("motor", "60000.00"))
    parts = [
        to_fen(part)
        for _, part in progressive_parts(parse_terms(PROGRESSIVE).brackets, Decimal("60000.00"))
    ]
    assert parts == [Decimal("400.00"), Decimal("1200.00"), Decimal("200.00")]
    assert result.fee == Decimal("1800.00")
    assert result.explanation[1] == (
        "基本费（超额累进）：10000.00 × 4% = 400.00；(50000.00 − 10000.00) × 3% = 1200.00；"
        "(60000.00 − 50000.00) × 2% = 200.00；合计 1800.00"
    )
    assert result.explanation[-1] == "公估费 = 1800.00"


def test_issue_example_flat_bracket_on_60000_is_the_whole_amount_at_2_percent() -> None:
    result = compute_fee(FLAT_BRACKET, FeeCase("motor", "60000.00"))
    assert result.fee == Decimal("1200.00")
    assert "在第 3 档（50000.00 以上）" in result.explanation[1]


def test_per_case_is_its_amount_whatever_the_approved_amount() -> None:
    assert fee(PER_CASE, "0") == fee(PER_CASE, "999999.99") == Decimal("200.00")


# Our own examples.


def test_extras_add_up_each_on_its_own_line() -> None:
    terms = {
        **PERCENTAGE,
        "per_item": "50.00",
        "km_rate": "2.50",
        "km_threshold": "10",
        "night_surcharge": "100.00",
    }
    result = compute_fee(terms, FeeCase(**{**ISSUE_CASE, "night": True}))
    assert [(c.code, c.amount) for c in result.components] == [
        ("base", Decimal("300.00")),
        ("per_item", Decimal("100.00")),
        ("distance", Decimal("5.00")),
        ("night", Decimal("100.00")),
    ]
    assert result.fee == Decimal("505.00")
    assert result.explanation == [
        "车险收费，按核定金额比例",
        "基本费（按核定金额比例）：8115.00 × 3% = 243.45，低于最低收费，按最低收费 300.00",
        "标的费：2 个损失标的 × 50.00 = 100.00",
        "远程查勘费：(12 − 10) km × 2.50 = 5.00",
        "夜间/节假日加收：夜间或节假日查勘，加收 100.00",
        "公估费 = 300.00 + 100.00 + 5.00 + 100.00 = 505.00",
    ]


def test_a_distance_within_the_threshold_and_a_day_survey_add_nothing_but_are_explained() -> None:
    terms = {**PER_CASE, "km_rate": "3", "km_threshold": "30", "night_surcharge": "80"}
    result = compute_fee(terms, FeeCase("property", "1000", distance_km="12"))
    assert result.fee == Decimal("200.00")
    assert result.explanation[2] == "远程查勘费：(12 − 30) km 不足起算里程，按 0 km × 3.00 = 0.00"
    assert result.explanation[3] == "夜间/节假日加收：非夜间或节假日，不加收，0.00"
    assert result.explanation[0] == "物损收费，按件固定"


def test_rescues_and_re_surveys_are_charged_per_occurrence_each_on_its_own_line() -> None:
    terms = {**PER_CASE, "rescue_fee": "150.00", "resurvey_fee": "80.00"}
    result = compute_fee(terms, FeeCase("motor", "5000", rescues=2, resurveys=1))
    assert [(c.code, c.amount) for c in result.components] == [
        ("base", Decimal("200.00")),
        ("rescue", Decimal("300.00")),
        ("resurvey", Decimal("80.00")),
    ]
    assert result.fee == Decimal("580.00")
    assert result.explanation[2:] == [
        "救援协调费：2 次救援协调 × 150.00 = 300.00",
        "复勘费：1 次复勘 × 80.00 = 80.00",
        "公估费 = 200.00 + 300.00 + 80.00 = 580.00",
    ]


def test_a_case_without_rescues_or_re_surveys_shows_them_at_nought() -> None:
    terms = {**PER_CASE, "rescue_fee": "150", "resurvey_fee": "80"}
    result = compute_fee(terms, FeeCase("motor", "5000"))
    assert result.fee == Decimal("200.00")
    assert result.explanation[2] == "救援协调费：0 次救援协调 × 150.00 = 0.00"


def test_the_night_window_is_the_contracts_or_22_to_6() -> None:
    assert str(parse_terms({**PER_CASE, "night_surcharge": "80"}).night_window) == "22:00–06:00"
    terms = parse_terms({**PER_CASE, "night_surcharge": "80", "night_from": "20:30"})
    assert str(terms.night_window) == "20:30–06:00"
    assert terms.as_json() == {**PER_CASE, "night_surcharge": "80.00", "night_from": "20:30"}


def test_km_rate_without_a_threshold_charges_every_km() -> None:
    assert fee({**PER_CASE, "km_rate": "1.5"}, "0", distance_km="7") == Decimal("210.50")


def test_a_component_is_rounded_half_up_once_at_its_end() -> None:
    # 0.5 × 0.01 = 0.005 → 0.01 (banker's rounding would give 0.00).
    assert fee({"mode": "percentage", "rate": "0.01"}, "0.50") == Decimal("0.01")
    # Progressive: 0.004 + 0.001 = 0.005 → 0.01 once; rounding each bracket would give 0.00.
    terms = {
        "mode": "progressive",
        "brackets": [
            {"up_to": "0.10", "rate": "0.04"},
            {"up_to": None, "rate": "0.01"},
        ],
    }
    result = compute_fee(terms, FeeCase("motor", "0.20"))
    assert result.fee == Decimal("0.01")
    assert (
        "0.10 × 4% = 0.004；(0.20 − 0.10) × 1% = 0.001；合计 0.005 ≈ 0.01"
        in (result.explanation[1])
    )
    # The distance: 0.33 km × 0.05 = 0.0165 → 0.02.
    assert fee({**PER_CASE, "km_rate": "0.05"}, "0", distance_km="0.33") == Decimal("200.02")


def test_a_bracket_covers_its_up_to_and_the_next_starts_above_it() -> None:
    assert fee(FLAT_BRACKET, "10000.00") == Decimal("400.00")  # 4% of 10000
    assert fee(FLAT_BRACKET, "10000.01") == Decimal("300.00")  # 3% of 10000.01
    assert fee(FLAT_BRACKET, "50000.00") == Decimal("1500.00")
    assert fee(FLAT_BRACKET, "50000.01") == Decimal("1000.00")
    assert fee(FLAT_BRACKET, "0") == Decimal("0.00")
    assert fee(PROGRESSIVE, "10000.00") == Decimal("400.00")
    assert fee(PROGRESSIVE, "0") == Decimal("0.00")


def test_bracket_modes_take_a_minimum_and_a_maximum() -> None:
    terms = {**FLAT_BRACKET, "minimum": "500", "maximum": "1000"}
    assert fee(terms, "5000.00") == Decimal("500.00")
    assert fee(terms, "60000.00") == Decimal("1000.00")
    assert fee({**PROGRESSIVE, "minimum": "500"}, "100") == Decimal("500.00")


def test_cancelled_before_the_survey_earns_nothing_after_it_only_the_cancellation_fee() -> None:
    terms = {**PERCENTAGE, "per_item": "50", "night_surcharge": "80", "cancellation_fee": "150"}
    before = compute_fee(terms, FeeCase("motor", cancelled=True, night=True, loss_items=2))
    assert before.fee == Decimal("0.00")
    assert before.explanation[1] == "注销费：查勘开始前注销：不收费，0.00"
    after = compute_fee(terms, FeeCase("motor", "8115", cancelled_after_survey=True, night=True))
    assert after.fee == Decimal("150.00")
    assert [c.code for c in after.components] == ["cancellation"]
    assert after.explanation[1] == "注销费：查勘开始后注销：只收注销费 150.00"
    # No cancellation fee in the contract: 0 after the survey too.
    none = compute_fee(PERCENTAGE, FeeCase("motor", cancelled_after_survey=True))
    assert none.fee == Decimal("0.00")
    assert "合同未约定注销费" in none.explanation[1]


def test_the_canonical_body_reads_back_as_the_same_terms() -> None:
    body = {
        "mode": "progressive",
        "brackets": [
            {"up_to": 10000, "rate": 0.04},
            {"from": "10000", "up_to": "50,000", "rate": "0.030"},
            {"up_to": None, "rate": "0.02"},
        ],
        "minimum": "300",
        "km_rate": "2",
        "km_threshold": "10.50",
        "cancellation_fee": 0,
    }
    terms = parse_terms(body)
    assert terms.brackets == (
        Bracket(Decimal(0), Decimal("10000"), Decimal("0.04")),
        Bracket(Decimal("10000"), Decimal("50000"), Decimal("0.030")),
        Bracket(Decimal("50000"), None, Decimal("0.02")),
    )
    canonical = terms.as_json()
    assert canonical == {
        "mode": "progressive",
        "brackets": [
            {"up_to": "10000.00", "rate": "0.04"},
            {"up_to": "50000.00", "rate": "0.03"},
            {"up_to": None, "rate": "0.02"},
        ],
        "minimum": "300.00",
        "km_rate": "2.00",
        "km_threshold": "10.5",
        "cancellation_fee": "0.00",
    }
    assert parse_terms(canonical) == terms
    assert parse_terms(PERCENTAGE).as_json() == PERCENTAGE


@pytest.mark.parametrize(
    ("brackets", "field", "says"),
    [
        # Out of order / overlapping: the second ends below the first.
        (
            [
                {"up_to": "100", "rate": "0.1"},
                {"up_to": "50", "rate": "0.1"},
                {"up_to": None, "rate": "0.1"},
            ],
            "brackets.1.up_to",
            "须大于上一档的上限 100.00",
        ),
        (
            [
                {"up_to": "100", "rate": "0.1"},
                {"up_to": "100", "rate": "0.1"},
                {"up_to": None, "rate": "0.1"},
            ],
            "brackets.1.up_to",
            "不能重叠",
        ),
        # Named lower ends that overlap or leave a gap.
        (
            [{"up_to": "100", "rate": "0.1"}, {"from": "90", "up_to": None, "rate": "0.1"}],
            "brackets.1.from",
            "重叠",
        ),
        (
            [{"up_to": "100", "rate": "0.1"}, {"from": "120", "up_to": None, "rate": "0.1"}],
            "brackets.1.from",
            "空档",
        ),
        ([{"from": "10", "up_to": None, "rate": "0.1"}], "brackets.0.from", "空档"),
        # The last bracket is not open-ended; an open end before the last.
        (
            [{"up_to": "100", "rate": "0.1"}, {"up_to": "200", "rate": "0.1"}],
            "brackets.1.up_to",
            "最后一档须不设上限",
        ),
        (
            [{"up_to": None, "rate": "0.1"}, {"up_to": None, "rate": "0.1"}],
            "brackets.0.up_to",
            "只有最后一档",
        ),
        (
            [{"up_to": "0", "rate": "0.1"}, {"up_to": None, "rate": "0.1"}],
            "brackets.0.up_to",
            "大于 0",
        ),
        # Missing or bad values of one bracket.
        ([{"rate": "0.1"}], "brackets.0.up_to", "须填写本档上限"),
        ([{"up_to": None}], "brackets.0.rate", "须填写"),
        ([{"up_to": None, "rate": "1.5"}], "brackets.0.rate", "0 到 1"),
        ([{"up_to": None, "rate": "0.0000001"}], "brackets.0.rate", "6 位小数"),
        (
            [{"up_to": "-5", "rate": "0.1"}, {"up_to": None, "rate": "0.1"}],
            "brackets.0.up_to",
            "不能小于 0",
        ),
        ([{"up_to": None, "rate": "0.1", "upto": "5"}], "brackets.0.upto", "未知字段"),
        (["10%"], "brackets.0", "每一档"),
        ([], "brackets", "至少一档"),
        ({"up_to": None, "rate": "0.1"}, "brackets", "列表"),
    ],
)
def test_bad_brackets_name_the_bracket(brackets, field, says) -> None:
    for mode in ("progressive", "flat_bracket"):
        with pytest.raises(RuleInputError) as caught:
            parse_terms({"mode": mode, "brackets": brackets})
        assert caught.value.field == field
        assert says in caught.value.message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "mode"),
        ([], "mode"),
        ({"mode": "hourly"}, "mode"),
        ({"mode": "percentage"}, "rate"),
        ({"mode": "percentage", "rate": "3"}, "rate"),
        ({"mode": "percentage", "rate": "-0.01"}, "rate"),
        ({"mode": "percentage", "rate": "1e-2"}, "rate"),
        ({"mode": "percentage", "rate": True}, "rate"),
        ({"mode": "percentage", "rate": "0.03", "minimum": "abc"}, "minimum"),
        ({"mode": "percentage", "rate": "0.03", "minimum": "300.001"}, "minimum"),
        ({"mode": "percentage", "rate": "0.03", "minimum": "500", "maximum": "400"}, "maximum"),
        ({"mode": "percentage", "rate": "0.03", "amount": "200"}, "amount"),
        ({"mode": "percentage", "rate": "0.03", "brackets": BRACKETS}, "brackets"),
        ({"mode": "percentage", "rate": "0.03", "fee": "1"}, "fee"),
        ({"mode": "progressive"}, "brackets"),
        ({"mode": "per_case"}, "amount"),
        ({"mode": "per_case", "amount": "200", "minimum": "100"}, "minimum"),
        ({"mode": "per_case", "amount": "200", "rate": "0.03"}, "rate"),
        ({"mode": "per_case", "amount": "200", "per_item": "-1"}, "per_item"),
        ({"mode": "per_case", "amount": "200", "km_threshold": "10"}, "km_threshold"),
        ({"mode": "per_case", "amount": "200", "km_rate": "10000000000"}, "km_rate"),
        (
            {"mode": "per_case", "amount": "200", "km_rate": "1", "km_threshold": "1000000"},
            "km_threshold",
        ),
        ({"mode": "per_case", "amount": "200", "night_surcharge": [1]}, "night_surcharge"),
        ({"mode": "per_case", "amount": "1000000000000"}, "amount"),
        ({"mode": "per_case", "amount": "200", "rescue_fee": "-1"}, "rescue_fee"),
        ({"mode": "per_case", "amount": "200", "resurvey_fee": "x"}, "resurvey_fee"),
        ({"mode": "per_case", "amount": "200", "night_from": "22:00"}, "night_from"),
        (
            {"mode": "per_case", "amount": "200", "night_surcharge": "1", "night_to": "6:00"},
            "night_to",
        ),
        (
            {"mode": "per_case", "amount": "200", "night_surcharge": "1", "night_from": "24:00"},
            "night_from",
        ),
        (
            {"mode": "per_case", "amount": "200", "night_surcharge": "1", "night_to": "22:00"},
            "night_to",
        ),
    ],
)
def test_bad_terms_name_their_key_in_chinese(body, field) -> None:
    with pytest.raises(RuleInputError) as caught:
        parse_terms(body)
    messages = errors_of(caught)
    assert field in messages
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in text) for text in messages.values())


def test_every_bad_key_is_named_at_once() -> None:
    with pytest.raises(RuleInputErrors) as caught:
        parse_terms({"mode": "percentage", "rate": "2", "minimum": "x", "colour": "red"})
    assert set(errors_of(caught)) == {"rate", "minimum", "colour"}


@pytest.mark.parametrize(
    ("case", "field"),
    [
        (FeeCase("boat", "100"), "line"),
        (FeeCase("motor"), "approved_amount"),
        (FeeCase("motor", "-1"), "approved_amount"),
        (FeeCase("motor", 1.5), "approved_amount"),  # type: ignore[arg-type]
        (FeeCase("motor", "100", distance_km="-3"), "distance_km"),
        (FeeCase("motor", "100", distance_km="1.234"), "distance_km"),
        (FeeCase("motor", "100", loss_items=-1), "loss_items"),
        (FeeCase("motor", "100", loss_items="2"), "loss_items"),  # type: ignore[arg-type]
        (FeeCase("motor", "100", loss_items=True), "loss_items"),
        (FeeCase("motor", "100", night="yes"), "night"),  # type: ignore[arg-type]
        (FeeCase("motor", "100", rescues=-1), "rescues"),
        (FeeCase("motor", "100", rescues=True), "rescues"),
        (FeeCase("motor", "100", resurveys=100), "resurveys"),
        (FeeCase("motor", "100", resurveys="1"), "resurveys"),  # type: ignore[arg-type]
        (
            FeeCase("motor", "100", cancelled_after_survey=True, cancelled=False),
            "cancelled_after_survey",
        ),
    ],
)
def test_bad_case_input_names_the_case_key(case, field) -> None:
    with pytest.raises(RuleInputError) as caught:
        compute_fee(PERCENTAGE, case)
    assert caught.value.field == field


def test_per_item_needs_the_number_of_loss_items() -> None:
    with pytest.raises(RuleInputError) as caught:
        compute_fee({**PER_CASE, "per_item": "50"}, FeeCase("motor", "100"))
    assert caught.value.field == "loss_items"
    assert fee({**PER_CASE, "per_item": "50"}, "100", loss_items=0) == Decimal("200.00")


def test_a_fee_beyond_the_money_limit_is_refused_on_the_input_that_drove_it() -> None:
    terms = {**PER_CASE, "km_rate": "9999999999.99"}
    with pytest.raises(RuleInputError) as caught:
        compute_fee(terms, FeeCase("motor", "0", distance_km="999999.99"))
    assert caught.value.field == "distance_km"
    with pytest.raises(RuleInputError) as caught:
        compute_fee({**PER_CASE, "rescue_fee": "99999999999.99"}, FeeCase("motor", "0", rescues=99))
    assert caught.value.field == "rescues"
    huge = {"mode": "per_case", "amount": "999999999999.99", "night_surcharge": "1"}
    with pytest.raises(RuleInputError) as caught:
        compute_fee(huge, FeeCase("motor", "0", night=True))
    assert caught.value.field == "approved_amount"


def test_the_enums_name_the_modes_and_the_claims_loss_lines() -> None:
    assert [m.value for m in FeeMode] == ["percentage", "progressive", "flat_bracket", "per_case"]
    assert [line.value for line in FeeLine] == ["motor", "property", "injury"]
    assert isinstance(parse_terms(PER_CASE), FeeTerms)


# Properties of the rules.

amount_st = st.decimals(min_value=0, max_value=10_000_000, places=2)
rate_st = st.decimals(min_value=0, max_value=1, places=4)
money_st = st.decimals(min_value=0, max_value=100_000, places=2)


@st.composite
def bracket_tables(draw) -> list[dict]:
    """1 to 6 brackets with strictly rising ends, the last open."""
    ends = draw(
        st.lists(
            st.decimals(min_value=Decimal("0.01"), max_value=5_000_000, places=2),
            max_size=5,
            unique=True,
        )
    )
    rates = draw(st.lists(rate_st, min_size=len(ends) + 1, max_size=len(ends) + 1))
    ups = [str(end) for end in sorted(ends)] + [None]
    return [{"up_to": up, "rate": str(r)} for up, r in zip(ups, rates, strict=True)]


def exact_progressive(table: list[dict], amount: Decimal) -> Decimal:
    """Σ over brackets of rate × the part of the amount inside, computed independently."""
    with localcontext() as context:
        context.prec = 60
        total, lower = Decimal(0), Decimal(0)
        for bracket in table:
            top = amount if bracket["up_to"] is None else Decimal(bracket["up_to"])
            total += max(min(amount, top) - lower, Decimal(0)) * Decimal(bracket["rate"])
            if bracket["up_to"] is not None:
                lower = Decimal(bracket["up_to"])
        return total


@given(amount=amount_st, rate=rate_st, low=money_st, span=money_st)
def test_a_percentage_fee_lies_within_minimum_and_maximum(amount, rate, low, span) -> None:
    terms = {
        "mode": "percentage",
        "rate": str(rate),
        "minimum": str(low),
        "maximum": str(low + span),
    }
    result = fee(terms, amount)
    assert low <= result <= low + span
    assert result == min(max(to_fen(amount * rate), low), low + span)


@given(table=bracket_tables(), amount=amount_st)
def test_a_progressive_fee_is_the_sum_over_its_brackets(table, amount) -> None:
    assert fee({"mode": "progressive", "brackets": table}, amount) == to_fen(
        exact_progressive(table, amount)
    )


@given(table=bracket_tables(), amount=amount_st, more=amount_st)
def test_a_progressive_fee_never_falls_as_the_amount_rises(table, amount, more) -> None:
    terms = {"mode": "progressive", "brackets": table}
    assert fee(terms, amount) <= fee(terms, amount + more)


@given(table=bracket_tables(), amount=amount_st)
def test_a_progressive_fee_is_continuous_a_fen_more_adds_at_most_a_fen(table, amount) -> None:
    terms = {"mode": "progressive", "brackets": table}
    assert 0 <= fee(terms, amount + Decimal("0.01")) - fee(terms, amount) <= Decimal("0.01")


@given(table=bracket_tables())
def test_a_progressive_fee_has_no_jump_at_any_bracket_end(table) -> None:
    terms = {"mode": "progressive", "brackets": table}
    for bracket in table[:-1]:
        end = Decimal(bracket["up_to"])
        step = fee(terms, end + Decimal("0.01")) - fee(terms, end)
        assert 0 <= step <= Decimal("0.01")


@given(table=bracket_tables(), amount=amount_st)
def test_a_flat_bracket_fee_takes_the_bracket_containing_the_amount(table, amount) -> None:
    lower, chosen = Decimal(0), None
    for bracket in table:
        up = None if bracket["up_to"] is None else Decimal(bracket["up_to"])
        if (amount > lower or amount == 0) and (up is None or amount <= up):
            chosen = Decimal(bracket["rate"])
            break
        lower = up
    assert chosen is not None
    assert fee({"mode": "flat_bracket", "brackets": table}, amount) == to_fen(amount * chosen)


@given(table=bracket_tables())
def test_a_flat_bracket_end_belongs_to_its_own_bracket(table) -> None:
    terms = {"mode": "flat_bracket", "brackets": table}
    for i, bracket in enumerate(table[:-1]):
        end = Decimal(bracket["up_to"])
        assert fee(terms, end) == to_fen(end * Decimal(bracket["rate"]))
        above = end + Decimal("0.01")
        assert fee(terms, above) == to_fen(above * Decimal(table[i + 1]["rate"]))


@given(
    amount=amount_st,
    per_item=money_st,
    items=st.integers(min_value=0, max_value=50),
    km_rate=st.decimals(min_value=0, max_value=100, places=2),
    threshold=st.decimals(min_value=0, max_value=500, places=2),
    distance=st.decimals(min_value=0, max_value=2000, places=2),
    surcharge=money_st,
    night=st.booleans(),
    rescue_fee=money_st,
    rescues=st.integers(min_value=0, max_value=99),
    resurvey_fee=money_st,
    resurveys=st.integers(min_value=0, max_value=99),
)
def test_extras_add_up_on_the_base_fee(
    amount,
    per_item,
    items,
    km_rate,
    threshold,
    distance,
    surcharge,
    night,
    rescue_fee,
    rescues,
    resurvey_fee,
    resurveys,
) -> None:
    terms = {
        **PERCENTAGE,
        "per_item": str(per_item),
        "km_rate": str(km_rate),
        "km_threshold": str(threshold),
        "night_surcharge": str(surcharge),
        "rescue_fee": str(rescue_fee),
        "resurvey_fee": str(resurvey_fee),
    }
    case = FeeCase(
        "injury",
        amount,
        distance_km=distance,
        night=night,
        loss_items=items,
        rescues=rescues,
        resurveys=resurveys,
    )
    result = compute_fee(terms, case)
    base = fee(PERCENTAGE, amount)
    expected = (
        base
        + to_fen(per_item * items)
        + to_fen(max(distance - threshold, 0) * km_rate)
        + (surcharge if night else 0)
        + to_fen(rescue_fee * rescues)
        + to_fen(resurvey_fee * resurveys)
    )
    assert result.fee == expected
    assert result.fee == sum(c.amount for c in result.components)
    assert all(c.amount >= 0 for c in result.components)
    assert len(result.explanation) == 2 + len(result.components)


@given(
    amount=amount_st,
    cancellation=st.none() | money_st,
    after=st.booleans(),
    night=st.booleans(),
    distance=st.decimals(min_value=0, max_value=2000, places=2),
)
def test_a_cancelled_case_earns_the_cancellation_fee_after_the_survey_else_nothing(
    amount, cancellation, after, night, distance
) -> None:
    terms = {**PERCENTAGE, "night_surcharge": "100", "km_rate": "2", "per_item": "30"}
    if cancellation is not None:
        terms["cancellation_fee"] = str(cancellation)
    result = compute_fee(
        terms,
        FeeCase(
            "motor",
            amount,
            cancelled=True,
            cancelled_after_survey=after,
            night=night,
            distance_km=distance,
            loss_items=3,
        ),
    )
    assert result.fee == ((cancellation or 0) if after else 0)
    assert [c.code for c in result.components] == ["cancellation"]


def test_docs_billing_shows_the_worked_examples_as_the_rules_compute_them() -> None:
    doc = Path(__file__).resolve().parents[3] / "docs" / "billing.md"
    section = doc.read_text(encoding="utf-8").split("### Worked examples")[1].split("\n\n")[1]
    rows = [row for row in section.splitlines() if row.startswith("| ") and "**" in row]
    assert len(rows) == 4
    terms: dict | None = None
    for row in rows:
        first, amount, fee_cell, explanation = (c.strip() for c in row.strip("|").split("|"))
        if first.startswith("`{"):
            terms = ast.literal_eval(first.strip("`"))  # a JSON object without null
        elif first.startswith("`progressive`"):
            terms = PROGRESSIVE
        elif first.startswith("`flat_bracket`"):
            terms = FLAT_BRACKET
        assert terms is not None
        result = compute_fee(terms, FeeCase("motor", amount.replace(",", "")))
        assert result.fee == Decimal(fee_cell.strip("*").replace(",", ""))
        assert result.explanation[1].endswith(explanation)
