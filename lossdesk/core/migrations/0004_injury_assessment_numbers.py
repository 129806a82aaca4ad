"""The 人伤定损单号 prefix "RS" (issue 12), created like those of 0002."""

from django.db import migrations

PREFIX = "RS"


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
    dependencies = [("core", "0003_property_sheet_numbers")]

    operations = [migrations.RunPython(create, drop)]
