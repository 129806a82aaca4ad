"""Seed rows of per-province compensation standards (赔偿标准), RULES.md §4.

``data_year`` is the statistical year of the figures; a case heard in year N normally
uses the rows of year N − 1 (法释〔2022〕14号 art. 22). The Django layer loads these rows
into an editable table; the calculations only ever see a ``Standard``.

In force (RULES.md §3 art. 22, §4): a row applies to accidents from its ``effective_from``
(usually 1 January of ``data_year + 1``, ``usual_effective_from``) to its ``effective_to``
when one is set, else until the day before the next row of the same province and region
starts. ``periods`` works these out; ``in_force_on`` picks the row in force on a date and
``check_in_force`` refuses a named row that is not, naming its dates and the row that is.

Figures not found in RULES.md are ``None``. The wage base of the funeral allowance
differs by province, so each row carries the wage's label and year as published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .errors import RuleInputError
from .injury import Standard

GENERAL_REGION = "一般地区"
NON_PRIVATE_WAGE = "城镇非私营单位在岗职工平均工资"


@dataclass(frozen=True, slots=True)
class ProvinceStandard:
    province: str
    region: str
    data_year: int
    urban_disposable_income: Decimal
    urban_consumption: Decimal | None
    average_wage: Decimal | None  # annual
    wage_label: str
    wage_year: int | None
    source: str
    note: str = ""
    effective_from: date | None = None  # None: usual_effective_from(data_year)
    effective_to: date | None = None  # None: until the next row of the province and region

    @property
    def label(self) -> str:
        return f"{self.province} {self.region} {self.data_year}年数据"

    @property
    def starts(self) -> date:
        return self.effective_from or usual_effective_from(self.data_year)

    def to_standard(self) -> Standard:
        return Standard(
            urban_disposable_income=self.urban_disposable_income,
            urban_consumption=self.urban_consumption,
            average_wage=self.average_wage,
            province=self.province,
            region=self.region,
            year=self.data_year,
            label=self.label,
            wage_label=self.wage_label,
            source=self.source,
        )


def _row(
    province: str,
    data_year: int,
    income: str,
    consumption: str | None,
    wage: str | None,
    source: str,
    *,
    region: str = GENERAL_REGION,
    wage_label: str = "",
    wage_year: int | None = None,
    note: str = "",
) -> ProvinceStandard:
    return ProvinceStandard(
        province=province,
        region=region,
        data_year=data_year,
        urban_disposable_income=Decimal(income),
        urban_consumption=None if consumption is None else Decimal(consumption),
        average_wage=None if wage is None else Decimal(wage),
        wage_label=wage_label if wage is not None else "",
        wage_year=wage_year,
        source=source,
        note=note,
    )


_ZJ_2022 = "http://mylsfw.com/falvzixun/123856.html"
_ZJ_2020 = "http://148hz.com/bxnews.asp?id=11157 (浙高法明传[2021]158号)"
_CHOULVS = "https://choulvs.cn/page/2"
_GD_2021 = "http://277762.cc/ba/lhtatfqf.html (粤高法 2022 standard)"
_GD_2020 = "http://www.hhogas.cn/home/info/detail/id/1128/tid/103.html (粤高法〔2021〕80号)"

PROVINCE_STANDARDS_SEED: tuple[ProvinceStandard, ...] = (
    _row(
        "江苏",
        2024,
        "66173",
        "42197",
        "127620",
        "https://m.163.com/dy/article/JQD3742E05522N19.html (cites 江苏统计局 2025-02-18)",
        wage_label=NON_PRIVATE_WAGE,
        wage_year=2023,
        note="2025年案件适用",
    ),
    _row(
        "江苏",
        2023,
        "63211",
        "40461",
        None,
        "苏高法电〔2024〕128号, http://m.latjhl.com/article-detail/hydt/015.html",
        note="2024年案件适用；全省居民人均消费支出 35491；平均负担系数 1.90",
    ),
    _row(
        "浙江",
        2023,
        "74997",
        None,
        None,
        "https://www.marysdolls.com/blog-287482.html",
        note="一般地区（不含宁波），2024年案件适用",
    ),
    _row(
        "浙江",
        2022,
        "71268",
        "44511",
        "122309",
        _ZJ_2022,
        wage_label=NON_PRIVATE_WAGE,
        note="2023年案件适用；城镇私营单位就业人员平均工资 69228",
    ),
    _row(
        "浙江",
        2022,
        "76690",
        "47916",
        "124120",
        _ZJ_2022,
        region="宁波",
        wage_label=NON_PRIVATE_WAGE,
    ),
    _row(
        "浙江",
        2020,
        "62699",
        "36197",
        "108645",
        _ZJ_2020,
        wage_label=NON_PRIVATE_WAGE,
        note="2021年案件适用；丧葬费 54322.5",
    ),
    _row("浙江", 2020, "68008", "38702", None, _ZJ_2020, region="宁波"),
    _row(
        "上海",
        2023,
        "89477",
        "54919",
        "146196",
        _CHOULVS,
        wage_label="全口径城镇单位就业人员平均工资（月 12183 元 × 12）",
        wage_year=2022,
        note="2024年案件适用；丧葬费 73098",
    ),
    _row(
        "北京",
        2023,
        "88650",
        "50897",
        None,
        "北京市2023年统计公报, https://www.beijing.gov.cn/renwen/bjgk/rmsh/jmsr/202403/t20240322_3598187.html",
    ),
    _row("广东", 2021, "54854", None, None, _GD_2021),
    _row("广东", 2021, "70847", None, None, _GD_2021, region="深圳"),
    _row("广东", 2021, "64234", None, None, _GD_2021, region="珠海"),
    _row("广东", 2021, "35601", None, None, _GD_2021, region="汕头"),
    _row("广东", 2020, "50257", None, None, _GD_2020),
    _row("广东", 2020, "64878", None, None, _GD_2020, region="深圳"),
    _row("广东", 2020, "58475", None, None, _GD_2020, region="珠海"),
    _row("广东", 2020, "32922", None, None, _GD_2020, region="汕头"),
    _row(
        "新疆",
        2023,
        "40578",
        "26134",
        "104811",
        _CHOULVS,
        wage_label=NON_PRIVATE_WAGE,
        wage_year=2022,
    ),
    _row(
        "西藏",
        2023,
        "51900",
        "28858",
        "145461",
        _CHOULVS,
        wage_label=NON_PRIVATE_WAGE,
        wage_year=2022,
    ),
    _row(
        "贵州",
        2023,
        "42772",
        "27693",
        "104802",
        _CHOULVS,
        wage_label=NON_PRIVATE_WAGE,
        wage_year=2023,
    ),
    _row(
        "海南",
        2023,
        "42661",
        "28930",
        "107795",
        _CHOULVS,
        wage_label=NON_PRIVATE_WAGE,
        wage_year=2022,
    ),
)


def find_standard(
    province: str,
    year: int,
    region: str = GENERAL_REGION,
    rows: Sequence[ProvinceStandard] = PROVINCE_STANDARDS_SEED,
) -> ProvinceStandard:
    """The row for a province, data year and region, or ``RuleInputError`` naming the field."""
    of_province = [r for r in rows if r.province == province]
    if not of_province:
        raise RuleInputError("province", f"没有{province}的赔偿标准")
    of_year = [r for r in of_province if r.data_year == year]
    if not of_year:
        years = "、".join(str(y) for y in sorted({r.data_year for r in of_province}))
        raise RuleInputError("year", f"{province}没有 {year} 年数据（已有：{years}）")
    for row in of_year:
        if row.region == region:
            return row
    regions = "、".join(r.region for r in of_year)
    raise RuleInputError("region", f"{province} {year} 年没有“{region}”（已有：{regions}）")


# ------------------------------------------------------------------------------- in force


def usual_effective_from(data_year: int) -> date:
    """1 January of the year after the statistical year: the usual first accident day."""
    return date(data_year + 1, 1, 1)


@dataclass(frozen=True, slots=True)
class InForce:
    """A row with the accident dates it applies to: ``start`` to ``end`` (None: open)."""

    row: ProvinceStandard
    start: date
    end: date | None

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @property
    def period(self) -> str:
        """ "2023-01-01 至 2023-12-31" or "2024-01-01 起"."""
        if self.end is None:
            return f"{self.start.isoformat()} 起"
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    @property
    def accidents(self) -> str:
        """ "2023-01-01 至 2023-12-31 的事故" or "2024-01-01 起的事故"."""
        return f"{self.period}的事故" if self.end is None else f"{self.period} 的事故"


def periods(rows: Sequence[ProvinceStandard]) -> dict[tuple[str, str], list[InForce]]:
    """Every row's accident dates, by (province, region), each list by start date.

    A row ends on its own ``effective_to``, or else (and at the latest) the day before the
    next row of its province and region starts; the last row without an end stays open."""
    groups: dict[tuple[str, str], list[ProvinceStandard]] = {}
    for row in rows:
        groups.setdefault((row.province, row.region), []).append(row)
    result: dict[tuple[str, str], list[InForce]] = {}
    for key, group in groups.items():
        ordered = sorted(group, key=lambda r: (r.starts, r.data_year))
        nexts = [r.starts for r in ordered[1:]] + [None]
        result[key] = [
            InForce(row, row.starts, period_end(row.effective_to, following))
            for row, following in zip(ordered, nexts, strict=True)
        ]
    return result


def period_end(effective_to: date | None, next_start: date | None) -> date | None:
    """The last accident day of a row: its own end, else (and at the latest) the day before
    the next row of its province and region starts; None when neither is there."""
    ends = [d for d in (effective_to, next_start and next_start - timedelta(days=1)) if d]
    return min(ends) if ends else None


def _with(row: ProvinceStandard, rows: Sequence[ProvinceStandard]) -> list[ProvinceStandard]:
    return list(rows) if row in rows else [*rows, row]


def period_of(row: ProvinceStandard, rows: Sequence[ProvinceStandard]) -> InForce:
    """``row``'s accident dates among the rows of its province and region in ``rows``."""
    spans = periods(_with(row, rows))[(row.province, row.region)]
    return next(s for s in spans if s.row == row)


