"""Compensation standards get the accident dates they are in force for.

`effective_from` is filled for the existing rows with 1 January of `data_year` + 1 (a case
heard in year N uses the figures of year N − 1, RULES.md §3 art. 22 / §4); `effective_to`
stays empty (in force until the next row of the same province and region starts). Rows an
administrator has since given other dates keep them on a re-run."""

from datetime import date

from django.db import migrations, models


def fill_effective_from(apps, schema_editor):
    CompensationStandard = apps.get_model("calc", "CompensationStandard")
    for row in CompensationStandard.objects.filter(effective_from__isnull=True):
        row.effective_from = date(row.data_year + 1, 1, 1)
        row.save(update_fields=["effective_from"])


class Migration(migrations.Migration):
    dependencies = [("calc", "0003_user_facing_sources")]

    operations = [
        migrations.AddField(
            model_name="compensationstandard",
            name="effective_from",
            field=models.DateField(
                null=True,
                help_text="通常为统计年度次年的 1 月 1 日；以法院通知为准。",
                verbose_name="适用于此日起的事故",
            ),
        ),
        migrations.AddField(
            model_name="compensationstandard",
            name="effective_to",
            field=models.DateField(
                blank=True,
                help_text="留空：适用至同省份同地区下一条标准生效的前一天。",
                null=True,
                verbose_name="适用至（含）",
            ),
        ),
        migrations.RunPython(fill_effective_from, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="compensationstandard",
            name="effective_from",
            field=models.DateField(
                help_text="通常为统计年度次年的 1 月 1 日；以法院通知为准。",
                verbose_name="适用于此日起的事故",
            ),
        ),
        migrations.AddConstraint(
            model_name="compensationstandard",
            constraint=models.UniqueConstraint(
                fields=("province", "region", "effective_from"),
                name="uniq_compensation_standard_from",
                violation_error_message="同一省份、地区已有从该日起适用的标准。",
            ),
        ),
        migrations.AddConstraint(
            model_name="compensationstandard",
            constraint=models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="compensation_standard_period",
                violation_error_message="适用至日期不能早于生效日期。",
            ),
        ),
    ]
