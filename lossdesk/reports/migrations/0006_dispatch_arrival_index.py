"""The dispatch index of migration 0003 widened to cover what the dispatch-to-arrival median
reads (issue 15, the KPIs; 调度统计's median too): the month's dispatches come from the index
alone, with their arrival, surveyor and case, never from the table's rows. Measured at
1,000,000 cases under load (docs/benchmarks.md): a month's KPIs by person 650 → 280 ms, by
branch 1.0 → 0.58 s. It replaces 0003's index on dispatched_at, which it leads with."""

from django.db import migrations

OLD = ("reports_dispatch_day", "intake_dispatch (dispatched_at)")
NEW = (
    "reports_dispatch_arrival",
    "intake_dispatch (dispatched_at, arrived_at, surveyor_id, case_id)",
)


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_injury_and_property_days")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NEW[0]} ON {NEW[1]}", f"DROP INDEX IF EXISTS {NEW[0]}"
        ),
        migrations.RunSQL(
            f"DROP INDEX IF EXISTS {OLD[0]}", f"CREATE INDEX IF NOT EXISTS {OLD[0]} ON {OLD[1]}"
        ),
    ]
