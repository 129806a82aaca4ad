"""KPIs (issue 15 §4) and the closing statistics (§6): each closed case's figures
(ClosedCase, filled by rebuild_statistics and kept by the stale cases) and the targets as
dated data (KpiTarget) with the firm's defaults from 2026-01-01 — the hand-offs target is
the industry's 5.18 manual steps per claim, to beat."""

from datetime import date
from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

DEFAULT_TARGETS = {
    "arrival_median": "30",
    "share_10": "0.30",
    "share_30": "0.80",
    "cycle_days": "10",
    "handoffs": "5.18",
    "return_rate": "0.15",
    "overdue_rate": "0.10",
    "satisfaction": "0.90",
}


# What the KPIs and 审核统计 still read from rows, by month: the callbacks finished and the
# review decisions made in it (on claims' and intake's tables, beside the only queries that
# read them this way, like migration 0003).
DATE_INDEXES = {
    "reports_callback_completed": "intake_callback (completed_at)",
    "reports_review_created": "claims_review (created_at)",
}


def seed_targets(apps, schema_editor):
    KpiTarget = apps.get_model("reports", "KpiTarget")
    for indicator, target in DEFAULT_TARGETS.items():
        KpiTarget.objects.get_or_create(
            indicator=indicator,
            branch=None,
            effective_from=date(2026, 1, 1),
            defaults={"target": Decimal(target), "note": "默认目标"},
        )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0013_case_list_order_and_name_search"),
        ("org", "0005_alter_staff_managers"),
        ("reports", "0003_report_and_dispatch_day_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ClosedCase",
            fields=[
                (
                    "case",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="claims.case",
                        verbose_name="案件",
                    ),
                ),
                ("closed_at", models.DateTimeField(verbose_name="结案时间")),
                ("line", models.CharField(blank=True, max_length=20, verbose_name="险种线")),
                ("cycle_us", models.BigIntegerField(verbose_name="立案至结案（微秒）")),
                (
                    "dispatch_us",
                    models.BigIntegerField(null=True, verbose_name="报案至调度（微秒）"),
                ),
                (
                    "survey_us",
                    models.BigIntegerField(null=True, verbose_name="调度至查勘完成（微秒）"),
                ),
                (
                    "assessment_us",
                    models.BigIntegerField(null=True, verbose_name="查勘完成至提交审核（微秒）"),
                ),
                (
                    "review_us",
                    models.BigIntegerField(null=True, verbose_name="提交审核至审核通过（微秒）"),
                ),
                (
                    "report_us",
                    models.BigIntegerField(null=True, verbose_name="审核通过至出具报告（微秒）"),
                ),
                (
                    "closing_us",
                    models.BigIntegerField(null=True, verbose_name="出具报告至结案（微秒）"),
                ),
                ("people", models.PositiveSmallIntegerField(verbose_name="经手人数")),
                ("handoffs", models.PositiveSmallIntegerField(verbose_name="交接次数")),
                ("reviews", models.PositiveSmallIntegerField(verbose_name="审核次数")),
                ("returns", models.PositiveSmallIntegerField(verbose_name="退回次数")),
                ("deadlines", models.PositiveSmallIntegerField(verbose_name="时限环节数")),
                ("deadlines_late", models.PositiveSmallIntegerField(verbose_name="超时环节数")),
                (
                    "assessed",
                    models.DecimalField(
                        decimal_places=2, max_digits=14, verbose_name="首次送审定损金额"
                    ),
                ),
                (
                    "approved",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="核定金额"),
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
                        db_index=False,
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
                "verbose_name": "结案案件指标",
                "verbose_name_plural": "结案案件指标",
                "indexes": [
                    models.Index(fields=["closed_at", "branch"], name="reports_closed_month")
                ],
            },
        ),
        migrations.CreateModel(
            name="KpiTarget",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "indicator",
                    models.CharField(
                        choices=[
                            ("arrival_median", "中位调度到达(分钟)"),
                            ("share_10", "10分钟内到达占比"),
                            ("share_30", "30分钟内到达占比"),
                            ("cycle_days", "平均结案周期(天)"),
                            ("handoffs", "平均交接次数"),
                            ("return_rate", "审核退回率"),
                            ("overdue_rate", "超时率"),
                            ("satisfaction", "回访满意率"),
                            ("quality_points", "品质扣分"),
                        ],
                        max_length=30,
                        verbose_name="考核指标",
                    ),
                ),
                ("effective_from", models.DateField(verbose_name="生效日期")),
                (
                    "target",
                    models.DecimalField(
                        decimal_places=4,
                        help_text="比率填小数（0.85 即 85%）；用时填分钟或天，见指标单位。",
                        max_digits=12,
                        verbose_name="目标值",
                    ),
                ),
                (
                    "weight",
                    models.DecimalField(
                        decimal_places=2,
                        default=1,
                        help_text="考核得分中所占权重。",
                        max_digits=5,
                        verbose_name="权重",
                    ),
                ),
                ("note", models.CharField(blank=True, max_length=200, verbose_name="说明")),
                (
                    "branch",
                    models.ForeignKey(
                        blank=True,
                        help_text="空为全部机构；机构的目标优先于全部机构的。",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.branch",
                        verbose_name="机构",
                    ),
                ),
            ],
            options={
                "verbose_name": "考核目标",
                "verbose_name_plural": "考核目标",
                "ordering": ["indicator", "-effective_from"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("indicator", "branch", "effective_from"), name="uniq_kpi_target"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("branch__isnull", True)),
                        fields=("indicator", "effective_from"),
                        name="uniq_kpi_target_all_branches",
                    ),
                ],
            },
        ),
        migrations.RunPython(seed_targets, migrations.RunPython.noop),
        *[
            migrations.RunSQL(
                f"CREATE INDEX IF NOT EXISTS {name} ON {definition}",
                f"DROP INDEX IF EXISTS {name}",
            )
            for name, definition in DATE_INDEXES.items()
        ],
    ]
