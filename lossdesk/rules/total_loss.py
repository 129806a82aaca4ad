"""Constructive total loss test (推定全损), RULES.md §2.6.

The vehicle is a constructive total loss when the repair cost reaches its actual value
at the time of the accident (older clause wording "修复费用达到…实际价值"). A total loss
is paid on the lower of the sum insured and the actual value, less the salvage the
insured keeps.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .errors import RuleInputError
from .money import ZERO, fmt_money, non_negative, to_fen


@dataclass(frozen=True, slots=True)
class TotalLossResult:
    is_constructive_total_loss: bool
    basis: Decimal
    payable_on_total_loss: Decimal
    explanation: list[str]


def total_loss_test(
    repair_cost: object,
    actual_value: object,
    salvage_value: object = 0,
    sum_insured: object = None,
) -> TotalLossResult:
    repair = non_negative(repair_cost, "repair_cost")
    value = non_negative(actual_value, "actual_value")
    salvage = non_negative(salvage_value, "salvage_value")
    insured = None if sum_insured is None else non_negative(sum_insured, "sum_insured")

    is_ctl = repair >= value
    explanation = [
        f"修复费用 {fmt_money(repair)} {'≥' if is_ctl else '<'} 实际价值 {fmt_money(value)}，"
        + ("构成推定全损" if is_ctl else "不构成推定全损，按部分损失处理")
    ]
    if insured is not None and insured < value:
        basis = insured
        explanation.append(f"全损基数取保险金额 {fmt_money(insured)}（低于实际价值）")
    else:
        basis = value
        if insured is not None:
            explanation.append(
                f"保险金额 {fmt_money(insured)} 不低于实际价值，"
                f"全损基数取实际价值 {fmt_money(value)}"
            )
        else:
            explanation.append(f"全损基数取实际价值 {fmt_money(value)}")
    if salvage > basis:
        raise RuleInputError("salvage_value", "残值不能超过全损基数（保险金额与实际价值的较低者）")
    payable = basis - salvage
    explanation.append(
        f"全损可赔 = {fmt_money(basis)} − 残值 {fmt_money(salvage)} = {fmt_money(payable)}"
    )
    return TotalLossResult(
        is_constructive_total_loss=is_ctl,
        basis=to_fen(basis),
        payable_on_total_loss=to_fen(max(payable, ZERO)),
        explanation=explanation,
    )
