"""Daily roll-ups of 三者物损统计 and 人伤统计 (issue 16, decision 0023); rebuild_statistics
fills them."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0005_alter_staff_managers"),
        ("reports", "0004_kpi_targets_and_closed_cases"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="InjuryDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="日期")),
                ("items", models.PositiveIntegerField(default=0, verbose_name="标的数")),
                ("assessed_items", models.PositiveIntegerField(default=0, verbose_name="已定损")),
                ("open_items", models.PositiveIntegerField(default=0, verbose_name="未核损")),
                ("visits", models.PositiveIntegerField(default=0, verbose_name="走访次数")),
                ("open_flags", models.PositiveIntegerField(default=0, verbose_name="待认定疑点")),
                (
                    "confirmed_flags",
                    models.PositiveIntegerField(default=0, verbose_name="确认疑点"),
                ),
                (
                    "hospital_days",
                    models.PositiveIntegerField(default=0, verbose_name="住院天数合计"),
                ),
                ("bills", models.PositiveIntegerField(default=0, verbose_name="票据数")),
                (
                    "claimed",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=18, verbose_name="医疗费申报合计"
                    ),
                ),
                (
                    "reasonable",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=18, verbose_name="合理合计"
                    ),
                ),
                (
                    "deducted",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=18, verbose_name="核减合计"
                    ),
                ),
                (
                    "compensation",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=18, verbose_name="赔偿合计"
                    ),
                ),
                ("disability", models.PositiveIntegerField(default=0, verbose_name="伤残")),
                ("death", models.PositiveIntegerField(default=0, verbose_name="死亡")),
                (
                    "assess_us",
                    models.BigIntegerField(default=0, verbose_name="报案至定损合计（微秒）"),
                ),
                (
                    "assessor",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="定损人",
                    ),
                ),
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
            ],
            options={
                "verbose_name": "人伤日汇总",
                "verbose_name_plural": "人伤日汇总",
                "indexes": [
                    models.Index(fields=["branch", "day", "client"], name="injury_day_key")
                ],
            },
        ),
        migrations.CreateModel(
            name="PropertyDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="日期")),
                ("items", models.PositiveIntegerField(default=0, verbose_name="标的数")),
                ("assessed_items", models.PositiveIntegerField(default=0, verbose_name="已定损")),
                ("negotiated", models.PositiveIntegerField(default=0, verbose_name="已协商")),
                (
                    "claimed",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=18, verbose_name="物主索赔金额合计"
                    ),
                ),
                (
                    "assessed",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=18, verbose_name="定损金额合计"
                    ),
                ),
                (
                    "agreed",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=18, verbose_name="协商金额合计"
                    ),
                ),
                (
                    "assessed_of_agreed",
                    models.DecimalField(
                        decimal_places=2,
                        default=0,
                        max_digits=18,
                        verbose_name="已协商标的定损金额合计",
                    ),
                ),
                ("agreement_n", models.PositiveIntegerField(default=0, verbose_name="协商达成数")),
                (
                    "agreement_us",
                    models.BigIntegerField(default=0, verbose_name="报案至协商达成合计（微秒）"),
                ),
                (
                    "assessor",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="定损人",
                    ),
                ),
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
            ],
            options={
                "verbose_name": "物损日汇总",
                "verbose_name_plural": "物损日汇总",
                "indexes": [
                    models.Index(fields=["branch", "day", "client"], name="property_day_key")
                ],
            },
        ),
    ]
