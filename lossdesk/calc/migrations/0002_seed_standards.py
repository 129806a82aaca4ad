"""Seed the standards tables from the rules package's published figures (RULES.md).

The values are copied at migration time: later edits in the admin are data, and a later
change of the seed constants does not touch existing rows. Rows that already exist (same
key) are left alone, so the migration is safe to re-run on a partly filled database."""

from django.db import migrations

from lossdesk.rules.ctpl import CTPL_LIMIT_TABLES
from lossdesk.rules.depreciation import CLAUSE_2014_TABLE
from lossdesk.rules.standards import PROVINCE_STANDARDS_SEED
from lossdesk.rules.vin import SEED_WMIS

VININFO_SOURCE = "vininfo src/vininfo/dicts/wmi.py (RULES.md §5.4)"
# SEED_WMIS lists the 48 vininfo entries first, then the makers vininfo lacks (two public
# tables agree), then five newer makers that only one public table lists.
VININFO_COUNT = 48
LOW_CONFIDENCE = {"L1N", "LFZ", "LK6", "LW4", "LZZ"}


def wmi_provenance(index: int, wmi: str) -> tuple[str, str]:
    if index < VININFO_COUNT:
        return VININFO_SOURCE, ""
    if wmi in LOW_CONFIDENCE:
        return "一份公开 WMI 表（public code）", "置信度较低：须以实车 VIN 核对"
    return "两份独立的公开 WMI 表（public code）", "vininfo 未收录"


def seed(apps, schema_editor):
    WmiEntry = apps.get_model("calc", "WmiEntry")
    DepreciationTable = apps.get_model("calc", "DepreciationTable")
    DepreciationRate = apps.get_model("calc", "DepreciationRate")
    CtplLimitTable = apps.get_model("calc", "CtplLimitTable")
    CompensationStandard = apps.get_model("calc", "CompensationStandard")

    for i, (wmi, entry) in enumerate(SEED_WMIS.items()):
        source, note = wmi_provenance(i, wmi)
        WmiEntry.objects.get_or_create(
            wmi=wmi,
            defaults={
                "manufacturer": entry.manufacturer,
                "manufacturer_zh": entry.manufacturer_zh,
                "country": entry.country,
                "source": source,
                "note": note,
            },
        )

    table, created = DepreciationTable.objects.get_or_create(
        effective_from=CLAUSE_2014_TABLE.effective_from,
        defaults={
            "name": CLAUSE_2014_TABLE.name,
            "cap": CLAUSE_2014_TABLE.cap,
            "source": CLAUSE_2014_TABLE.source,
            "note": "生效日期取 2014-01-01（条款确切启用日期未查到）",
        },
    )
    if created:
        DepreciationRate.objects.bulk_create(
            DepreciationRate(
                table=table,
                vehicle_class=cls.value,
                use=use.value,
                monthly_rate=value,
            )
            for (cls, use), value in CLAUSE_2014_TABLE.rates.items()
        )

    for limits in CTPL_LIMIT_TABLES:
        CtplLimitTable.objects.get_or_create(
            effective_from=limits.effective_from,
            defaults={
                "name": limits.name,
                "at_fault_death_disability": limits.at_fault.death_disability,
                "at_fault_medical": limits.at_fault.medical,
                "at_fault_property": limits.at_fault.property,
                "not_at_fault_death_disability": limits.not_at_fault.death_disability,
                "not_at_fault_medical": limits.not_at_fault.medical,
                "not_at_fault_property": limits.not_at_fault.property,
                "source": limits.source,
            },
        )

    for row in PROVINCE_STANDARDS_SEED:
        CompensationStandard.objects.get_or_create(
            province=row.province,
            region=row.region,
            data_year=row.data_year,
            defaults={
                "urban_disposable_income": row.urban_disposable_income,
                "urban_consumption": row.urban_consumption,
                "average_wage": row.average_wage,
                "wage_label": row.wage_label,
                "wage_year": row.wage_year,
                "source": row.source,
                "note": row.note,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("calc", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
