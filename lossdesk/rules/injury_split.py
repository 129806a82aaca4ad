"""One injured person's compensation split into CTPL (交强险) and commercial 三者险 shares.

RULES.md §1.1–1.2 (CTPL 分项 limits, by accident date and 有责/无责), §2.2 (liability
ratio), §2.4 (2014 clause art. 35: the 分项 limits are deducted per 分项 before the ratio).

Grouping of the items (keys as ``rules.injury`` produces them):

* 医疗费用 分项: 医疗费 ``medical``, 住院伙食补助费 ``hospital_food``, 营养费 ``nutrition``.
* 死亡伤残 分项: 误工费 ``lost_income``, 护理费 ``nursing``, 交通费 ``transport``,
  残疾赔偿金 ``disability_compensation``, 残疾辅助器具费 ``assistive_devices``,
  被扶养人生活费 ``dependant_living``, 死亡赔偿金 ``death_compensation``, 丧葬费 ``funeral``,
  精神损害抚慰金 ``mental_distress``.
* Not covered by CTPL: 鉴定费 ``appraisal_fee``. Assumption (not in RULES.md; the clause
  text was not checked here): 交强险 does not pay 仲裁、诉讼 and other related costs, and
  an appraisal fee is treated as one of them, so it goes straight into the commercial
  base. Courts differ on this; the explanation says so.

Computation:

1. Each item is rounded half up to the fen; a 分项's amount is the sum of its items.
2. CTPL pays per 分项 ``min(分项 amount, 分项 limit)``, the limit being the at-fault or
   not-at-fault one of the table in force on the accident date.
3. Commercial base = Σ over 分项 of ``max(分项 amount − 分项 limit, 0)`` + the uncovered
   items: the excess of each 分项 over its own limit, not the total minus the sum of the
   limits (a 分项 under its limit does not make room for another one). It is handed to
   ``commercial.third_party_payout`` as assessed loss = total, CTPL deduction = Σ min(分项
   amount, 分项 limit), which is the same figure; that function applies the ratio, the
   deductibles and the per-accident limit (art. 35). Without a limit the same formula is
   applied uncapped here.
4. Unpaid = total − CTPL − commercial payout: the victim's own share (liability ratio < 1),
   the deductibles and what exceeds the limit, borne by the insured or others.

A person who is not a third party of the insured vehicle (its own driver or passengers,
or the insured) is not a 受害人 of its CTPL (§1.2.4) nor a third party of its 三者险: both
pay nothing and the whole amount is unpaid here (车上人员责任险 is another cover).

Scope: the insured vehicle's CTPL is taken as paying this person alone. With several
victims of one vehicle (§1.2.5) or several liable vehicles (§1.3) the 分项 limits are
shared first (``rules.ctpl.apportion``); pass the limits this person may use in
``CtplLimits`` form if they differ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from .commercial import (
    LIABILITY_LABELS,
    LiabilityLevel,
    ThirdPartyInput,
    _deductible_factor,
    liability_ratio,
    third_party_payout,
)
from .ctpl import KIND_LABELS, CtplLimits, LossKind
from .errors import RuleInputError
from .injury import ITEM_LABELS
from .money import ZERO, fmt_money, fmt_pct, mul, non_negative, to_fen

APPRAISAL_FEE = "appraisal_fee"  # an item of rules.injury

# The CTPL 分项 of each item; items not listed here CTPL does not cover.
PART_ITEMS: dict[LossKind, tuple[str, ...]] = {
    LossKind.medical: ("medical", "hospital_food", "nutrition"),
    LossKind.death_disability: (
        "lost_income",
        "nursing",
        "transport",
        "disability_compensation",
        "assistive_devices",
        "dependant_living",
        "death_compensation",
        "funeral",
        "mental_distress",
    ),
}
UNCOVERED_ITEMS: tuple[str, ...] = (APPRAISAL_FEE,)
PART_ORDER: tuple[LossKind, ...] = (LossKind.medical, LossKind.death_disability)
_PART_OF = {key: kind for kind, keys in PART_ITEMS.items() for key in keys}
ITEM_ORDER: tuple[str, ...] = (*(k for kind in PART_ORDER for k in PART_ITEMS[kind]), APPRAISAL_FEE)

NOT_THIRD_PARTY = (
    "受害人为本车车上人员（驾驶人或乘车人）或被保险人，不属于本车交强险的受害人，"
    "也不是商业三者险所称的第三者：交强险与三者险均不赔付（可另查车上人员责任险）"
)
UNCOVERED_NOTE = (
    "交强险不负责仲裁、诉讼费用及其他相关费用，鉴定费按此不由交强险赔付，"
    "计入商业三者险基数（各地法院做法不一）"
)


@dataclass(frozen=True, slots=True)
class SplitInput:
    items: Mapping[str, Decimal | int | str]  # item key → assessed amount
    limits: CtplLimits  # the table in force on the accident date
    at_fault: bool  # the insured vehicle's CTPL is 有责 (True) or 无责 (False)
    third_party: bool = True  # False: the insured vehicle's own driver or passenger
    liability_ratio: Decimal | int | str | LiabilityLevel | None = None  # None: 0 if 无责
    commercial_limit: Decimal | int | str | None = None  # 三者险每次事故赔偿限额; None: no cap
    liability_deductible_rate: Decimal | int | str = 0
    absolute_deductible_rates: Sequence[Decimal | int | str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class SplitPart:
    """One CTPL 分项: its items, amount, limit, what CTPL pays and the excess."""

    kind: LossKind
    label: str
    items: dict[str, Decimal]
    amount: Decimal
    limit: Decimal
    ctpl_paid: Decimal
    excess: Decimal  # amount − limit, not below zero (0 when not a third party)


@dataclass(frozen=True, slots=True)
class SplitResult:
    third_party: bool
    at_fault: bool
    limits: CtplLimits
    parts: list[SplitPart]  # 医疗费用, 死亡伤残
    uncovered: dict[str, Decimal]  # items CTPL does not cover
    uncovered_total: Decimal
    total: Decimal
    ctpl_total: Decimal
    liability_ratio: Decimal
    liability_level: LiabilityLevel | None  # when given by name
    commercial_base: Decimal
    commercial_liable: Decimal  # base × ratio
    commercial_limit: Decimal | None
    commercial_limit_applies: bool
    liability_deductible_rate: Decimal
    absolute_deductible_rate: Decimal  # the rates' sum
    commercial_payout: Decimal
    unpaid: Decimal  # total − CTPL − commercial payout
    explanation: list[str]
    defaults_used: list[str]


def _read_items(items: Mapping[str, object]) -> dict[str, Decimal]:
    if not isinstance(items, Mapping):
        raise RuleInputError("items", "须为 项目 → 金额")
    amounts: dict[str, Decimal] = {}
    for key, value in items.items():
        if key not in ITEM_LABELS:
            allowed = "、".join(ITEM_ORDER)
            raise RuleInputError(f"items.{key}", f"未知项目 {key!r}，可选：{allowed}")
        if value is None:
            continue
        amounts[key] = to_fen(non_negative(value, f"items.{key}"))
    return {key: amounts[key] for key in ITEM_ORDER if key in amounts}


def _read_ratio(data: SplitInput, defaults: list[str]) -> tuple[Decimal, LiabilityLevel | None]:
    value = data.liability_ratio
    if value is None:
        if data.third_party and data.at_fault:
            raise RuleInputError("liability_ratio", "本车有责时请填写事故责任比例")
        if not data.third_party:
            return ZERO, None
        defaults.append("未填责任比例：本车交强险无责，三者险责任比例按 0（无责任）")
        return ZERO, LiabilityLevel.none
    named = isinstance(value, str) and value in LiabilityLevel.__members__
    level = LiabilityLevel(value) if named else None
    return liability_ratio(value), level


def _sum_text(amounts: Mapping[str, Decimal]) -> str:
    if not amounts:
        return "无"
    return " + ".join(f"{ITEM_LABELS[k]} {fmt_money(v)}" for k, v in amounts.items())


def split_injury(data: SplitInput) -> SplitResult:
    """Split one person's injury compensation into CTPL 分项, 三者险 and the unpaid rest."""
    if not isinstance(data.at_fault, bool):
        raise RuleInputError("at_fault", "须为 true 或 false")
    if not isinstance(data.third_party, bool):
        raise RuleInputError("third_party", "须为 true 或 false")
    if not isinstance(data.limits, CtplLimits):
        raise RuleInputError("limits", "须为交强险限额表")
    items = _read_items(data.items)
    defaults: list[str] = []
    ratio, level = _read_ratio(data, defaults)
    limit = None
    if data.commercial_limit is not None:
        limit = non_negative(data.commercial_limit, "commercial_limit")
    d, absolute_sum, factor = _deductible_factor(
        data.liability_deductible_rate, data.absolute_deductible_rates
    )

    fault = "有责" if data.at_fault else "无责"
    explanation = [
        f"交强险限额：{data.limits.name}，本车{fault}："
        + "，".join(
            f"{KIND_LABELS[k]} {fmt_money(data.limits.for_vehicle(data.at_fault, k))}"
            for k in PART_ORDER
        )
    ]
    if not data.third_party:
        explanation.append(NOT_THIRD_PARTY)

    parts: list[SplitPart] = []
    for kind in PART_ORDER:
        part_items = {k: v for k, v in items.items() if _PART_OF.get(k) is kind}
        amount = sum(part_items.values(), ZERO)
        part_limit = data.limits.for_vehicle(data.at_fault, kind)
        paid = min(amount, part_limit) if data.third_party else ZERO
        excess = max(amount - part_limit, ZERO) if data.third_party else ZERO
        parts.append(
            SplitPart(kind, KIND_LABELS[kind], part_items, amount, part_limit, paid, excess)
        )
        line = f"{KIND_LABELS[kind]}分项：{_sum_text(part_items)} = {fmt_money(amount)}"
        if data.third_party:
            line += (
                f"；交强险赔付 min({fmt_money(amount)}, 限额 {fmt_money(part_limit)}) = "
                f"{fmt_money(paid)}，超出限额 {fmt_money(excess)}"
            )
        explanation.append(line)

    uncovered = {k: v for k, v in items.items() if k in UNCOVERED_ITEMS}
    uncovered_total = sum(uncovered.values(), ZERO)
    if uncovered:
        explanation.append(f"交强险不赔的项目：{_sum_text(uncovered)}；{UNCOVERED_NOTE}")
    total = sum(items.values(), ZERO)
    ctpl_total = sum((p.ctpl_paid for p in parts), ZERO)

    if data.third_party:
        base = sum((p.excess for p in parts), uncovered_total)
        terms = [f"{p.label}超出限额 {fmt_money(p.excess)}" for p in parts]
        if uncovered:
            terms.append(f"交强险不赔项目 {fmt_money(uncovered_total)}")
        explanation.append(
            f"商业三者险基数 = {' + '.join(terms)} = {fmt_money(base)}"
            "（逐分项扣除交强险分项限额，2014 版条款第35条）"
        )
        ratio_text = (
            f"{LIABILITY_LABELS[level]} {fmt_pct(ratio)}" if level is not None else fmt_pct(ratio)
        )
        explanation.append(f"事故责任比例：{ratio_text}")
        if not data.at_fault and ratio > 0:
            explanation.append(
                "本车交强险无责而责任比例大于 0（如法院判由机动车一方承担不超过 10% 的责任）："
                "三者险按所填比例计算"
            )
        if limit is not None:
            tp = third_party_payout(
                ThirdPartyInput(
                    assessed_loss=total,
                    ctpl_item_limits=ctpl_total,  # Σ min(分项, limit): leaves exactly `base`
                    liability_ratio=ratio,
                    policy_limit=limit,
                    liability_deductible_rate=d,
                    absolute_deductible_rates=[absolute_sum],
                )
            )
            liable, limit_applies, payout = tp.liable_amount, tp.limit_applies, tp.payout
        else:
            exact = mul(base, ratio)
            liable, limit_applies = to_fen(exact), False
            payout = to_fen(mul(exact, factor))
            defaults.append("未填三者险每次事故赔偿限额：不设上限")
        explanation.append(
            f"应由三者险承担 = {fmt_money(base)} × 责任比例 {fmt_pct(ratio)} = {fmt_money(liable)}"
        )
        factors = "".join(f" × (1 − {fmt_pct(r)})" for r in (d, absolute_sum) if r)
        equals = f" = {fmt_money(payout)}" if factors else ""
        if limit is None:
            explanation.append(
                f"三者险赔款 = {fmt_money(liable)}{factors}{equals}"
                "（未填每次事故赔偿限额，不设上限）"
            )
        elif limit_applies:
            explanation.append(
                f"{fmt_money(liable)} ≥ 每次事故赔偿限额 {fmt_money(limit)}，"
                f"三者险赔款 = {fmt_money(limit)}{factors}{equals}"
            )
        else:
            explanation.append(
                f"三者险赔款 = {fmt_money(liable)}{factors}{equals}"
                f"（未达每次事故赔偿限额 {fmt_money(limit)}）"
            )
    else:
        base = liable = payout = ZERO
        limit_applies = False

    unpaid = total - ctpl_total - payout
    explanation.append(
        f"合计 {fmt_money(total)}：交强险 {fmt_money(ctpl_total)}，商业三者险 {fmt_money(payout)}，"
        f"保险未赔 {fmt_money(unpaid)}（由被保险人、其他责任方或受害人自行承担）"
    )
    return SplitResult(
        third_party=data.third_party,
        at_fault=data.at_fault,
        limits=data.limits,
        parts=parts,
        uncovered=uncovered,
        uncovered_total=to_fen(uncovered_total),
        total=to_fen(total),
        ctpl_total=to_fen(ctpl_total),
        liability_ratio=ratio,
        liability_level=level,
        commercial_base=to_fen(base),
        commercial_liable=to_fen(liable),
        commercial_limit=limit,
        commercial_limit_applies=limit_applies,
        liability_deductible_rate=d,
        absolute_deductible_rate=absolute_sum,
        commercial_payout=to_fen(payout),
        unpaid=to_fen(unpaid),
        explanation=explanation,
        defaults_used=defaults,
    )
