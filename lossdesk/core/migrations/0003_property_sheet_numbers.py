"""The 物损定损单号 prefix "WS" (issue 11), created like those of 0002."""

from django.db import migrations

PREFIX = "WS"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE SEQUENCE IF NOT EXISTS core_number_{PREFIX.lower()}")
    else:
        apps.get_model("core", "NumberSequence").objects.get_or_create(key=PREFIX)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP SEQUENCE IF EXISTS core_number_{PREFIX.lower()}")
    else:
        apps.get_model("core", "NumberSequence").objects.filter(key=PREFIX).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0002_number_sequences")]

    operations = [migrations.RunPython(create, drop)]
