"""Read the standards tables and hand them to the rules package as its own dataclasses.

Every calculation goes through these functions, so an administrator's edit of a table
changes the next result. Missing data is a `RuleInputError` naming the input field that
selected it (`accident_date`, `province`, `year`, `region`)."""

from collections.abc import Iterable
from datetime import date

from django.utils import timezone

from lossdesk.calc.models import (
    CompensationStandard,
    CtplLimitTable,
    DepreciationRate,
    DepreciationTable,
    WmiEntry,
)
from lossdesk.rules import depreciation as rules_depreciation
from lossdesk.rules import standards as rules_standards
from lossdesk.rules.ctpl import CtplLimits, ItemLimits
from lossdesk.rules.errors import RuleInputError
from lossdesk.rules.standards import GENERAL_REGION, InForce, ProvinceStandard, find_standard
from lossdesk.rules.vin import WmiEntry as RulesWmiEntry


def wmi_table(keys: Iterable[str] | None = None) -> dict[str, RulesWmiEntry]:
    """WMI → (manufacturer, manufacturer_zh, country); only `keys` when given."""
    rows = WmiEntry.objects.all()
    if keys is not None:
        rows = rows.filter(wmi__in=[k.upper() for k in keys])
    return {
        row.wmi: RulesWmiEntry(row.manufacturer, row.manufacturer_zh, row.country) for row in rows
    }


def wmi_rows(keys: Iterable[str]) -> dict[str, WmiEntry]:
    return {row.wmi: row for row in WmiEntry.objects.filter(wmi__in=list(keys))}


def _to_depreciation_table(
    table: DepreciationTable, rates: Iterable[DepreciationRate]
) -> rules_depreciation.DepreciationTable:
    return rules_depreciation.DepreciationTable(
        effective_from=table.effective_from,
        name=table.name,
        rates={
            (
                rules_depreciation.VehicleClass(rate.vehicle_class),
                rules_depreciation.VehicleUse(rate.use),
            ): rate.monthly_rate
            for rate in rates
        },
        cap=table.cap,
        source=table.source,
    )


def depreciation_table(
    on_date: date | None = None, field: str = "accident_date"
) -> rules_depreciation.DepreciationTable:
    """The table in force on `on_date` (today when None): the latest one not after it."""
    day = on_date or timezone.localdate()
    table = (
        DepreciationTable.objects.filter(effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )
    if table is None:
        raise RuleInputError(field, f"{day} 没有适用的折旧系数表")
    return _to_depreciation_table(table, table.rates.all())


def all_depreciation_tables() -> list[
    tuple[DepreciationTable, rules_depreciation.DepreciationTable]
]:
    tables = DepreciationTable.objects.prefetch_related("rates")
    return [(t, _to_depreciation_table(t, t.rates.all())) for t in tables]


def to_ctpl_limits(row: CtplLimitTable) -> CtplLimits:
    return CtplLimits(
        effective_from=row.effective_from,
        at_fault=ItemLimits(
            row.at_fault_death_disability, row.at_fault_medical, row.at_fault_property
        ),
        not_at_fault=ItemLimits(
            row.not_at_fault_death_disability, row.not_at_fault_medical, row.not_at_fault_property
        ),
        name=row.name,
        source=row.source,
    )


def ctpl_tables() -> tuple[CtplLimits, ...]:
    """Every CTPL limit table; `rules.ctpl.limits_for` picks the one in force."""
    return tuple(to_ctpl_limits(row) for row in CtplLimitTable.objects.order_by("effective_from"))


def _to_province_standard(row: CompensationStandard) -> ProvinceStandard:
    return ProvinceStandard(
        province=row.province,
        region=row.region,
        data_year=row.data_year,
        urban_disposable_income=row.urban_disposable_income,
        urban_consumption=row.urban_consumption,
        average_wage=row.average_wage,
        wage_label=row.wage_label,
        wage_year=row.wage_year,
        source=row.source,
        note=row.note,
        effective_from=row.effective_from,
        effective_to=row.effective_to,
    )


def _province_rows(province: str) -> list[ProvinceStandard]:
    return [
        _to_province_standard(row) for row in CompensationStandard.objects.filter(province=province)
    ]


def compensation_standard(province: str, year: int, region: str | None = None) -> ProvinceStandard:
    """The row for a province, statistical year and region (一般地区 by default)."""
    province = (province or "").strip()
    return find_standard(province, year, region or GENERAL_REGION, _province_rows(province))


def compensation_standard_for(
    province: str,
    year: int | None = None,
    region: str | None = None,
    accident_date: date | None = None,
) -> InForce:
    """A row with the accident dates it is in force for, in one query.

    * ``year`` given: that row (``RuleInputError`` on ``province`` / ``year`` / ``region``
      when the table has none); with an ``accident_date`` it must be in force that day,
      else ``RuleInputError("standard")`` naming its dates and the row in force.
    * no ``year``: the row in force on ``accident_date`` (required then), else
      ``RuleInputError("standard")`` listing the rows' dates."""
    province = (province or "").strip()
    region = region or GENERAL_REGION
    rows = _province_rows(province)
    if year is None:
        if accident_date is None:
            raise RuleInputError("year", "请填写统计年度，或填写出险日期以选用当日适用的标准")
        return rules_standards.in_force_on(accident_date, province, region, rows)
    row = find_standard(province, year, region, rows)
    if accident_date is None:
        return rules_standards.period_of(row, rows)
    return rules_standards.check_in_force(row, accident_date, rows)


def standard_periods() -> dict[int, InForce]:
    """Every compensation standard's accident dates by primary key, in one query."""
    rows = {row.pk: _to_province_standard(row) for row in CompensationStandard.objects.all()}
    spans = {
        id(span.row): span
        for group in rules_standards.periods(rows.values()).values()
        for span in group
    }
    return {pk: spans[id(row)] for pk, row in rows.items()}
