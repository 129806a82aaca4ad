"""The researched useful-life defaults (rules.property.USEFUL_LIFE, with their sources)
as the editable table that pre-fills sheet lines."""

from django.db import migrations

from lossdesk.rules.property import USEFUL_LIFE


def seed(apps, schema_editor):
    UsefulLife = apps.get_model("property", "UsefulLife")
    for key, life in USEFUL_LIFE.items():
        UsefulLife.objects.get_or_create(
            key=key, defaults={"label": life.label, "years": life.years, "source": life.source}
        )


def unseed(apps, schema_editor):
    apps.get_model("property", "UsefulLife").objects.filter(key__in=list(USEFUL_LIFE)).delete()


class Migration(migrations.Migration):
    dependencies = [("property", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
