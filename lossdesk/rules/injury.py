"""Bodily-injury compensation items under 法释〔2022〕14号 (one urban–rural standard), RULES.md §3.

Each item is computed exactly and rounded half up to the fen once, at the end of the
item; the total is the sum of the rounded items. Only the items that apply to the
outcome and that the input provides are present.

Rules encoded here:

* Years (arts. 12/15): ``compensation_years(age)`` = 20; from 60, minus one per year of
  age over 60; from 75, 5 years. ``age`` is the age at 定残 (disability) or at death.
* 残疾赔偿金 = 城镇居民人均可支配收入 × 伤残系数 × years.
* 死亡赔偿金 = 城镇居民人均可支配收入 × years.
* 丧葬费 = 职工月平均工资 × 6 = annual average wage ÷ 2 (``Standard.average_wage`` is annual).
* 伤残系数 (§3.1/3.2): the highest grade's coefficient plus an add-on per extra
  disability, by a configurable ``AddonRule``. Default: one tenth of the extra grade's
  own coefficient, add-ons capped at 10% in all, total capped at 100%, and a 一级
  absorbs the others (one 九级 + three 十级 = 20% + 3 × 1% = 23%).
* 被扶养人生活费 (art. 17): each dependant is counted ``18 − age`` years when a minor,
  ``compensation_years(age)`` when unable to work with no income, else 0 years. Each
  year a dependant counts ``城镇居民人均消费支出 × c ÷ supporters``, where c is the
  disability coefficient (1 for a death). With several dependants the yearly total is
  capped year by year at ``城镇居民人均消费支出 × c``:
  ``Σ over years y of min(consumption × c, Σ dependants still counted in year y)``.
  (The law caps at one year's consumption; we apply the same coefficient to the cap so
  a disability case is capped on the same base it is computed on.)
* 误工费 = days × ``daily_income``, or ``annual_income`` ÷ 365 × days (TV-13: 4800 ÷ 365
  × 94 = 1236.16), or a proven ``lost_income_amount``. 护理费 = days × daily rate
  × carers. 住院伙食补助费 and 营养费 = days × daily rate. 医疗费, 交通费,
  残疾辅助器具费 and 精神损害抚慰金 are assessed amounts taken as given (the
  interpretation gives no formula for them).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from .errors import RuleInputError, parse_enum
from .money import (
    ONE,
    ZERO,
    D,
    div,
    fmt_money,
    fmt_number,
    fmt_pct,
    mul,
    non_negative,
    rate,
    to_fen,
)

ITEM_KEYS: tuple[str, ...] = (
    "medical",
    "lost_income",
    "nursing",
    "transport",
    "hospital_food",
    "nutrition",
    "disability_compensation",
    "assistive_devices",
    "funeral",
    "death_compensation",
    "dependant_living",
    "mental_distress",
    "appraisal_fee",
)
ITEM_LABELS: dict[str, str] = {
    "medical": "医疗费",
    "lost_income": "误工费",
    "nursing": "护理费",
    "transport": "交通费",
    "hospital_food": "住院伙食补助费",
    "nutrition": "营养费",
    "disability_compensation": "残疾赔偿金",
    "assistive_devices": "残疾辅助器具费",
    "funeral": "丧葬费",
    "death_compensation": "死亡赔偿金",
    "dependant_living": "被扶养人生活费",
    "mental_distress": "精神损害抚慰金",
    "appraisal_fee": "鉴定费",
}

# §3.1 伤残赔偿指数: 一级 100% … 十级 10%.
GRADE_COEFFICIENTS: dict[int, Decimal] = {g: Decimal(11 - g) / 10 for g in range(1, 11)}
GRADE_LABELS: dict[int, str] = {g: f"{'一二三四五六七八九十'[g - 1]}级" for g in range(1, 11)}

FULL_YEARS = 20
_AGE_REDUCTION_FROM = 60
_AGE_FLOOR_FROM = 75
_FLOOR_YEARS = 5
_ADULT_AGE = 18


class Outcome(StrEnum):
    injury = "injury"
    disability = "disability"
    death = "death"


class AddonKind(StrEnum):
    tenth_of_grade = "tenth_of_grade"  # Ia = the extra grade's coefficient ÷ 10
    per_extra_fixed = "per_extra_fixed"  # Ia = fixed_rate for every extra disability
    grade_table = "grade_table"  # Ia = grade_table[extra grade], e.g. 二至五级 10%, 六至十级 5%


@dataclass(frozen=True, slots=True)
class AddonRule:
    """How extra disabilities raise the coefficient (GB 18667-2002 附录B; local practice varies)."""

    kind: AddonKind = AddonKind.tenth_of_grade
    fixed_rate: Decimal = ZERO
    grade_table: Mapping[int, Decimal] = field(default_factory=dict)
    extras_cap: Decimal | None = Decimal("0.10")  # None = no cap on Σ Ia
    total_cap: Decimal = ONE
    grade_one_absorbs: bool = True
    label: str = "多处伤残：每处增加其伤残赔偿指数的十分之一，附加合计≤10%，总计≤100%，一级吸收其余"


DEFAULT_ADDON_RULE = AddonRule()


@dataclass(frozen=True, slots=True)
class Standard:
    """Compensation standard: previous statistical year's figures for the court's area."""

    urban_disposable_income: Decimal | int | str
    urban_consumption: Decimal | int | str | None = None
    average_wage: Decimal | int | str | None = None  # annual; funeral = half of it
    province: str = ""
    region: str = ""
    year: int | None = None  # statistical year of the figures
    label: str = ""  # e.g. "浙江 宁波 2022年数据"
    wage_label: str = ""  # which wage the average_wage is, e.g. 城镇非私营单位在岗职工平均工资
    source: str = ""


@dataclass(frozen=True, slots=True)
class Dependant:
    age: int
    supporters: int = 1  # people obliged to support this dependant, the victim included
    unable_to_work: bool = False  # 丧失劳动能力又无其他生活来源


@dataclass(frozen=True, slots=True)
class InjuryInput:
    age: int
    outcome: Outcome | str
    standard: Standard
    disability_grades: Sequence[int] = field(default_factory=list)
    dependants: Sequence[Dependant] = field(default_factory=list)
    medical_amount: Decimal | int | str | None = None
    lost_income_days: int = 0
    daily_income: Decimal | int | str | None = None
    annual_income: Decimal | int | str | None = None  # ÷ 365 per day
    lost_income_amount: Decimal | int | str | None = None  # proven actual loss
    nursing_days: int = 0
    nursing_daily_rate: Decimal | int | str | None = None
    nursing_carers: int = 1
    transport_amount: Decimal | int | str | None = None
    hospital_days: int = 0
    hospital_food_daily: Decimal | int | str | None = None
    nutrition_days: int = 0
    nutrition_daily: Decimal | int | str | None = None
    assistive_devices_amount: Decimal | int | str | None = None
    mental_distress_amount: Decimal | int | str | None = None
    appraisal_fee_amount: Decimal | int | str | None = None  # 伤残、护理期等鉴定的费用
    addon_rule: AddonRule = DEFAULT_ADDON_RULE


@dataclass(frozen=True, slots=True)
class ItemResult:
    label: str
    amount: Decimal
    formula: str


@dataclass(frozen=True, slots=True)
class InjuryResult:
    items: dict[str, ItemResult]
    total: Decimal
    standard: Standard
    explanation: list[str]


def _whole(value: object, field_name: str, minimum: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RuleInputError(field_name, f"须为不小于 {minimum} 的整数")
    return value


def compensation_years(age: int) -> int:
    """Years for 残疾/死亡赔偿金 and dependants unable to work: 20; −1 a year over 60; 5 from 75."""
    _whole(age, "age")
    if age >= _AGE_FLOOR_FROM:
        return _FLOOR_YEARS
    return FULL_YEARS - max(age - _AGE_REDUCTION_FROM, 0)


def _read_grades(grades: Sequence[int]) -> list[int]:
    if not grades:
        raise RuleInputError("disability_grades", "伤残须至少有一个等级")
    for i, grade in enumerate(grades):
        if isinstance(grade, bool) or not isinstance(grade, int) or not 1 <= grade <= 10:
            raise RuleInputError(f"disability_grades.{i}", "伤残等级须为 1 到 10 的整数")
    return sorted(grades)


def _addon(grade: int, rule: AddonRule) -> Decimal:
    if rule.kind is AddonKind.tenth_of_grade:
        return GRADE_COEFFICIENTS[grade] / 10
    if rule.kind is AddonKind.per_extra_fixed:
        return rate(rule.fixed_rate, "addon_rule.fixed_rate")
    if grade not in rule.grade_table:
        raise RuleInputError("addon_rule.grade_table", f"附加指数表缺少{GRADE_LABELS[grade]}")
    return rate(rule.grade_table[grade], f"addon_rule.grade_table.{grade}")


def _coefficient(grades: Sequence[int], rule: AddonRule) -> tuple[Decimal, str]:
    ordered = _read_grades(grades)
    highest, extras = ordered[0], ordered[1:]
    base = GRADE_COEFFICIENTS[highest]
    text = f"{GRADE_LABELS[highest]} {fmt_pct(base)}"
    if not extras:
        return base, text
    if highest == 1 and rule.grade_one_absorbs:
        return base, f"{text}（一级伤残吸收其余 {len(extras)} 处伤残，不另增加）"
    addons = [_addon(g, rule) for g in extras]
    addon_sum = sum(addons, ZERO)
    parts = " + ".join(
        f"{GRADE_LABELS[g]} {fmt_pct(a)}" for g, a in zip(extras, addons, strict=True)
    )
    text += f" + 附加（{parts}）"
    if rule.extras_cap is not None and addon_sum > rule.extras_cap:
        addon_sum = rule.extras_cap
        text += f"，附加合计以 {fmt_pct(rule.extras_cap)} 为限"
    total = base + addon_sum
    if total > rule.total_cap:
        total = rule.total_cap
        text += f"，总计以 {fmt_pct(rule.total_cap)} 为限"
    return total, f"{text} = {fmt_pct(total)}"


def disability_coefficient(grades: Sequence[int], rule: AddonRule = DEFAULT_ADDON_RULE) -> Decimal:
    """伤残系数 for one or more disability grades (1 = most severe), per ``rule``."""
    return _coefficient(grades, rule)[0]


def dependant_years(dependant: Dependant) -> int:
    """Years a dependant is counted: to 18 for a minor; 20/60/75 rule if unable to work; else 0."""
    age = _whole(dependant.age, "age")
    if age < _ADULT_AGE:
        return _ADULT_AGE - age
    if dependant.unable_to_work:
        return compensation_years(age)
    return 0


def _dependant_living(
    consumption: Decimal, coefficient: Decimal, dependants: Sequence[Dependant]
) -> tuple[Decimal, str]:
    years: list[int] = []
    yearly: list[Decimal] = []
    lines: list[str] = []
    for i, dep in enumerate(dependants):
        _whole(dep.age, f"dependants.{i}.age")
        supporters = _whole(dep.supporters, f"dependants.{i}.supporters", minimum=1)
        if not isinstance(dep.unable_to_work, bool):
            raise RuleInputError(f"dependants.{i}.unable_to_work", "须为 true 或 false")
        n = dependant_years(dep)
        per_year = div(mul(consumption, coefficient), Decimal(supporters))
        years.append(n)
        yearly.append(per_year)
        why = (
            "未成年，计至18周岁"
            if dep.age < _ADULT_AGE
            else ("丧失劳动能力" if dep.unable_to_work else "成年且有劳动能力，不计")
        )
        lines.append(
            f"被扶养人{i + 1}（{dep.age}岁，{why}）：{fmt_money(consumption)} × {n}年"
            + (f" × {fmt_pct(coefficient)}" if coefficient != ONE else "")
            + f" ÷ {supporters}人"
        )

    cap = mul(consumption, coefficient)
    total = ZERO
    segments: list[str] = []
    start = 0
    for end in sorted({n for n in years if n > 0}):
        active = sum((y for n, y in zip(years, yearly, strict=True) if n > start), ZERO)
        per_year = min(active, cap)
        amount = mul(per_year, Decimal(end - start))
        total += amount
        capped = "（已按年度上限）" if active > cap else ""
        segments.append(
            f"第{start + 1}–{end}年 每年 {fmt_money(per_year)}{capped} × {end - start}年 = "
            f"{fmt_money(amount)}"
        )
        start = end
    formula = "；".join(lines)
    if len(dependants) > 1:
        formula += f"；逐年合计不超过 {fmt_money(cap)}：" + "；".join(segments or ["无应计年度"])
    return total, f"{formula} = {fmt_money(to_fen(total))}"


def compute_injury(data: InjuryInput) -> InjuryResult:
    """Compute every applicable item of 法释〔2022〕14号 for one injured or deceased person."""
    outcome = parse_enum(Outcome, data.outcome, "outcome")
    age = _whole(data.age, "age")
    std = data.standard
    income = non_negative(std.urban_disposable_income, "standard.urban_disposable_income")
    items: dict[str, ItemResult] = {}
    explanation = [_describe_standard(std)]

    def put(key: str, amount: Decimal, formula: str) -> None:
        rounded = to_fen(amount)
        items[key] = ItemResult(ITEM_LABELS[key], rounded, f"{formula} = {fmt_money(rounded)}")

    def given(key: str, value: object, field_name: str) -> None:
        if value is not None:
            amount = to_fen(non_negative(value, field_name))
            items[key] = ItemResult(ITEM_LABELS[key], amount, f"按核定金额 {fmt_money(amount)}")

    def per_day(
        key: str, days_value: int, daily: object, days_field: str, daily_field: str
    ) -> None:
        if daily is None:
            return
        days = _whole(days_value, days_field)
        rate_ = non_negative(daily, daily_field)
        put(key, mul(rate_, Decimal(days)), f"{fmt_money(rate_)} × {days}天")

    if data.disability_grades and outcome is not Outcome.disability:
        raise RuleInputError("disability_grades", "仅伤残案件填写伤残等级")
    if data.dependants and outcome is Outcome.injury:
        raise RuleInputError("dependants", "被扶养人生活费仅适用于伤残或死亡")

    given("medical", data.medical_amount, "medical_amount")

    # 误工费
    if data.lost_income_amount is not None:
        given("lost_income", data.lost_income_amount, "lost_income_amount")
    elif data.daily_income is not None and data.annual_income is not None:
        raise RuleInputError("daily_income", "日收入与年收入只填一项")
    elif data.annual_income is not None:
        days = _whole(data.lost_income_days, "lost_income_days")
        annual = non_negative(data.annual_income, "annual_income")
        put(
            "lost_income",
            div(mul(annual, Decimal(days)), Decimal(365)),
            f"{fmt_money(annual)} ÷ 365 × {days}天",
        )
    else:
        per_day(
            "lost_income",
            data.lost_income_days,
            data.daily_income,
            "lost_income_days",
            "daily_income",
        )

    # 护理费
    if data.nursing_daily_rate is not None:
        days = _whole(data.nursing_days, "nursing_days")
        carers = _whole(data.nursing_carers, "nursing_carers", minimum=1)
        daily = non_negative(data.nursing_daily_rate, "nursing_daily_rate")
        put(
            "nursing",
            mul(daily, Decimal(days), Decimal(carers)),
            f"{fmt_money(daily)} × {days}天 × {carers}人",
        )

    given("transport", data.transport_amount, "transport_amount")
    per_day(
        "hospital_food",
        data.hospital_days,
        data.hospital_food_daily,
        "hospital_days",
        "hospital_food_daily",
    )
    per_day(
        "nutrition", data.nutrition_days, data.nutrition_daily, "nutrition_days", "nutrition_daily"
    )

    years = compensation_years(age)
    years_note = f"{age}岁，赔偿年限 {years}年"
    coefficient = ONE
    if outcome is Outcome.disability:
        coefficient, coef_text = _coefficient(data.disability_grades, data.addon_rule)
        explanation.append(f"伤残系数：{coef_text}（{data.addon_rule.label}）")
        explanation.append(f"残疾赔偿金年限：{years_note}")
        put(
            "disability_compensation",
            mul(income, Decimal(years), coefficient),
            f"{fmt_money(income)} × {years}年 × {fmt_pct(coefficient)}",
        )

    given("assistive_devices", data.assistive_devices_amount, "assistive_devices_amount")

    if outcome is Outcome.death:
        if std.average_wage is None:
            raise RuleInputError("standard.average_wage", "死亡案件须有职工平均工资（丧葬费基数）")
        wage = non_negative(std.average_wage, "standard.average_wage")
        put("funeral", div(wage, Decimal(2)), f"{fmt_money(wage)} ÷ 12 × 6个月")
        explanation.append(f"死亡赔偿金年限：{years_note}")
        put(
            "death_compensation",
            mul(income, Decimal(years)),
            f"{fmt_money(income)} × {years}年",
        )

    if data.dependants:
        if std.urban_consumption is None:
            raise RuleInputError(
                "standard.urban_consumption", "被扶养人生活费须有城镇居民人均消费支出"
            )
        consumption = non_negative(std.urban_consumption, "standard.urban_consumption")
        amount, formula = _dependant_living(consumption, coefficient, data.dependants)
        items["dependant_living"] = ItemResult(
            ITEM_LABELS["dependant_living"], to_fen(amount), formula
        )

    given("mental_distress", data.mental_distress_amount, "mental_distress_amount")
    given("appraisal_fee", data.appraisal_fee_amount, "appraisal_fee_amount")

    ordered = {key: items[key] for key in ITEM_KEYS if key in items}
    total = sum((item.amount for item in ordered.values()), ZERO)
    explanation.append(f"合计 {fmt_money(total)}（各项分别四舍五入到分后相加）")
    return InjuryResult(items=ordered, total=to_fen(total), standard=std, explanation=explanation)


def _describe_standard(std: Standard) -> str:
    figures = [
        ("城镇居民人均可支配收入", std.urban_disposable_income, "urban_disposable_income"),
        ("人均消费支出", std.urban_consumption, "urban_consumption"),
        ("职工年平均工资", std.average_wage, "average_wage"),
    ]
    shown = "，".join(
        f"{label} {fmt_number(D(value, f'standard.{name}'))}"
        for label, value, name in figures
        if value is not None
    )
    if std.average_wage is not None and std.wage_label:
        shown += f"（{std.wage_label}）"
    where = std.label or " ".join(
        x for x in (std.province, std.region, f"{std.year}年数据" if std.year else "") if x
    )
    source = f"；来源 {std.source}" if std.source else ""
    return f"赔偿标准{('：' + where) if where else ''}：{shown}{source}"
