"""Depreciation and actual value (实际价值) of a vehicle, RULES.md §2.5.

折旧金额 = 新车购置价 × 已使用月数 × 月折旧系数, capped at 80% of the new-vehicle price;
实际价值 = 新车购置价 − 折旧金额. Only whole months count. Rates are data with an
effective date (``DepreciationTable``); the 2014 clause table is seeded here.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

from .errors import RuleInputError, parse_date, parse_enum
from .money import D, fmt_money, fmt_pct, mul, non_negative, to_fen


class VehicleClass(StrEnum):
    passenger_under_10 = "passenger_under_10"
    passenger_10_plus = "passenger_10_plus"
    mini_truck = "mini_truck"
    truck_with_trailer = "truck_with_trailer"
    low_speed_truck = "low_speed_truck"
    other = "other"


class VehicleUse(StrEnum):
    private = "private"
    non_commercial = "non_commercial"
    commercial_taxi = "commercial_taxi"
    commercial_other = "commercial_other"


VEHICLE_CLASS_LABELS: dict[VehicleClass, str] = {
    VehicleClass.passenger_under_10: "9座以下客车",
    VehicleClass.passenger_10_plus: "10座以上客车",
    VehicleClass.mini_truck: "微型载货汽车",
    VehicleClass.truck_with_trailer: "带拖挂的载货汽车",
    VehicleClass.low_speed_truck: "低速货车和三轮汽车",
    VehicleClass.other: "其他车辆",
}

VEHICLE_USE_LABELS: dict[VehicleUse, str] = {
    VehicleUse.private: "家庭自用",
    VehicleUse.non_commercial: "非营业",
    VehicleUse.commercial_taxi: "营业·出租",
    VehicleUse.commercial_other: "营业·其他",
}


@dataclass(frozen=True, slots=True)
class DepreciationTable:
    """Monthly depreciation rates by (class, use). Missing pairs are "/" cells: not offered."""

    effective_from: date
    name: str
    rates: dict[tuple[VehicleClass, VehicleUse], Decimal]
    cap: Decimal = Decimal("0.80")
    source: str = ""


def _rates_2014() -> dict[tuple[VehicleClass, VehicleUse], Decimal]:
    c, u = VehicleClass, VehicleUse
    # Columns: 家庭自用, 非营业, 营业·出租, 营业·其他; None = "/" in the clause.
    rows: dict[VehicleClass, tuple[str | None, str, str, str]] = {
        c.passenger_under_10: ("0.0060", "0.0060", "0.0110", "0.0090"),
        c.passenger_10_plus: ("0.0090", "0.0090", "0.0110", "0.0090"),
        c.mini_truck: (None, "0.0090", "0.0110", "0.0110"),
        c.truck_with_trailer: (None, "0.0090", "0.0110", "0.0110"),
        c.low_speed_truck: (None, "0.0110", "0.0140", "0.0140"),
        c.other: (None, "0.0090", "0.0110", "0.0090"),
    }
    uses = (u.private, u.non_commercial, u.commercial_taxi, u.commercial_other)
    return {
        (cls, use): Decimal(value)
        for cls, values in rows.items()
        for use, value in zip(uses, values, strict=True)
        if value is not None
    }


CLAUSE_2014_TABLE = DepreciationTable(
    effective_from=date(2014, 1, 1),  # the 2014 示范条款; exact adoption date not in RULES.md
    name="2014版示范条款 参考折旧系数表",
    rates=_rates_2014(),
    cap=Decimal("0.80"),
    source="机动车综合商业保险示范条款(2014版) 释义 参考折旧系数表 (RULES.md §2.5)",
)


def _add_months(start: date, months: int) -> date:
    """``start`` plus ``months`` calendar months, clamped to the month's last day."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def whole_months(first_registration: date, accident_date: date) -> int:
    """Whole months from first registration to the accident; a part month does not count.

    A month is complete on the same day of a later month, or on that month's last day
    when it is shorter (registered 31 January → one month on 28/29 February).
    """
    start = parse_date(first_registration, "first_registration")
    end = parse_date(accident_date, "accident_date")
    if end < start:
        raise RuleInputError("accident_date", "出险日期早于初次登记日期")
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if _add_months(start, months) > end:
        months -= 1
    return months


@dataclass(frozen=True, slots=True)
class ActualValueInput:
    new_price: Decimal | int | str
    vehicle_class: VehicleClass | str
    use: VehicleUse | str
    months: int


@dataclass(frozen=True, slots=True)
class ActualValueResult:
    monthly_rate: Decimal
    months: int
    depreciation_rate: Decimal
    capped: bool
    depreciation: Decimal
    actual_value: Decimal
    explanation: list[str]


def monthly_rate(
    vehicle_class: VehicleClass | str,
    use: VehicleUse | str,
    table: DepreciationTable = CLAUSE_2014_TABLE,
) -> Decimal:
    """The table's monthly rate, 4 decimals (``Decimal("0.0060")``); "/" cells raise."""
    cls = parse_enum(VehicleClass, vehicle_class, "vehicle_class")
    use_ = parse_enum(VehicleUse, use, "use")
    found = table.rates.get((cls, use_))
    if found is None:
        pair = f"{VEHICLE_CLASS_LABELS[cls]} · {VEHICLE_USE_LABELS[use_]}"
        raise RuleInputError("use", f"{table.name}中没有“{pair}”的折旧系数")
    return found.quantize(Decimal("0.0001"))


def actual_value(
    data: ActualValueInput, table: DepreciationTable = CLAUSE_2014_TABLE
) -> ActualValueResult:
    """Depreciation and actual value; money is rounded to the fen once, on the depreciation."""
    new_price = non_negative(data.new_price, "new_price")
    if isinstance(data.months, bool) or not isinstance(data.months, int) or data.months < 0:
        raise RuleInputError("months", "已使用月数须为非负整数")
    rate = monthly_rate(data.vehicle_class, data.use, table)
    raw_rate = mul(rate, D(data.months))
    capped = raw_rate > table.cap
    depreciation_rate = table.cap if capped else raw_rate
    depreciation = to_fen(mul(new_price, depreciation_rate))
    value = new_price - depreciation

    cls = VehicleClass(data.vehicle_class)
    use = VehicleUse(data.use)
    explanation = [
        f"折旧系数表：{table.name}（{table.source}）",
        f"{VEHICLE_CLASS_LABELS[cls]} · {VEHICLE_USE_LABELS[use]}：月折旧系数 {fmt_pct(rate)}",
        f"折旧率 = {data.months}个月 × {fmt_pct(rate)} = {fmt_pct(raw_rate)}"
        + (f"，超过上限 {fmt_pct(table.cap)}，按 {fmt_pct(table.cap)} 计" if capped else ""),
        f"折旧金额 = {fmt_money(new_price)} × {fmt_pct(depreciation_rate)} = "
        f"{fmt_money(depreciation)}",
        f"实际价值 = {fmt_money(new_price)} − {fmt_money(depreciation)} = {fmt_money(value)}",
    ]
    return ActualValueResult(
        monthly_rate=rate,
        months=data.months,
        depreciation_rate=depreciation_rate,
        capped=capped,
        depreciation=depreciation,
        actual_value=to_fen(value),
        explanation=explanation,
    )
