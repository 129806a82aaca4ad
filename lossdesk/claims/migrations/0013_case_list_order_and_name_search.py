"""The case list's order as an index, and trigram indexes for the search by name (issue
16, decisions 0019 and 0020).

`claims_case_list_order` (-opened_at, -id, branch) lets the list read its first pages (and count
at most EXACT_COUNT_LIMIT + 1 rows) from the head of an index instead of sorting every case
in scope. The search matches the reporter's and driver's names (`UPPER(name) LIKE
UPPER('term%')`, or `'%term%'` from three characters): pg_trgm GIN indexes on exactly that
expression serve both (a prefix has trigrams with the word's leading blanks), PostgreSQL
only; SQLite scans (the demo has no target)."""

from django.db import migrations, models

NAME_INDEXES = {
    "intake_report_reporter_name_trgm": (
        "intake_report USING gin ((UPPER(reporter_name::text)) gin_trgm_ops)"
    ),
    "intake_report_driver_name_trgm": (
        "intake_report USING gin ((UPPER(driver_name::text)) gin_trgm_ops)"
    ),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in NAME_INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in NAME_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0012_rescue_event_type"),
        ("intake", "0009_import_batch_processed_rows"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["-opened_at", "-id", "branch"], name="claims_case_list_order"
            ),
        ),
        migrations.RunPython(create, drop, elidable=False),
    ]
