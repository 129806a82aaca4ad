"""Commercial cover payouts: third-party liability (三者险) and own damage (车损险).

Formulas are the 2014 示范条款 (RULES.md §2.3–2.6), the only clause text seen verbatim.
The 2020 clause may have dropped the liability deductible (事故责任免赔率): pass 0 for it
and put any optional 绝对免赔率 in ``absolute_deductible_rates``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from .errors import RuleInputError
from .money import ONE, ZERO, fmt_money, fmt_pct, mul, non_negative, rate, to_fen


class LiabilityLevel(StrEnum):
    full = "full"
    major = "major"
    equal = "equal"
    minor = "minor"
    none = "none"


# Default ratios where the parties settle themselves or the police give no ratio (§2.2).
LIABILITY_RATIOS: dict[LiabilityLevel, Decimal] = {
    LiabilityLevel.full: Decimal("1"),
    LiabilityLevel.major: Decimal("0.7"),
    LiabilityLevel.equal: Decimal("0.5"),
    LiabilityLevel.minor: Decimal("0.3"),
    LiabilityLevel.none: Decimal("0"),
}
LIABILITY_LABELS: dict[LiabilityLevel, str] = {
    LiabilityLevel.full: "全部责任",
    LiabilityLevel.major: "主要责任",
    LiabilityLevel.equal: "同等责任",
    LiabilityLevel.minor: "次要责任",
    LiabilityLevel.none: "无责任",
}
# 2014 clause art. 11/27/43 事故责任免赔率 ladder (全责 also covers a single-vehicle accident).
CLAUSE_2014_LIABILITY_DEDUCTIBLES: dict[LiabilityLevel, Decimal] = {
    LiabilityLevel.full: Decimal("0.20"),
    LiabilityLevel.major: Decimal("0.15"),
    LiabilityLevel.equal: Decimal("0.10"),
    LiabilityLevel.minor: Decimal("0.05"),
    LiabilityLevel.none: Decimal("0"),
}


def liability_ratio(value: object, field_name: str = "liability_ratio") -> Decimal:
    """A ratio given as a level name (``"major"``) or a number in [0, 1] (``"0.7"``)."""
    if isinstance(value, str) and value in LiabilityLevel.__members__:
        return LIABILITY_RATIOS[LiabilityLevel(value)]
    return rate(value, field_name)


def _deductible_factor(
    liability_deductible_rate: object, absolute_deductible_rates: Sequence[object]
) -> tuple[Decimal, Decimal, Decimal]:
    """(d, Σabs, (1 − d) × (1 − Σabs)), validating each rate and their sum."""
    d = rate(liability_deductible_rate, "liability_deductible_rate")
    absolute = [
        rate(r, f"absolute_deductible_rates.{i}") for i, r in enumerate(absolute_deductible_rates)
    ]
    absolute_sum = sum(absolute, ZERO)
    if absolute_sum > ONE:
        raise RuleInputError("absolute_deductible_rates", "绝对免赔率之和不能超过 100%")
    return d, absolute_sum, mul(ONE - d, ONE - absolute_sum)


@dataclass(frozen=True, slots=True)
class ThirdPartyInput:
    assessed_loss: Decimal | int | str
    ctpl_item_limits: Decimal | int | str  # Σ CTPL 分项 limits to deduct (the limits, not paid)
    liability_ratio: Decimal | int | str | LiabilityLevel
    policy_limit: Decimal | int | str
    liability_deductible_rate: Decimal | int | str = 0
    absolute_deductible_rates: Sequence[Decimal | int | str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ThirdPartyResult:
    base: Decimal  # assessed loss − CTPL item limits, not below zero
    liable_amount: Decimal  # base × liability ratio
    limit_applies: bool
    payout: Decimal
    explanation: list[str]


def third_party_payout(data: ThirdPartyInput) -> ThirdPartyResult:
    """2014 art. 35 (§2.4): deduct the CTPL item limits, apply the ratio, cap at the limit."""
    loss = non_negative(data.assessed_loss, "assessed_loss")
    ctpl = non_negative(data.ctpl_item_limits, "ctpl_item_limits")
    ratio = liability_ratio(data.liability_ratio)
    limit = non_negative(data.policy_limit, "policy_limit")
    d, absolute_sum, factor = _deductible_factor(
        data.liability_deductible_rate, data.absolute_deductible_rates
    )

    base = max(loss - ctpl, ZERO)
    liable = mul(base, ratio)
    limit_applies = liable >= limit
    explanation = [
        f"应由三者险承担 = ({fmt_money(loss)} − 交强险分项限额 {fmt_money(ctpl)}) × "
        f"责任比例 {fmt_pct(ratio)} = {fmt_money(liable)}"
    ]
    factors = f"× (1 − {fmt_pct(d)}) × (1 − {fmt_pct(absolute_sum)})"
    if limit_applies:
        payout = to_fen(mul(limit, factor))
        explanation.append(
            f"{fmt_money(liable)} ≥ 每次事故赔偿限额 {fmt_money(limit)}，"
            f"赔款 = {fmt_money(limit)} {factors} = {fmt_money(payout)}"
        )
    else:
        payout = to_fen(mul(liable, factor))
        explanation.append(f"赔款 = {fmt_money(liable)} {factors} = {fmt_money(payout)}")
    return ThirdPartyResult(
        base=to_fen(base),
        liable_amount=to_fen(liable),
        limit_applies=limit_applies,
        payout=payout,
        explanation=explanation,
    )


@dataclass(frozen=True, slots=True)
class OwnDamageInput:
    sum_insured: Decimal | int | str
    repair_cost: Decimal | int | str | None = None  # required for a partial loss
    total_loss: bool = False
    actual_value: Decimal | int | str | None = None  # at the accident; caps a total loss
    recovered_from_third_party: Decimal | int | str = 0
    liability_deductible_rate: Decimal | int | str = 0
    absolute_deductible_rates: Sequence[Decimal | int | str] = field(default_factory=list)
    absolute_deductible_amount: Decimal | int | str = 0
    salvage: Decimal | int | str = 0  # value of parts / wreck left to the insured


@dataclass(frozen=True, slots=True)
class OwnDamageResult:
    total_loss: bool
    basis: Decimal  # repair cost (partial) or min(sum insured, actual value) (total)
    payout: Decimal
    capped_at_sum_insured: bool
    explanation: list[str]


def own_damage_payout(data: OwnDamageInput) -> OwnDamageResult:
    """2014 art. 19 (§2.5) with salvage and the actual-value cap of §2.6.

    * Partial loss: (repair cost − salvage − recovered) × (1 − d) × (1 − Σabs) − amount,
      paid within the sum insured.
    * Total loss: (min(sum insured, actual value) − salvage − recovered) × (1 − d)
      × (1 − Σabs) − amount.

    Salvage is the value of what the insured keeps (replaced parts, or the wreck); it is
    deducted per the older clause art. 23 and the exam formulas of §2.6. Pass 0 when the
    assessed repair cost is already net of salvage. The payout is never below zero.
    """
    sum_insured = non_negative(data.sum_insured, "sum_insured")
    if not isinstance(data.total_loss, bool):
        raise RuleInputError("total_loss", "须为 true 或 false")
    recovered = non_negative(data.recovered_from_third_party, "recovered_from_third_party")
    amount = non_negative(data.absolute_deductible_amount, "absolute_deductible_amount")
    salvage = non_negative(data.salvage, "salvage")
    d, absolute_sum, factor = _deductible_factor(
        data.liability_deductible_rate, data.absolute_deductible_rates
    )

    explanation: list[str] = []
    if data.total_loss:
        basis = sum_insured
        label = "保险金额"
        if data.actual_value is not None:
            value = non_negative(data.actual_value, "actual_value")
            if value < sum_insured:
                basis, label = value, "实际价值"
                explanation.append(
                    f"保险金额 {fmt_money(sum_insured)} 高于出险时实际价值 {fmt_money(value)}，"
                    "按实际价值赔付"
                )
    else:
        if data.repair_cost is None:
            raise RuleInputError("repair_cost", "部分损失须填写修复费用")
        basis = non_negative(data.repair_cost, "repair_cost")
        label = "修复费用"

    net = max(basis - salvage - recovered, ZERO)
    raw = mul(net, factor) - amount
    payout = max(raw, ZERO)
    explanation.append(
        f"赔款 = ({label} {fmt_money(basis)} − 残值 {fmt_money(salvage)} − 第三方已赔 "
        f"{fmt_money(recovered)}) × (1 − {fmt_pct(d)}) × (1 − {fmt_pct(absolute_sum)}) − "
        f"绝对免赔额 {fmt_money(amount)} = {fmt_money(raw)}"
    )
    if raw < 0:
        explanation.append("赔款不低于零，按 0.00 计")
    capped = payout > sum_insured
    if capped:
        payout = sum_insured
        explanation.append(f"超过保险金额，以保险金额 {fmt_money(sum_insured)} 为限")
    return OwnDamageResult(
        total_loss=data.total_loss,
        basis=to_fen(basis),
        payout=to_fen(payout),
        capped_at_sum_insured=capped,
        explanation=explanation,
    )
