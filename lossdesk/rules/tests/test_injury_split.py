"""The CTPL / commercial split of one injured person's compensation (rules.injury_split).

Hand-checked examples with their arithmetic written out, then properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lossdesk.rules.ctpl import CTPL_LIMITS_2008, CTPL_LIMITS_2020, LossKind
from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.injury import ITEM_KEYS
from lossdesk.rules.injury_split import (
    ITEM_ORDER,
    NOT_THIRD_PARTY,
    PART_ITEMS,
    SplitInput,
    SplitResult,
    split_injury,
)

D = Decimal


def parts(result: SplitResult) -> dict[str, tuple[Decimal, Decimal, Decimal, Decimal]]:
    """分项 → (amount, limit, CTPL paid, excess)."""
    return {p.kind.value: (p.amount, p.limit, p.ctpl_paid, p.excess) for p in result.parts}


# --- hand-checked examples ------------------------------------------------------------------

# A 十级 disability on the 江苏 2024 standard (66173 × 20 × 10% = 132346), with a big hospital
# bill and an appraisal fee. Accident after 2020-09-19, insured vehicle 有责, 主责 70%.
DISABILITY_ITEMS = {
    "medical": "25000",
    "hospital_food": "1000",
    "nutrition": "600",
    "lost_income": "8000",
    "nursing": "5000",
    "transport": "400",
    "disability_compensation": "132346",
    "appraisal_fee": "1500",
}


def test_the_commercial_base_is_the_excess_of_each_item_group_over_its_own_limit() -> None:
    result = split_injury(
        SplitInput(
            items=DISABILITY_ITEMS,
            limits=CTPL_LIMITS_2020,
            at_fault=True,
            liability_ratio="major",
            commercial_limit="1000000",
        )
    )
    # 医疗费用 = 25000 + 1000 + 600 = 26600 > 18000: CTPL 18000, excess 8600.
    # 死亡伤残 = 8000 + 5000 + 400 + 132346 = 145746 < 180000: CTPL 145746, excess 0.
    assert parts(result) == {
        "medical": (D("26600.00"), D("18000"), D("18000"), D("8600.00")),
        "death_disability": (D("145746.00"), D("180000"), D("145746.00"), D("0")),
    }
    assert result.ctpl_total == D("163746.00")
    # Base = 8600 + 0 + 鉴定费 1500 = 10100; the total minus the sum of the limits would be
    # 173846 − 198000 < 0, i.e. nothing: the unused 死亡伤残 room does not absorb 医疗费用.
    assert result.uncovered == {"appraisal_fee": D("1500.00")}
    assert result.commercial_base == D("10100.00")
    # 10100 × 70% = 7070 < 1,000,000; no deductibles.
    assert result.commercial_liable == D("7070.00")
    assert not result.commercial_limit_applies
    assert result.commercial_payout == D("7070.00")
    # 173846 − 163746 − 7070 = 3030 (the victim's 30% of the base), borne by others.
    assert result.total == D("173846.00")
    assert result.unpaid == D("3030.00")
    assert result.liability_level is not None and result.liability_ratio == D("0.7")
    text = "\n".join(result.explanation)
    assert (
        "医疗费用分项：医疗费 25000.00 + 住院伙食补助费 1000.00 + 营养费 600.00 = 26600.00" in text
    )
    assert "交强险赔付 min(26600.00, 限额 18000.00) = 18000.00，超出限额 8600.00" in text
    assert "鉴定费 1500.00" in text and "仲裁、诉讼费用及其他相关费用" in text
    assert (
        "商业三者险基数 = 医疗费用超出限额 8600.00 + 死亡伤残超出限额 0.00 + "
        "交强险不赔项目 1500.00 = 10100.00" in text
    )
    assert "应由三者险承担 = 10100.00 × 责任比例 70% = 7070.00" in text
    assert "保险未赔 3030.00" in text


def test_a_vehicle_not_at_fault_pays_within_the_no_fault_limits_and_no_commercial_share() -> None:
    result = split_injury(
        SplitInput(
            items={"medical": "5000", "lost_income": "3000", "nursing": "2000"},
            limits=CTPL_LIMITS_2020,
            at_fault=False,
        )
    )
    # 无责 limits: 医疗费用 1800, 死亡伤残 18000.
    # 医疗费用 5000 → CTPL 1800 (excess 3200); 死亡伤残 3000 + 2000 = 5000 → CTPL 5000.
    assert parts(result) == {
        "medical": (D("5000.00"), D("1800"), D("1800"), D("3200.00")),
        "death_disability": (D("5000.00"), D("18000"), D("5000.00"), D("0")),
    }
    # No ratio given for a vehicle 无责: 0, so 三者险 pays 0 of the base 3200.
    assert result.commercial_base == D("3200.00")
    assert result.liability_ratio == 0
    assert result.commercial_payout == D("0.00")
    assert result.unpaid == D("3200.00")  # 10000 − 6800
    assert any("三者险责任比例按 0" in line for line in result.defaults_used)


def test_a_death_above_the_policy_limit_pays_the_limit_less_the_deductible() -> None:
    # 浙江 2022: 死亡赔偿金 71268 × 20 = 1425360; 丧葬费 122309 ÷ 2 = 61154.50.
    result = split_injury(
        SplitInput(
            items={
                "medical": "3000",
                "death_compensation": "1425360",
                "funeral": "61154.50",
                "mental_distress": "50000",
            },
            limits=CTPL_LIMITS_2020,
            at_fault=True,
            liability_ratio="full",
            commercial_limit="1000000",
            absolute_deductible_rates=["0.10"],
        )
    )
    # 医疗费用 3000 → CTPL 3000. 死亡伤残 1425360 + 61154.50 + 50000 = 1536514.50 →
    # CTPL 180000, excess 1356514.50. CTPL total 183000.
    assert result.ctpl_total == D("183000.00")
    assert result.commercial_base == D("1356514.50")
    # 1356514.50 × 100% ≥ 1,000,000: 1,000,000 × (1 − 10%) = 900000.
    assert result.commercial_liable == D("1356514.50")
    assert result.commercial_limit_applies
    assert result.commercial_payout == D("900000.00")
    # 1539514.50 − 183000 − 900000 = 456514.50
    assert result.unpaid == D("456514.50")
    assert any("≥ 每次事故赔偿限额 1000000.00" in line for line in result.explanation)


def test_tv13_injury_part_with_the_2008_limits() -> None:
    # TV-13's injury items (the deceased and the injured person together; its 护理费 is kept
    # as printed, 562.5), 2008 有责 limits, 全责, 事故责任免赔率 20%, no policy limit.
    result = split_injury(
        SplitInput(
            items={
                "death_compensation": "216000",
                "funeral": "8200",
                "dependant_living": "57600",
                "medical": "21000",
                "lost_income": "1236.16",
                "nursing": "562.5",
                "hospital_food": "1280",
                "disability_compensation": "28800",
            },
            limits=CTPL_LIMITS_2008,
            at_fault=True,
            liability_ratio="full",
            liability_deductible_rate="0.20",
        )
    )
    # 医疗费用 21000 + 1280 = 22280 − 10000 = 12280; 死亡伤残 216000 + 8200 + 57600 +
    # 1236.16 + 562.50 + 28800 = 312398.66 − 110000 = 202398.66; base 214678.66. TV-13's
    # 216178.66 adds the property excess 3500 − 2000 = 1500.
    assert result.commercial_base == D("214678.66")
    # 214678.66 × 80% = 171742.928 → 171742.93; TV-13's 172942.93 adds 1500 × 80% = 1200.
    assert result.commercial_payout == D("171742.93")
    assert result.ctpl_total == D("120000.00")
    assert "未填三者险每次事故赔偿限额：不设上限" in result.defaults_used


def test_the_insured_vehicles_own_occupant_gets_nothing_from_ctpl_or_third_party_cover() -> None:
    result = split_injury(
        SplitInput(
            items=DISABILITY_ITEMS,
            limits=CTPL_LIMITS_2020,
            at_fault=True,
            third_party=False,
            liability_ratio="full",
            commercial_limit="1000000",
        )
    )
    assert [p.ctpl_paid for p in result.parts] == [0, 0]
    assert result.ctpl_total == 0 and result.commercial_payout == 0
    assert result.unpaid == result.total == D("173846.00")
    assert NOT_THIRD_PARTY in result.explanation
    assert "车上人员" in NOT_THIRD_PARTY


def test_the_payout_is_rounded_once_from_the_unrounded_liable_amount() -> None:
    result = split_injury(
        SplitInput(
            items={"medical": "19234.57"},
            limits=CTPL_LIMITS_2020,
            at_fault=True,
            liability_ratio="0.35",
            absolute_deductible_rates=["0.05"],
        )
    )
    # Base 19234.57 − 18000 = 1234.57; × 35% = 432.0995 (shown 432.10);
    # × 95% = 410.494525 → 410.49 (432.10 × 95% would give 410.50).
    assert result.commercial_liable == D("432.10")
    assert result.commercial_payout == D("410.49")
    assert result.unpaid == D("824.08")  # 19234.57 − 18000 − 410.49


def test_a_court_ratio_for_a_vehicle_not_at_fault_is_applied_and_explained() -> None:
    result = split_injury(
        SplitInput(
            items={"medical": "11800"},
            limits=CTPL_LIMITS_2020,
            at_fault=False,
            liability_ratio="0.1",
        )
    )
    # (11800 − 1800) × 10% = 1000
    assert result.commercial_payout == D("1000.00")
    assert any("不超过 10%" in line for line in result.explanation)


def test_items_are_grouped_as_documented() -> None:
    assert set(PART_ITEMS[LossKind.medical]) == {"medical", "hospital_food", "nutrition"}
    covered = {k for keys in PART_ITEMS.values() for k in keys}
    # Every item rules.injury computes has its 分项, but 鉴定费, which CTPL does not cover.
    assert covered == set(ITEM_KEYS) - {"appraisal_fee"}
    assert set(ITEM_ORDER) == set(ITEM_KEYS)


# --- bad input ------------------------------------------------------------------------------


def split(**overrides) -> SplitResult:
    fields = {
        "items": {"medical": "100"},
        "limits": CTPL_LIMITS_2020,
        "at_fault": True,
        "liability_ratio": "full",
        **overrides,
    }
    return split_injury(SplitInput(**fields))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"items": {"medical": "-1"}}, "items.medical"),
        ({"items": {"medical": 1.5}}, "items.medical"),
        ({"items": {"property": "100"}}, "items.property"),
        ({"items": ["medical"]}, "items"),
        ({"at_fault": "yes"}, "at_fault"),
        ({"third_party": None}, "third_party"),
        ({"liability_ratio": None}, "liability_ratio"),
        ({"liability_ratio": "1.2"}, "liability_ratio"),
        ({"liability_ratio": "most"}, "liability_ratio"),
        ({"commercial_limit": "-5"}, "commercial_limit"),
        ({"liability_deductible_rate": "2"}, "liability_deductible_rate"),
        ({"absolute_deductible_rates": ["0.6", "0.5"]}, "absolute_deductible_rates"),
        ({"limits": None}, "limits"),
    ],
)
def test_bad_input_names_its_field(overrides, field) -> None:
    with pytest.raises(RuleInputError) as raised:
        split(**overrides)
    assert raised.value.field == field


def test_an_item_given_as_none_is_left_out() -> None:
    result = split(items={"medical": "100", "nursing": None})
    assert result.parts[1].items == {}
    assert result.total == D("100.00")


# --- properties -----------------------------------------------------------------------------

amounts = st.decimals(min_value=0, max_value=3_000_000, places=2)
item_sets = st.dictionaries(st.sampled_from(ITEM_ORDER), amounts, max_size=len(ITEM_ORDER))
tables = st.sampled_from([CTPL_LIMITS_2008, CTPL_LIMITS_2020])
ratios = st.decimals(min_value=0, max_value=1, places=3)
rates = st.decimals(min_value=0, max_value="0.3", places=2)


@given(item_sets, tables, st.booleans(), st.booleans(), ratios)
def test_ctpl_never_pays_more_than_an_item_group_or_its_limit(
    items, limits, at_fault, third_party, ratio
) -> None:
    result = split_injury(SplitInput(items, limits, at_fault, third_party, ratio))
    for part in result.parts:
        assert 0 <= part.ctpl_paid <= part.limit
        assert part.ctpl_paid <= part.amount
        assert part.limit == limits.for_vehicle(at_fault, part.kind)
    assert result.ctpl_total + result.commercial_payout + result.unpaid == result.total


@given(item_sets, tables, st.booleans())
def test_full_liability_without_limit_or_deductible_pays_everything(
    items, limits, at_fault
) -> None:
    result = split_injury(SplitInput(items, limits, at_fault, True, "1"))
    assert result.ctpl_total + result.commercial_payout + result.unpaid == result.total
    assert result.unpaid == 0
    assert result.commercial_payout == sum((p.excess for p in result.parts), result.uncovered_total)


@given(
    item_sets,
    tables,
    st.booleans(),
    ratios,
    ratios,
    st.none() | amounts,
    rates,
    st.lists(rates, max_size=3),
)
def test_the_commercial_payout_never_falls_when_the_ratio_rises(
    items, limits, at_fault, r1, r2, limit, deductible, absolute
) -> None:
    low, high = sorted((r1, r2))

    def payout(ratio: Decimal) -> Decimal:
        data = SplitInput(items, limits, at_fault, True, ratio, limit, deductible, absolute)
        return split_injury(data).commercial_payout

    assert payout(low) <= payout(high)
    if limit is not None:
        assert payout(high) <= limit


@given(item_sets, tables, st.booleans(), ratios, st.none() | amounts)
def test_a_person_who_is_not_a_third_party_gets_nothing(
    items, limits, at_fault, ratio, limit
) -> None:
    result = split_injury(SplitInput(items, limits, at_fault, False, ratio, limit))
    assert result.ctpl_total == 0
    assert result.commercial_payout == 0
    assert result.unpaid == result.total
