from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.commissions import (
    CommissionInput,
    CommissionTerms,
    compute_commission,
    parse_terms,
    sheet_total,
)
from lossdesk.rules.errors import RuleInputError, RuleInputErrors


def line(role="assessor", fee="300.00", **kwargs):
    return CommissionInput(role=role, fee=fee, **kwargs)


# ------------------------------------------------------------ worked examples (docs/billing.md)


def test_share_of_the_fee_alone():
    result = compute_commission({"rate": "0.10"}, line("surveyor", "300.00"))
    assert result.amount == Decimal("30.00")
    assert result.explanation == [
        "查勘提成",
        "按公估费比例：公估费 300.00 × 10% = 30.00",
        "佣金 = 30.00 = 30.00",
    ]


def test_two_assessors_split_the_share_and_each_is_paid_their_own_items():
    terms = {"rate": "0.08", "per_unit": "5.00"}
    first = compute_commission(terms, line(fee="300.00", units=2, role_units=3))
    second = compute_commission(terms, line(fee="300.00", units=1, role_units=3))
    # 300 × 8% = 24.00 split 2:1 → 16.00 and 8.00; plus 5.00 per item.
    assert first.amount == Decimal("26.00")
    assert second.amount == Decimal("13.00")
    assert first.explanation[1] == (
        "按公估费比例：公估费 300.00 × 8% × 2/3（本人 2 个标的，共 3 个标的） = 16.00"
    )
    assert first.explanation[2] == "按件：2 个标的 × 5.00 = 10.00"


def test_a_line_is_rounded_half_up_once_at_its_end():
    # 333.33 × 1.5% / 3 = 1.66665 and 20.00 / 3 = 6.666…: 8.3333… is 8.33 (rounding each
    # part first would give 1.67 + 6.67 = 8.34).
    result = compute_commission(
        {"rate": "0.015", "per_case": "20.00"},
        line("reviewer", "333.33", units=1, role_units=3),
    )
    assert result.amount == Decimal("8.33")
    assert (
        result.explanation[-1] == "佣金 = (1.66665 + 6.666666…) = 8.333316… ≈ 8.33（四舍五入到分）"
    )


def test_the_multiplier_scales_the_line_and_is_named():
    result = compute_commission(
        {"rate": "0.10", "per_unit": "20.00"}, line("surveyor", "300.00", multiplier="1.1")
    )
    assert result.amount == Decimal("55.00")  # (30.00 + 20.00) × 1.1
    assert result.explanation[-1] == "佣金 = (30.00 + 20.00) × 考核系数 1.1 = 55.00"


def test_without_a_multiplier_it_is_one():
    a = compute_commission({"rate": "0.05"}, line(fee="123.45"))
    b = compute_commission({"rate": "0.05"}, line(fee="123.45", multiplier="1"))
    assert a.amount == b.amount == Decimal("6.17")  # 6.1725 half up
    assert "考核系数" not in a.explanation[-1]


# ------------------------------------------------------------------------- bad input


def test_terms_need_at_least_one_key_and_no_unknown_ones():
    with pytest.raises(RuleInputError) as exc:
        parse_terms({})
    assert exc.value.field == "rate"
    with pytest.raises(RuleInputErrors) as many:
        parse_terms({"rate": "1.5", "bonus": "1"})
    assert [e.field for e in many.value.errors] == ["bonus", "rate"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"rate": "-0.1"}, "rate"),
        ({"per_case": "1.234"}, "per_case"),
        ({"per_unit": 1.5}, "per_unit"),
        ({"per_unit": True}, "per_unit"),
        ("rate", "terms"),
    ],
)
def test_bad_terms_name_the_key(body, field):
    with pytest.raises(RuleInputError) as exc:
        parse_terms(body)
    assert exc.value.field == field


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"role": "cashier"}, "role"),
        ({"fee": 300.0}, "fee"),
        ({"fee": "-1"}, "fee"),
        ({"units": 0}, "units"),
        ({"units": 3, "role_units": 2}, "role_units"),
        ({"multiplier": "11"}, "multiplier"),
        ({"multiplier": "1.00001"}, "multiplier"),
    ],
)
def test_bad_input_names_the_field(kwargs, field):
    body = {"role": "assessor", "fee": "300.00", **kwargs}
    with pytest.raises(RuleInputError) as exc:
        compute_commission({"rate": "0.1"}, CommissionInput(**body))
    assert exc.value.field == field


def test_terms_read_back_canonical():
    assert parse_terms({"rate": "0.080", "per_unit": "5"}).as_json() == {
        "rate": "0.08",
        "per_unit": "5.00",
    }
    assert parse_terms(CommissionTerms(per_case=Decimal("3"))).as_json() == {"per_case": "3.00"}


# --------------------------------------------------------------------------- properties

fees = st.decimals(min_value=0, max_value=10**7, places=2)
rates = st.decimals(min_value=0, max_value=1, places=4)
amounts = st.decimals(min_value=0, max_value=1000, places=2)
multipliers = st.decimals(min_value=0, max_value=10, places=2)


@st.composite
def split(draw):
    role_units = draw(st.integers(min_value=1, max_value=20))
    return draw(st.integers(min_value=1, max_value=role_units)), role_units


def exact_of(terms, fee, units, role_units, multiplier):
    share = Decimal(units) / Decimal(role_units)
    value = fee * terms["rate"] * share + terms["per_case"] * share + terms["per_unit"] * units
    return value * multiplier


