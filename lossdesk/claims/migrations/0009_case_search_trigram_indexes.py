"""Trigram indexes for the case search (issue 16, decision 0014), PostgreSQL only.

The case list's `q` finds a case when any of its numbers, plates, VIN or phones contains
the term (`CaseQuerySet.search`: `UPPER(col) LIKE UPPER('%term%')`, phones without UPPER).
A b-tree cannot serve a match inside a value; a pg_trgm GIN index on the same expression
can, for terms of three characters or more (the database needs a UTF-8 ctype for Chinese
plates, decision 0004). The report's columns are indexed here, beside the query that reads
them, though the table is intake's: the search is claims'. SQLite keeps scanning (the demo
has no target)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = {
    "claims_case_no_trgm": "claims_case USING gin ((UPPER(case_no::text)) gin_trgm_ops)",
    "claims_lossitem_plate_trgm": ("claims_lossitem USING gin ((UPPER(plate::text)) gin_trgm_ops)"),
    "intake_report_no_trgm": "intake_report USING gin ((UPPER(report_no::text)) gin_trgm_ops)",
    "intake_report_claim_no_trgm": (
        "intake_report USING gin ((UPPER(client_claim_no::text)) gin_trgm_ops)"
    ),
    "intake_report_plate_trgm": "intake_report USING gin ((UPPER(plate::text)) gin_trgm_ops)",
    "intake_report_vin_trgm": "intake_report USING gin ((UPPER(vin::text)) gin_trgm_ops)",
    "intake_report_reporter_phone_trgm": "intake_report USING gin (reporter_phone gin_trgm_ops)",
    "intake_report_driver_phone_trgm": "intake_report USING gin (driver_phone gin_trgm_ops)",
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class PostgresTrigramExtension(TrigramExtension):
    """Created if missing (a no-op elsewhere than PostgreSQL); kept when migrating back."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass  # other apps' indexes (parts) use the extension too


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0008_fee_event_types"),
        ("intake", "0009_import_batch_processed_rows"),
    ]

    operations = [
        PostgresTrigramExtension(),
        migrations.RunPython(create, drop, elidable=False),
    ]
