"""CTPL (交强险) limits and apportionment among the vehicles of one accident, RULES.md §1.

Algorithm, per loss kind (death/disability, medical, property):

1. Limits: the accident date picks the limit table (§1.1); each vehicle applies its
   at-fault (有责) or not-at-fault (无责) limit for the kind.
2. First pass (§1.3 step 1): each victim's loss is shared among all vehicles except the
   victim's own vehicle, in proportion to their limits. A victim that is a vehicle id is
   that vehicle's damage (or, with ``Loss.vehicle_id``, someone or something carried in
   it): its own CTPL never pays it. Pedestrians and roadside property are shared among
   all vehicles. Amounts are rounded to the fen on input, and several entries for the
   same victim and kind are added together first.
3. Cap (§1.2.5, §1.3 step 2): when a payer's first-pass total for a kind exceeds its
   limit, its shares are scaled down to the limit in proportion to the first-pass shares
   (rounded as published, e.g. 1142.86 + 952.38 = 2095.24 > 2000).
4. No-fault proxy (无责代赔, §1.4), when requested and there are both at-fault and
   not-at-fault vehicles: the not-at-fault vehicles' first-pass shares of an at-fault
   vehicle's own damage are not paid by them; the at-fault vehicle's own insurer pays
   their sum, up to ``proxy_limit(m, n)`` = n × 无责财产限额 / m, outside its ordinary
   limit. The not-at-fault vehicles count as one whole: they do not pay for each
   other's vehicle damage, which is then shared among the at-fault vehicles only.
   Injuries and non-vehicle property are not affected.
5. Whatever a victim is not paid is reported as a shortfall (left to commercial cover;
   the re-allocation hinted at in §1.3 step 3 was not found and is not done).

Rounding (the rule chosen to match TV-2/TV-3 and to be independent of input order):
shares are rounded half up to the fen and the last share takes the difference
(``money.split_by_weights``). "Last" is fixed by a canonical order, not by input order:
payers of one victim are ordered by limit descending, then vehicle id; victims of one
capped payer by first-pass share descending, then victim name. So the smallest share
absorbs the rounding, as C's 214.28 does in TV-3. Payments are listed by payer, victim,
kind.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .errors import RuleInputError, parse_date, parse_enum
from .money import ZERO, div, fmt_money, non_negative, split_by_weights, to_fen


class LossKind(StrEnum):
    death_disability = "death_disability"
    medical = "medical"
    property = "property"


KIND_LABELS: dict[LossKind, str] = {
    LossKind.death_disability: "死亡伤残",
    LossKind.medical: "医疗费用",
    LossKind.property: "财产损失",
}
_KIND_ORDER = {kind: i for i, kind in enumerate(LossKind)}


@dataclass(frozen=True, slots=True)
class ItemLimits:
    death_disability: Decimal
    medical: Decimal
    property: Decimal

    def for_kind(self, kind: LossKind) -> Decimal:
        return {
            LossKind.death_disability: self.death_disability,
            LossKind.medical: self.medical,
            LossKind.property: self.property,
        }[kind]


@dataclass(frozen=True, slots=True)
class CtplLimits:
    effective_from: date
    at_fault: ItemLimits
    not_at_fault: ItemLimits
    name: str = ""
    source: str = ""

    def for_vehicle(self, at_fault: bool, kind: LossKind) -> Decimal:
        return (self.at_fault if at_fault else self.not_at_fault).for_kind(kind)


CTPL_LIMITS_2008 = CtplLimits(
    effective_from=date(2008, 2, 1),
    at_fault=ItemLimits(Decimal("110000"), Decimal("10000"), Decimal("2000")),
    not_at_fault=ItemLimits(Decimal("11000"), Decimal("1000"), Decimal("100")),
    name="交强险责任限额（2008-02-01起）",
    source="RULES.md §1.1 (old limits)",
)
CTPL_LIMITS_2020 = CtplLimits(
    effective_from=date(2020, 9, 19),
    at_fault=ItemLimits(Decimal("180000"), Decimal("18000"), Decimal("2000")),
    not_at_fault=ItemLimits(Decimal("18000"), Decimal("1800"), Decimal("100")),
    name="交强险责任限额（2020-09-19起）",
    source="中国银保监会公告2020年第2号 (RULES.md §1.1)",
)
CTPL_LIMIT_TABLES: tuple[CtplLimits, ...] = (CTPL_LIMITS_2008, CTPL_LIMITS_2020)


def limits_for(accident_date: date, tables: Sequence[CtplLimits] = CTPL_LIMIT_TABLES) -> CtplLimits:
    """The table in force on the accident date (the latest ``effective_from`` not after it)."""
    day = parse_date(accident_date, "accident_date")
    in_force = [t for t in tables if t.effective_from <= day]
    if not in_force:
        raise RuleInputError("accident_date", f"{day} 没有适用的交强险责任限额表")
    return max(in_force, key=lambda t: t.effective_from)


def proxy_limit(m: int, n: int, limits: CtplLimits) -> Decimal:
    """无责代赔限额 per at-fault vehicle: n × not-at-fault property limit / m (TV-6)."""
    for name, count in (("m", m), ("n", n)):
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise RuleInputError(name, "车辆数须为正整数")
    return to_fen(div(limits.not_at_fault.property * n, Decimal(m)))


@dataclass(frozen=True, slots=True)
class Vehicle:
    id: str
    at_fault: bool


@dataclass(frozen=True, slots=True)
class Loss:
    """A victim's assessed loss of one kind.

    ``victim`` is a vehicle id (that vehicle's own damage or occupants) or any other name
    (a pedestrian, roadside property). ``vehicle_id`` names the vehicle a non-vehicle
    victim rode in or was carried by; that vehicle's CTPL does not pay it.
    """

    victim: str
    kind: LossKind | str
    amount: Decimal | int | str
    vehicle_id: str | None = None


@dataclass(frozen=True, slots=True)
class CtplInput:
    accident_date: date
    vehicles: Sequence[Vehicle]
    losses: Sequence[Loss]
    no_fault_proxy: bool = False


@dataclass(frozen=True, slots=True)
class Payment:
    payer: str
    victim: str
    kind: LossKind
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Shortfall:
    victim: str
    kind: LossKind
    loss: Decimal
    paid: Decimal
    unpaid: Decimal


@dataclass(frozen=True, slots=True)
class MutualCheck:
    applies: bool
    reasons: list[str]


@dataclass(frozen=True, slots=True)
class CtplResult:
    limits_used: CtplLimits
    payments: list[Payment]  # ordinary CTPL payments, after the cap
    first_pass: list[Payment]  # shares before the cap (proxied shares excluded)
    proxy_payments: list[Payment]  # 无责代赔: payer is the at-fault vehicle itself
    totals: dict[str, Decimal]  # per vehicle: ordinary payments + proxy payments
    shortfalls: list[Shortfall]
    mutual_self_settlement: MutualCheck
    explanation: list[str]


@dataclass(slots=True)
class _Claim:
    victim: str
    kind: LossKind
    amount: Decimal
    vehicle_id: str | None


def _read_vehicles(vehicles: Sequence[Vehicle]) -> dict[str, bool]:
    if not vehicles:
        raise RuleInputError("vehicles", "至少需要一辆车")
    fault: dict[str, bool] = {}
    for i, vehicle in enumerate(vehicles):
        if not isinstance(vehicle.id, str) or not vehicle.id.strip():
            raise RuleInputError(f"vehicles.{i}.id", "车辆标识不能为空")
        if vehicle.id in fault:
            raise RuleInputError(f"vehicles.{i}.id", f"车辆标识 {vehicle.id!r} 重复")
        if not isinstance(vehicle.at_fault, bool):
            raise RuleInputError(f"vehicles.{i}.at_fault", "须为 true 或 false")
        fault[vehicle.id] = vehicle.at_fault
    return fault


def _read_losses(
    losses: Sequence[Loss], fault: dict[str, bool]
) -> dict[tuple[str, LossKind], _Claim]:
    claims: dict[tuple[str, LossKind], _Claim] = {}
    owner_of: dict[str, str | None] = {}
    for i, loss in enumerate(losses):
        if not isinstance(loss.victim, str) or not loss.victim.strip():
            raise RuleInputError(f"losses.{i}.victim", "受害人不能为空")
        kind = parse_enum(LossKind, loss.kind, f"losses.{i}.kind")
        amount = to_fen(non_negative(loss.amount, f"losses.{i}.amount"))
        owner = loss.vehicle_id
        if loss.victim in fault:
            if owner not in (None, loss.victim):
                raise RuleInputError(f"losses.{i}.vehicle_id", "受害人是车辆本身时不能另指车辆")
            owner = loss.victim
        elif owner is not None and owner not in fault:
            raise RuleInputError(f"losses.{i}.vehicle_id", f"未知车辆 {owner!r}")
        if owner_of.setdefault(loss.victim, owner) != owner:
            raise RuleInputError(f"losses.{i}.vehicle_id", "同一受害人所属车辆前后不一致")
        key = (loss.victim, kind)
        if key in claims:
            claims[key].amount += amount
        else:
            claims[key] = _Claim(loss.victim, kind, amount, owner)
    return claims


def _describe_limits(items: ItemLimits) -> str:
    return " / ".join(f"{KIND_LABELS[k]} {fmt_money(items.for_kind(k))}" for k in LossKind)


def _limit_label(at_fault: bool) -> str:
    return "有责" if at_fault else "无责"


def _mutual_check(
    fault: dict[str, bool], claims: dict[tuple[str, LossKind], _Claim], limits: CtplLimits
) -> MutualCheck:
    """互碰自赔 (§1.5); the parties' agreement itself cannot be checked here."""
    reasons: list[str] = []
    if len(fault) < 2:
        reasons.append("互碰自赔须有两辆及以上机动车")
    for vid in sorted(v for v, at_fault in fault.items() if not at_fault):
        reasons.append(f"{vid} 无责；互碰自赔要求各方均有责")
    cap = limits.at_fault.property
    for claim in sorted(claims.values(), key=lambda c: c.victim):
        if claim.amount <= 0:
            continue
        if claim.kind is not LossKind.property:
            reasons.append(f"{claim.victim} 有{KIND_LABELS[claim.kind]}损失；互碰自赔仅限无人伤")
        elif claim.victim not in fault:
            reasons.append(f"{claim.victim} 有车辆以外的财产损失；互碰自赔仅限各方车辆损失")
        elif claim.amount > cap:
            reasons.append(
                f"{claim.victim} 车损 {fmt_money(claim.amount)} 超过有责财产限额 {fmt_money(cap)}"
            )
    return MutualCheck(applies=not reasons, reasons=reasons)


def apportion(data: CtplInput, tables: Sequence[CtplLimits] = CTPL_LIMIT_TABLES) -> CtplResult:
    limits = limits_for(data.accident_date, tables)
    fault = _read_vehicles(data.vehicles)
    claims = _read_losses(data.losses, fault)
    if not isinstance(data.no_fault_proxy, bool):
        raise RuleInputError("no_fault_proxy", "须为 true 或 false")
    at_fault_ids = sorted(v for v, f in fault.items() if f)
    not_at_fault_ids = sorted(v for v, f in fault.items() if not f)

    explanation = [
        f"适用限额：{limits.name}；有责 {_describe_limits(limits.at_fault)}；"
        f"无责 {_describe_limits(limits.not_at_fault)}"
    ]
    proxy = data.no_fault_proxy and bool(at_fault_ids) and bool(not_at_fault_ids)
    if data.no_fault_proxy and not proxy:
        explanation.append("无责代赔：须同时有有责方和无责方车辆，本案不适用")

    def limit_of(vid: str, kind: LossKind) -> Decimal:
        return limits.for_vehicle(fault[vid], kind)

    # 1. First pass: share each victim's loss among the other vehicles by limit.
    first_pass: dict[tuple[str, str, LossKind], Decimal] = {}
    proxied: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for claim in sorted(claims.values(), key=lambda c: (_KIND_ORDER[c.kind], c.victim)):
        kind = claim.kind
        label = KIND_LABELS[kind]
        if claim.amount == 0:
            continue
        payers = [v for v in fault if v != claim.vehicle_id]
        vehicle_damage = kind is LossKind.property and claim.victim in fault
        if proxy and vehicle_damage and not fault[claim.victim]:
            payers = [v for v in payers if fault[v]]  # not-at-fault vehicles count as one
        if not payers:
            explanation.append(
                f"{label}：{claim.victim} 的损失 {fmt_money(claim.amount)} 无其他车辆交强险承担"
            )
            continue
        order = sorted(payers, key=lambda v: (-limit_of(v, kind), v))
        shares = split_by_weights(claim.amount, [limit_of(v, kind) for v in order])
        parts = []
        for payer, share in zip(order, shares, strict=True):
            proxied_share = proxy and vehicle_damage and fault[claim.victim] and not fault[payer]
            parts.append(
                f"{payer}（{_limit_label(fault[payer])}限额 {fmt_money(limit_of(payer, kind))}）"
                f"{fmt_money(share)}" + ("（无责代赔）" if proxied_share else "")
            )
            if proxied_share:
                proxied[claim.victim] += share
            else:
                first_pass[(payer, claim.victim, kind)] = share
        explanation.append(
            f"{label}：{claim.victim} 的损失 {fmt_money(claim.amount)} 按各车适用限额比例分摊："
            + "，".join(parts)
        )

    # 2. Cap each payer's total per kind at its limit, proportionally.
    final: dict[tuple[str, str, LossKind], Decimal] = {}
    for payer in sorted(fault):
        for kind in LossKind:
            items = sorted(
                (
                    (victim, share)
                    for (p, victim, k), share in first_pass.items()
                    if p == payer and k == kind
                ),
                key=lambda item: (-item[1], item[0]),
            )
            if not items:
                continue
            total = sum((share for _, share in items), ZERO)
            limit = limit_of(payer, kind)
            if total > limit:
                capped = split_by_weights(limit, [share for _, share in items])
                explanation.append(
                    f"{payer} {KIND_LABELS[kind]}分摊合计 {fmt_money(total)} 超过"
                    f"{_limit_label(fault[payer])}限额 {fmt_money(limit)}，按比例压缩："
                    + "，".join(
                        f"{victim} {fmt_money(share)}"
                        for (victim, _), share in zip(items, capped, strict=True)
                    )
                )
                items = [(victim, share) for (victim, _), share in zip(items, capped, strict=True)]
            for victim, share in items:
                final[(payer, victim, kind)] = share

    # 3. No-fault proxy payments by each at-fault vehicle's own insurer.
    proxy_payments: list[Payment] = []
    if proxy:
        per_vehicle = proxy_limit(len(at_fault_ids), len(not_at_fault_ids), limits)
        explanation.append(
            f"无责代赔：有责 {len(at_fault_ids)} 辆、无责 {len(not_at_fault_ids)} 辆，"
            f"每辆有责车代赔限额 = {len(not_at_fault_ids)} × "
            f"{fmt_money(limits.not_at_fault.property)} / {len(at_fault_ids)} = "
            f"{fmt_money(per_vehicle)}"
        )
        for victim in sorted(proxied):
            amount = min(proxied[victim], per_vehicle)
            if amount > 0:
                proxy_payments.append(Payment(victim, victim, LossKind.property, amount))
            explanation.append(
                f"{victim} 车损中无责方应承担 {fmt_money(proxied[victim])}，由 {victim} 自身交强险"
                f"在代赔限额内赔付 {fmt_money(amount)}"
            )

    payments = [
        Payment(payer, victim, kind, amount)
        for (payer, victim, kind), amount in sorted(final.items(), key=_payment_key)
        if amount > 0
    ]
    first_pass_list = [
        Payment(payer, victim, kind, amount)
        for (payer, victim, kind), amount in sorted(first_pass.items(), key=_payment_key)
        if amount > 0
    ]

    totals = {vid: ZERO for vid in sorted(fault)}
    paid: dict[tuple[str, LossKind], Decimal] = defaultdict(lambda: ZERO)
    for payment in payments + proxy_payments:
        totals[payment.payer] += payment.amount
        paid[(payment.victim, payment.kind)] += payment.amount
    shortfalls = [
        Shortfall(c.victim, c.kind, c.amount, paid[key], c.amount - paid[key])
        for key, c in sorted(claims.items(), key=lambda kv: (kv[0][0], _KIND_ORDER[kv[0][1]]))
        if c.amount > paid[key]
    ]
    for s in shortfalls:
        explanation.append(
            f"{s.victim} {KIND_LABELS[s.kind]}：损失 {fmt_money(s.loss)}，交强险共赔 "
            f"{fmt_money(s.paid)}，未获赔 {fmt_money(s.unpaid)}"
        )

    mutual = _mutual_check(fault, claims, limits)
    if mutual.applies:
        explanation.append("互碰自赔条件满足（另须各方同意适用）：各方可由本方保险公司赔付本车损失")
    return CtplResult(
        limits_used=limits,
        payments=payments,
        first_pass=first_pass_list,
        proxy_payments=proxy_payments,
        totals=totals,
        shortfalls=shortfalls,
        mutual_self_settlement=mutual,
        explanation=explanation,
    )


def _payment_key(item: tuple[tuple[str, str, LossKind], Decimal]) -> tuple[str, str, int]:
    (payer, victim, kind), _ = item
    return payer, victim, _KIND_ORDER[kind]
