"""Third-party property (三者物损) assessment sheet: 成新率, line amounts and the total.

The firm's default rule (issue 11 §2):

* replace (更换) and compensate (赔偿) lines depreciate:
  成新率 = max(1 − 已使用月数 ÷ (使用年限 × 12), 下限), 下限 10% by default;
  金额 = round(数量 × 单价 × 成新率, 2), half up;
* repair (修复), clean-up (清理) and labour (人工) lines do not:
  金额 = round(数量 × 单价, 2), 成新率 1;
* 定损合计 = Σ 金额 − Σ 残值, and no line's salvage exceeds its amount.

The 成新率 is kept exact (1 − 7 ÷ 96 is not rounded); only money is rounded, once per
line. ``USEFUL_LIFE`` holds published defaults that pre-fill a line's useful life.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from .errors import RuleInputError, parse_enum
from .money import (
    FEN,
    MONEY,
    ONE,
    PRICE,
    QUANTITY,
    ZERO,
    Amount,
    D,
    Number,
    div,
    fmt_money,
    fmt_number,
    fmt_pct,
    mul,
    parse_amount,
    rate,
    to_fen,
)


class Treatment(StrEnum):
    replace = "replace"
    compensate = "compensate"
    repair = "repair"
    clean_up = "clean_up"
    labour = "labour"


TREATMENT_LABELS: dict[Treatment, str] = {
    Treatment.replace: "更换",
    Treatment.compensate: "赔偿",
    Treatment.repair: "修复",
    Treatment.clean_up: "清理",
    Treatment.labour: "人工",
}

# Only what is paid for as a (used) item loses value with age; work done is paid in full.
DEPRECIATED = frozenset({Treatment.replace, Treatment.compensate})

# Useful life in years, e.g. 2.5; 999.99 is far beyond any item yet keeps the arithmetic small.
USEFUL_LIFE_YEARS = Amount(max_digits=5, places=2)

# The firm's default: however old, a replaced or compensated item keeps 10% of its price.
DEFAULT_FLOOR = Decimal("0.10")


@dataclass(frozen=True, slots=True)
class PropertyLineInput:
    name: str
    treatment: Treatment | str
    quantity: Number
    unit_price: Number
    months_used: int | None = None
    useful_life_years: Number | None = None
    salvage_value: Number = 0


@dataclass(frozen=True, slots=True)
class PropertyLineResult:
    name: str
    treatment: Treatment
    quantity: Decimal
    unit_price: Decimal
    depreciation_rate: Decimal  # 成新率, exact; 1 for lines that do not depreciate
    floored: bool
    amount: Decimal
    salvage_value: Decimal
    formula: str


@dataclass(frozen=True, slots=True)
class PropertySheetResult:
    lines: list[PropertyLineResult]
    amounts: Decimal  # Σ line amounts
    salvage: Decimal  # Σ salvage values
    total: Decimal  # amounts − salvage
    floor: Decimal
    explanation: list[str]


def depreciation_rate(
    months_used: int, useful_life_years: Decimal, floor: Decimal = DEFAULT_FLOOR
) -> tuple[Decimal, bool]:
    """成新率 = max(1 − months ÷ (years × 12), floor), and whether the floor applied."""
    raw = ONE - div(D(months_used), mul(useful_life_years, Decimal(12)))
    return (floor, True) if raw < floor else (raw, False)


def assess_sheet(
    lines: Sequence[PropertyLineInput], floor: Number = DEFAULT_FLOOR
) -> PropertySheetResult:
    """Amounts of every line and the sheet total; bad input names ``lines.<i>.<field>``."""
    floor_ = rate(floor, "floor")
    results = [assess_line(line, f"lines.{i}", floor_) for i, line in enumerate(lines)]
    amounts = sum((line.amount for line in results), ZERO.quantize(FEN))
    if amounts > MONEY.maximum:
        raise RuleInputError("lines", f"金额合计不能大于 {MONEY.maximum:,}。")
    salvage = sum((line.salvage_value for line in results), ZERO.quantize(FEN))
    total = amounts - salvage
    explanation = [
        f"折旧规则：更换、赔偿项目按成新率计算，成新率下限 {fmt_pct(floor_)}；"
        "修复、清理、人工项目不计折旧",
        *(
            f"{i + 1}. {line.name}（{TREATMENT_LABELS[line.treatment]}）：{line.formula}"
            for i, line in enumerate(results)
        ),
        f"金额合计 {fmt_money(amounts)}，残值合计 {fmt_money(salvage)}",
        f"定损合计 = {fmt_money(amounts)} − {fmt_money(salvage)} = {fmt_money(total)}",
    ]
    return PropertySheetResult(
        lines=results,
        amounts=amounts,
        salvage=salvage,
        total=total,
        floor=floor_,
        explanation=explanation,
    )


def _bounded(value: object, kind: Amount, field: str, *, positive: bool = False) -> Decimal:
    """An exact Decimal (floats refused) within the column limits of ``kind``."""
    return parse_amount(D(value, field), kind, field=field, positive=positive)


def assess_line(line: PropertyLineInput, prefix: str, floor: Decimal) -> PropertyLineResult:
    if not isinstance(line.name, str) or not line.name.strip():
        raise RuleInputError(f"{prefix}.name", "项目名称不能为空")
    treatment = parse_enum(Treatment, line.treatment, f"{prefix}.treatment")
    quantity = _bounded(line.quantity, QUANTITY, f"{prefix}.quantity", positive=True)
    unit_price = _bounded(line.unit_price, PRICE, f"{prefix}.unit_price")
    months = line.months_used
    if months is not None and (isinstance(months, bool) or not isinstance(months, int)):
        raise RuleInputError(f"{prefix}.months_used", "已使用月数须为整数")
    if months is not None and months < 0:
        raise RuleInputError(f"{prefix}.months_used", "已使用月数不能为负数")

    price_text = f"{fmt_number(quantity)} × {fmt_money(unit_price)}"
    if treatment in DEPRECIATED:
        if months is None:
            raise RuleInputError(f"{prefix}.months_used", "更换、赔偿项目须填写已使用月数")
        if line.useful_life_years is None:
            raise RuleInputError(f"{prefix}.useful_life_years", "更换、赔偿项目须填写使用年限")
        life = _bounded(
            line.useful_life_years, USEFUL_LIFE_YEARS, f"{prefix}.useful_life_years", positive=True
        )
        rate_, floored = depreciation_rate(months, life, floor)
        raw_text = f"1 − {months} ÷ ({fmt_number(life)} × 12)"
        rate_text = f"成新率 = max({raw_text}, {fmt_pct(floor)}) {_equals_rate(rate_)}" + (
            "（按下限）" if floored else ""
        )
        if floored:
            amount = to_fen(mul(quantity, unit_price, floor))
        else:
            # One division, last, so an exact half fen (1.5 × 0.01 × 1/3 = 0.005) rounds up
            # instead of falling short through a rounded 成新率.
            life_months = mul(life, Decimal(12))
            remaining = mul(quantity, unit_price, life_months - months)
            amount = to_fen(div(remaining, life_months))
        formula = f"{rate_text}；金额 = {price_text} × 成新率 = {fmt_money(amount)}"
    else:
        rate_, floored = ONE, False
        amount = to_fen(mul(quantity, unit_price))
        formula = f"金额 = {price_text} = {fmt_money(amount)}（不计折旧）"
    if amount > MONEY.maximum:
        raise RuleInputError(f"{prefix}.unit_price", f"本行金额不能大于 {MONEY.maximum:,}。")

    salvage = _bounded(line.salvage_value, MONEY, f"{prefix}.salvage_value")
    if salvage > amount:
        raise RuleInputError(f"{prefix}.salvage_value", f"残值不能大于本行金额 {fmt_money(amount)}")
    if salvage:
        formula += f"；残值 {fmt_money(salvage)}"
    return PropertyLineResult(
        name=line.name.strip(),
        treatment=treatment,
        quantity=quantity,
        unit_price=unit_price,
        depreciation_rate=rate_,
        floored=floored,
        amount=amount,
        salvage_value=to_fen(salvage),
        formula=formula,
    )


def _equals_rate(value: Decimal) -> str:
    """ "= 62.5%", or "≈ 92.71%" when the exact 成新率 has more than two decimal places in %."""
    shown = value.quantize(Decimal("0.0001"))
    return f"= {fmt_pct(shown)}" if shown == value else f"≈ {fmt_pct(shown)}"


@dataclass(frozen=True, slots=True)
class UsefulLife:
    """A default useful life that pre-fills a line; the adjuster may change it per line."""

    label: str
    years: int
    source: str


_TAX_60 = "《中华人民共和国企业所得税法实施条例》第六十条"
_GOV_2017 = "财会〔2017〕4号《政府会计准则第3号——固定资产》应用指南 表1 政府固定资产折旧年限表"
_CHEAA_2020 = "中国家用电器协会《家用电器安全使用年限》系列团体标准（2020年1月10日发布）"

USEFUL_LIFE: dict[str, UsefulLife] = {
    "building": UsefulLife("房屋、建筑物（门面）", 20, f"{_TAX_60}（一）房屋、建筑物，为20年"),
    "guardrail": UsefulLife(
        "护栏（道路设施）",
        10,
        f"公司默认：{_GOV_2017}“构筑物 不低于8年”与{_TAX_60}（一）“房屋、建筑物 20年”之间，"
        "取镀锌钢护栏常见使用寿命（5—15年）的中值",
    ),
    "machinery": UsefulLife(
        "机器、机械和其他生产设备", 10, f"{_TAX_60}（二）机器、机械和其他生产设备，为10年"
    ),
    "furniture": UsefulLife(
        "家具、器具、工具", 5, f"{_TAX_60}（三）与生产经营活动有关的器具、工具、家具等，为5年"
    ),
    "transport": UsefulLife(
        "运输工具（非机动车、电动车等）",
        4,
        f"{_TAX_60}（四）飞机、火车、轮船以外的运输工具，为4年",
    ),
    "electronics": UsefulLife("电子设备", 3, f"{_TAX_60}（五）电子设备，为3年"),
    "computer": UsefulLife(
        "电脑",
        5,
        f"公司默认：介于{_TAX_60}（五）电子设备3年（税法最低）与{_GOV_2017}"
        "“计算机设备 不低于6年”之间",
    ),
    "refrigerator": UsefulLife("电冰箱", 10, f"{_CHEAA_2020}：电冰箱、葡萄酒柜10年"),
    "air_conditioner": UsefulLife("空调", 10, f"{_CHEAA_2020}：房间空调器10年"),
    "washing_machine": UsefulLife("洗衣机、干衣机", 8, f"{_CHEAA_2020}：洗衣机、干衣机8年"),
    "range_hood_and_stove": UsefulLife(
        "吸油烟机、燃气灶", 8, f"{_CHEAA_2020}：吸油烟机、家用燃气灶8年"
    ),
    "water_heater": UsefulLife(
        "储水式电热水器", 8, "中国家用电器协会 T/CHEAA 0003-2018《储水式电热水器的安全使用年限》"
    ),
    "appliance": UsefulLife(
        "其他家用电器", 8, f"公司默认：{_CHEAA_2020}各品类安全使用年限（8—10年）的下限"
    ),
    "clothing": UsefulLife(
        "服装", 3, "公司默认：未找到公开的服装使用年限标准，按公司理赔惯例取3年，可按客户调整"
    ),
}
