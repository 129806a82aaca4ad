"""Seed rows of per-province compensation standards (赔偿标准), RULES.md §4.

``data_year`` is the statistical year of the figures; a case heard in year N normally
uses the rows of year N − 1 (法释〔2022〕14号 art. 22). The Django layer loads these rows
into an editable table; the calculations only ever see a ``Standard``.

Figures not found in RULES.md are ``None``. The wage base of the funeral allowance
differs by province, so each row carries the wage's label and year as published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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

    def to_standard(self) -> Standard:
        return Standard(
            urban_disposable_income=self.urban_disposable_income,
            urban_consumption=self.urban_consumption,
            average_wage=self.average_wage,
            province=self.province,
            region=self.region,
            year=self.data_year,
            label=f"{self.province} {self.region} {self.data_year}年数据",
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
