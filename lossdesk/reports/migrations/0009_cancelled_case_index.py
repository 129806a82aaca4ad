"""注销统计 reads the cancelled cases of a date range (by their cancellation time, closed_at)
with their branch, client, reason and opening time: a partial index on the cancelled cases
holding all of them, so a year at 1,000,000 cases is an index-only scan of its ~40k entries
instead of the ~80k cancelled rows' heap pages (issue 16, decision 0024). Like 0006's
dispatch index it is the statistics' index, so it lives here."""

from django.db import migrations

NAME = "reports_cancelled_cases"
COLUMNS = "closed_at, branch_id, client_id, cancel_reason, opened_at, id"


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_closed_days")]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON claims_case ({COLUMNS}) "
            "WHERE status = 'cancelled'",
            f"DROP INDEX IF EXISTS {NAME}",
        ),
    ]