@given(fees, rates, amounts, amounts, split(), multipliers)
def test_a_line_is_the_exact_formula_rounded_half_up_once(fee, rate, per_case, per_unit, s, m):
    units, role_units = s
    terms = {"rate": rate, "per_case": per_case, "per_unit": per_unit}
    body = {k: str(v) for k, v in terms.items()}
    result = compute_commission(
        body, CommissionInput("assessor", str(fee), units, role_units, str(m))
    )
    expected = exact_of(terms, fee, units, role_units, m)
    assert abs(result.exact - expected) < Decimal("1e-20")
    assert result.amount == result.exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert result.amount >= 0


@given(fees, rates, split())
def test_the_shares_of_a_role_add_up_to_its_share_within_a_fen_a_person(fee, rate, s):
    _, role_units = s
    people = [1] * role_units  # everyone one unit
    lines = [
        compute_commission(
            {"rate": str(rate)}, CommissionInput("reviewer", str(fee), u, role_units)
        )
        for u in people
    ]
    whole = (fee * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert abs(sheet_total(x.amount for x in lines) - whole) <= Decimal("0.01") * role_units


@given(fees, fees, rates)
def test_more_fee_never_pays_less(a, b, rate):
    low, high = sorted((a, b))
    f = lambda fee: compute_commission({"rate": str(rate)}, line(fee=str(fee))).amount  # noqa: E731
    assert f(low) <= f(high)


@given(fees, rates, amounts)
def test_multiplier_one_is_the_same_as_none(fee, rate, per_unit):
    body = {"rate": str(rate), "per_unit": str(per_unit)}
    plain = compute_commission(body, line(fee=str(fee)))
    one = compute_commission(body, line(fee=str(fee), multiplier="1.00"))
    assert plain.amount == one.amount


# ------------------------------------------------------------ the KPI score's bands

BANDS = {
    "rate": "0.10",
    "per_unit": "20.00",
    "score_multipliers": [
        {"from_score": "0", "multiplier": "0.90"},
        {"from_score": "80", "multiplier": "1.00"},
        {"from_score": "90", "multiplier": "1.10"},
    ],
}


@pytest.mark.parametrize(
    ("score", "amount", "said"),
    [
        ("92.5", "55.00", "佣金 = (30.00 + 20.00) × 考核系数 1.1（考核得分 92.5） = 55.00"),
        ("90", "55.00", "× 考核系数 1.1（考核得分 90）"),
        ("89.9", "50.00", "× 考核系数 1（考核得分 89.9）"),
        ("12", "45.00", "× 考核系数 0.9（考核得分 12）"),
    ],
)
def test_the_score_takes_the_multiplier_of_its_band(score, amount, said):
    result = compute_commission(BANDS, line("surveyor", "300.00", score=score))
    assert result.amount == Decimal(amount)
    assert said in result.explanation[-1]


def test_no_score_or_a_score_below_every_band_is_one():
    above_zero = {**BANDS, "score_multipliers": BANDS["score_multipliers"][1:]}
    for terms, score in ((BANDS, None), (above_zero, "79.9")):
        result = compute_commission(terms, line("surveyor", "300.00", score=score))
        assert (result.amount, result.multiplier) == (Decimal("50.00"), Decimal(1))
        assert result.explanation[-1] == "佣金 = (30.00 + 20.00) = 50.00"


def test_a_given_multiplier_wins_over_the_score():
    result = compute_commission(BANDS, line("surveyor", "300.00", multiplier="1.2", score="95"))
    assert result.amount == Decimal("60.00")


@pytest.mark.parametrize(
    ("bands", "field"),
    [
        ("1.1", "score_multipliers"),
        ([{"from_score": "90"}], "score_multipliers.0"),
        ([{"from_score": "101", "multiplier": "1"}], "score_multipliers.0.from_score"),
        ([{"from_score": "80", "multiplier": "11"}], "score_multipliers.0.multiplier"),
        (
            [{"from_score": "90", "multiplier": "1.1"}, {"from_score": "80", "multiplier": "1"}],
            "score_multipliers.1.from_score",
        ),
        ([{"from_score": "0", "multiplier": "1"}] * 11, "score_multipliers"),
    ],
)
def test_bad_bands_name_the_band_and_key(bands, field):
    with pytest.raises(RuleInputError) as caught:
        parse_terms({"rate": "0.1", "score_multipliers": bands})
    assert caught.value.field == field


def test_bands_read_back_canonical():
    terms = parse_terms({**BANDS, "score_multipliers": [{"from_score": 80, "multiplier": "1.0"}]})
    assert terms.as_json()["score_multipliers"] == [{"from_score": "80", "multiplier": "1"}]
    assert parse_terms(terms.as_json()) == terms


@given(
    fees,
    rates,
    st.decimals(min_value=0, max_value=100, places=1),
)
def test_a_scored_line_is_the_line_with_its_bands_multiplier(fee, rate, score):
    terms = parse_terms({**BANDS, "rate": str(rate)})
    scored = compute_commission(terms, line("surveyor", fee, score=score))
    expected = terms.multiplier_for(score)
    given_ = compute_commission(terms, line("surveyor", fee, multiplier=expected))
    assert scored.amount == given_.amount and scored.multiplier == expected
