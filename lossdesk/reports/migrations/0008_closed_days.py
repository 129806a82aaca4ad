"""结案统计表's daily sums of the ClosedCase rows (issue 16, decision 0024), filled here from
those rows; afterwards kept by the roll-up refresh and rebuilt by rebuild_statistics."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

BATCH = 5_000


def fill(apps, schema_editor):
    ClosedCase = apps.get_model("reports", "ClosedCase")
    ClosedDay = apps.get_model("reports", "ClosedDay")
    grouped = (
        ClosedCase.objects.order_by()
        .values("branch_id", "client_id", "surveyor_id", "line", day=TruncDate("closed_at"))
        .annotate(
            closed=Count("pk"),
            assessed_sum=Sum("assessed"),
            approved_sum=Sum("approved"),
            cycle_sum=Sum("cycle_us"),
            reviewed=Count("pk", filter=Q(reviews__gt=0)),
            returned=Count("pk", filter=Q(returns__gt=0)),
            deadlines_sum=Sum("deadlines"),
            late_sum=Sum("deadlines_late"),
        )
    )
    batch = []
    for values in grouped.iterator(chunk_size=BATCH):
        batch.append(ClosedDay(**values))
        if len(batch) >= BATCH:
            ClosedDay.objects.bulk_create(batch)
            batch = []
    ClosedDay.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0005_alter_staff_managers"),
        ("reports", "0007_arrival_days"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClosedDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="日期")),
                ("line", models.CharField(blank=True, max_length=20, verbose_name="险种线")),
                ("closed", models.PositiveIntegerField(default=0, verbose_name="结案数")),
                (
                    "assessed_sum",
                    models.DecimalField(
                        decimal_places=2,
                        default=0,
                        max_digits=18,
                        verbose_name="首次送审定损金额合计",
                    ),
                ),
                (
                    "approved_sum",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=18, verbose_name="核定金额合计"
                    ),
                ),
                (
                    "cycle_sum",
                    models.BigIntegerField(default=0, verbose_name="立案至结案合计（微秒）"),
                ),
                ("reviewed", models.PositiveIntegerField(default=0, verbose_name="送审案件")),
                ("returned", models.PositiveIntegerField(default=0, verbose_name="审核退回案件")),
                (
                    "deadlines_sum",
                    models.PositiveIntegerField(default=0, verbose_name="时限环节数"),
                ),
                ("late_sum", models.PositiveIntegerField(default=0, verbose_name="超时环节数")),
                (
                    "branch",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.branch",
                        verbose_name="承办机构",
                    ),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.client",
                        verbose_name="委托方",
                    ),
                ),
                (
                    "surveyor",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="查勘员",
                    ),
                ),
            ],
            options={
                "verbose_name": "结案日汇总",
                "verbose_name_plural": "结案日汇总",
                "indexes": [
                    models.Index(fields=["branch", "day", "client"], name="closed_day_key")
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
