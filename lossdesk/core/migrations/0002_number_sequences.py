"""Numbers from a counter per prefix instead of per prefix and day (decision 0010): a
PostgreSQL sequence per prefix, a NumberSequence row per prefix elsewhere. The old per-day
rows go; old numbers had a 5-digit counter and new ones at least 6, so they never clash."""

from django.db import migrations

# Frozen copy of core.numbering.PREFIXES at the time of this migration.
PREFIXES = ("R", "C", "DS", "GB", "XJ", "BJ")


def create(apps, schema_editor):
    NumberSequence = apps.get_model("core", "NumberSequence")
    NumberSequence.objects.all().delete()
    if schema_editor.connection.vendor == "postgresql":
        for prefix in PREFIXES:
            schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS core_number_{prefix.lower()}")
    else:
        NumberSequence.objects.bulk_create(NumberSequence(key=p) for p in PREFIXES)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for prefix in PREFIXES:
            schema_editor.execute(f"DROP SEQUENCE IF EXISTS core_number_{prefix.lower()}")
    apps.get_model("core", "NumberSequence").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