def _none_in_force(province: str, region: str, day: date, spans: Sequence[InForce]) -> str:
    known = "、".join(f"{s.row.data_year}年数据（{s.period}）" for s in spans)
    return f"事故日期 {day.isoformat()} 没有适用的{province} {region}赔偿标准" + (
        f"（已有：{known}）" if known else ""
    )


def in_force_on(
    day: date,
    province: str,
    region: str = GENERAL_REGION,
    rows: Sequence[ProvinceStandard] = PROVINCE_STANDARDS_SEED,
    field: str = "standard",
) -> InForce:
    """The row of a province and region in force for an accident on ``day``.

    ``RuleInputError(field)`` when none is: the province has no rows at all (on
    ``province``), the region none (on ``region``), or no row covers the day (on
    ``field``, listing each row's dates)."""
    if not any(r.province == province for r in rows):
        raise RuleInputError("province", f"没有{province}的赔偿标准")
    spans = periods(rows).get((province, region), [])
    if not spans:
        regions = "、".join(sorted({r.region for r in rows if r.province == province}))
        raise RuleInputError("region", f"{province}没有“{region}”的赔偿标准（已有：{regions}）")
    for span in spans:
        if span.covers(day):
            return span
    raise RuleInputError(field, _none_in_force(province, region, day, spans))


def check_in_force(
    row: ProvinceStandard,
    day: date,
    rows: Sequence[ProvinceStandard],
    field: str = "standard",
) -> InForce:
    """``row`` with its dates if it is in force for an accident on ``day``; otherwise
    ``RuleInputError(field)`` naming its dates and the row in force on ``day``, if any:
    "浙江 一般地区 2022年数据 适用于 2023-01-01 至 2023-12-31 的事故，事故日期 2025-03-01
    不在其内；该日适用 浙江 一般地区 2023年数据（2024-01-01 起）"."""
    own = period_of(row, rows)
    if own.covers(day):
        return own
    spans = periods(_with(row, rows))[(row.province, row.region)]
    other = next((s for s in spans if s.covers(day)), None)
    message = f"{row.label} 适用于 {own.accidents}，事故日期 {day.isoformat()} 不在其内；"
    if other is not None:
        message += f"该日适用 {other.row.label}（{other.period}）"
    else:
        message += f"该日没有适用的{row.province} {row.region}赔偿标准"
    raise RuleInputError(field, message)
