"""PartFitment repeats its part's standard name, so a search restricted to a model reads
only the fitments of the matching names from one index (model, standard_name, part).
On PostgreSQL the "C"-collated OE index gains make_id, so an OE prefix search takes its
whole order (OE, make) from the index and stops at the page size."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_standard_names(apps, schema_editor):
    Part = apps.get_model("parts", "Part")
    PartFitment = apps.get_model("parts", "PartFitment")
    PartFitment.objects.update(
        standard_name_id=Subquery(
            Part.objects.filter(pk=OuterRef("part_id")).values("standard_name_id")[:1]
        )
    )


OE_INDEX = {
    "forward": [
        "DROP INDEX IF EXISTS parts_part_oe_c",
        'CREATE INDEX parts_part_oe_c ON parts_part ((oe_normalized COLLATE "C"), make_id)',
    ],
    "backward": [
        "DROP INDEX IF EXISTS parts_part_oe_c",
        'CREATE INDEX parts_part_oe_c ON parts_part ((oe_normalized COLLATE "C"))',
    ],
}


def _oe_index(direction):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in OE_INDEX[direction]:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("parts", "0002_search_indexes")]

    operations = [
        migrations.AddField(
            model_name="partfitment",
            name="standard_name",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="parts.partname",
                verbose_name="标准名称",
            ),
        ),
        migrations.RunPython(fill_standard_names, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="partfitment",
            name="standard_name",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="parts.partname",
                verbose_name="标准名称",
            ),
        ),
        migrations.AlterField(
            model_name="partfitment",
            name="model",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="fitments",
                to="parts.vehiclemodel",
                verbose_name="车型",
            ),
        ),
        migrations.AddIndex(
            model_name="partfitment",
            index=models.Index(
                fields=["model", "standard_name", "part"], name="fitment_model_name"
            ),
        ),
        migrations.RunPython(_oe_index("forward"), _oe_index("backward")),
    ]
