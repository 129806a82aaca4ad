from decimal import Decimal

import pytest

from lossdesk.rules.commercial import (
    CLAUSE_2014_LIABILITY_DEDUCTIBLES,
    LIABILITY_LABELS,
    LIABILITY_RATIOS,
    LiabilityLevel,
    OwnDamageInput,
    ThirdPartyInput,
    own_damage_payout,
    third_party_payout,
)
from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.total_loss import total_loss_test


def test_tv7_a_liable_amount_above_the_limit_pays_the_limit_less_deductible() -> None:
    result = third_party_payout(
        ThirdPartyInput(
            assessed_loss="300000",
            ctpl_item_limits=0,
            liability_ratio=LiabilityLevel.major,
            policy_limit="150000",
            liability_deductible_rate="0.15",
        )
    )
    assert result.liable_amount == Decimal("210000.00")
    assert result.limit_applies
    assert result.payout == Decimal("127500.00")


def test_tv7_ctpl_limits_are_deducted_before_the_ratio() -> None:
    result = third_party_payout(
        ThirdPartyInput(
            assessed_loss="250000",
            ctpl_item_limits="122000",
            liability_ratio="0.7",
            policy_limit="200000",
            liability_deductible_rate="0.15",
        )
    )
    assert result.base == Decimal("128000.00")
    assert result.liable_amount == Decimal("89600.00")
    assert not result.limit_applies
    assert result.payout == Decimal("76160.00")


def test_a_liable_amount_exactly_at_the_limit_uses_the_limit_branch() -> None:
    result = third_party_payout(ThirdPartyInput(100000, 0, "0.5", 50000, "0.10"))
    assert result.limit_applies
    assert result.payout == Decimal("45000.00")


def test_absolute_deductible_rates_are_summed_then_applied_after_the_liability_rate() -> None:
    result = third_party_payout(
        ThirdPartyInput(10000, 2000, "full", 1000000, "0.20", ["0.05", "0.10"])
    )
    # 8000 × 100% × 0.80 × (1 − 0.15)
    assert result.payout == Decimal("5440.00")


def test_a_loss_inside_the_ctpl_limits_leaves_nothing_for_third_party_cover() -> None:
    result = third_party_payout(ThirdPartyInput(1500, 2000, "full", 1000000))
    assert result.base == 0
    assert result.payout == 0


def test_the_no_fault_level_pays_nothing() -> None:
    assert third_party_payout(ThirdPartyInput(50000, 0, "none", 1000000)).payout == 0


def test_the_default_liability_ratios_and_labels_follow_the_2014_clause() -> None:
    assert dict(LIABILITY_RATIOS) == {
        LiabilityLevel.full: Decimal("1"),
        LiabilityLevel.major: Decimal("0.7"),
        LiabilityLevel.equal: Decimal("0.5"),
        LiabilityLevel.minor: Decimal("0.3"),
        LiabilityLevel.none: Decimal("0"),
    }
    assert LIABILITY_LABELS[LiabilityLevel.major] == "主要责任"
    assert CLAUSE_2014_LIABILITY_DEDUCTIBLES[LiabilityLevel.full] == Decimal("0.20")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"liability_ratio": "1.2"}, "liability_ratio"),
        ({"liability_ratio": "mostly"}, "liability_ratio"),
        ({"liability_deductible_rate": "-0.1"}, "liability_deductible_rate"),
        ({"absolute_deductible_rates": ["0.6", "0.5"]}, "absolute_deductible_rates"),
        ({"absolute_deductible_rates": ["0.1", "2"]}, "absolute_deductible_rates.1"),
        ({"assessed_loss": "-5"}, "assessed_loss"),
        ({"policy_limit": 1.5}, "policy_limit"),
    ],
)
def test_bad_third_party_input_names_its_field(changes: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "assessed_loss": 1000,
        "ctpl_item_limits": 0,
        "liability_ratio": "0.5",
        "policy_limit": 100000,
    }
    values.update(changes)
    with pytest.raises(RuleInputError) as caught:
        third_party_payout(ThirdPartyInput(**values))  # type: ignore[arg-type]
    assert caught.value.field == field


def test_a_partial_own_damage_loss_deducts_recovery_rates_and_fixed_amount() -> None:
    result = own_damage_payout(
        OwnDamageInput(
            sum_insured=150000,
            repair_cost="10000",
            recovered_from_third_party="2000",
            liability_deductible_rate="0.15",
            absolute_deductible_rates=["0.05"],
            absolute_deductible_amount="500",
        )
    )
    # (10000 − 2000) × 0.85 × 0.95 − 500
    assert result.payout == Decimal("5960.00")
    assert not result.total_loss


def test_a_partial_loss_is_paid_within_the_sum_insured() -> None:
    result = own_damage_payout(OwnDamageInput(sum_insured=30000, repair_cost=45000))
    assert result.capped_at_sum_insured
    assert result.payout == Decimal("30000.00")


def test_salvage_kept_by_the_insured_is_deducted_from_a_partial_loss() -> None:
    result = own_damage_payout(OwnDamageInput(sum_insured=100000, repair_cost=8000, salvage=300))
    assert result.payout == Decimal("7700.00")


def test_a_total_loss_is_paid_on_the_actual_value_when_lower_than_the_sum_insured() -> None:
    result = own_damage_payout(
        OwnDamageInput(sum_insured=150000, total_loss=True, actual_value=120000, salvage=5000)
    )
    assert result.basis == Decimal("120000.00")
    assert result.payout == Decimal("115000.00")


def test_a_total_loss_without_an_actual_value_is_paid_on_the_sum_insured() -> None:
    result = own_damage_payout(
        OwnDamageInput(
            sum_insured=100000,
            total_loss=True,
            recovered_from_third_party=10000,
            liability_deductible_rate="0.20",
        )
    )
    assert result.payout == Decimal("72000.00")


def test_the_own_damage_payout_is_never_negative() -> None:
    result = own_damage_payout(
        OwnDamageInput(sum_insured=100000, repair_cost=800, absolute_deductible_amount=1000)
    )
    assert result.payout == 0


def test_a_partial_loss_needs_a_repair_cost() -> None:
    with pytest.raises(RuleInputError) as caught:
        own_damage_payout(OwnDamageInput(sum_insured=100000))
    assert caught.value.field == "repair_cost"


def test_repair_at_the_actual_value_is_a_constructive_total_loss() -> None:
    result = total_loss_test(repair_cost="40000", actual_value="40000", salvage_value="3000")
    assert result.is_constructive_total_loss
    assert result.basis == Decimal("40000.00")
    assert result.payable_on_total_loss == Decimal("37000.00")


def test_repair_below_the_actual_value_is_a_partial_loss() -> None:
    assert not total_loss_test(
        repair_cost="39999.99", actual_value="40000"
    ).is_constructive_total_loss


def test_the_total_loss_basis_is_the_lower_of_sum_insured_and_actual_value() -> None:
    assert total_loss_test(50000, 60000, 0, sum_insured=55000).basis == Decimal("55000.00")
    assert total_loss_test(50000, 60000, 0, sum_insured=80000).basis == Decimal("60000.00")


def test_salvage_above_the_basis_is_an_input_error() -> None:
    with pytest.raises(RuleInputError) as caught:
        total_loss_test(50000, 10000, salvage_value=12000)
    assert caught.value.field == "salvage_value"
