from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from lossdesk.reports.choices import RATE_INDICATORS, Indicator


class Statistics(models.Model):
    """No table: the holder of the statistics permission (statistics are read from the
    business tables with SQL aggregates)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_statistics", "查看统计报表")]
        verbose_name = "统计报表"
        verbose_name_plural = "统计报表"

    def __str__(self) -> str:
        return "统计报表"


class RollupKey(models.Model):
    """The columns that place a row of a daily roll-up: the local day, the case's branch and
    client, and the person the statistic groups by."""

    day = models.DateField("日期")
    branch = models.ForeignKey(
        "org.Branch", models.CASCADE, related_name="+", verbose_name="承办机构", db_index=False
    )
    client = models.ForeignKey(
        "org.Client", models.CASCADE, related_name="+", verbose_name="委托方"
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.branch_id}/{self.client_id}"


class CaseDay(RollupKey):
    """报案统计 for the cases reported on one local day, of one branch, client and registrar
    (登记人): counts and sums from which the table's figures follow (reports.rollups keeps
    it equal to the cases; decision 0018)."""

    registrar = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="登记人"
    )
    reports = models.PositiveIntegerField("报案数", default=0)
    dispatched = models.PositiveIntegerField("已调度", default=0)
    open = models.PositiveIntegerField("处理中", default=0)
    closed = models.PositiveIntegerField("已结案", default=0)
    cancelled = models.PositiveIntegerField("已注销", default=0)
    injury = models.PositiveIntegerField("涉及人伤", default=0)
    delay_us = models.BigIntegerField("报案时延合计（微秒）", default=0)
    assessed = models.DecimalField("定损金额合计", max_digits=18, decimal_places=2, default=0)
    close_us = models.BigIntegerField("结案周期合计（微秒）", default=0)

    class Meta:
        verbose_name = "报案日汇总"
        verbose_name_plural = "报案日汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "day", "client", "registrar"], name="uniq_case_day"
            )
        ]


class DispatchDay(RollupKey):
    """调度统计 for the dispatches made on one local day to one surveyor, by the branch and
    client of their cases (decision 0018)."""

    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="查勘员"
    )
    dispatches = models.PositiveIntegerField("调度次数", default=0)
    accepted = models.PositiveIntegerField("接单", default=0)
    arrived = models.PositiveIntegerField("到达", default=0)
    declined = models.PositiveIntegerField("拒单", default=0)
    timed_out = models.PositiveIntegerField("超时未接", default=0)
    within_10 = models.PositiveIntegerField("10分钟内到达", default=0)
    within_30 = models.PositiveIntegerField("30分钟内到达", default=0)
    accept_us = models.BigIntegerField("接单用时合计（微秒）", default=0)
    arrival_us = models.BigIntegerField("调度到达用时合计（微秒）", default=0)

    class Meta:
        verbose_name = "调度日汇总"
        verbose_name_plural = "调度日汇总"
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "day", "client", "surveyor"], name="uniq_dispatch_day"
            )
        ]


class ArrivalBuckets(RollupKey):
    """The arrivals of the dispatches made in a period, by the branch and client of their
    cases, per tenth of a minute of dispatch → arrival (the value the median shows): how
    many, the shortest and the longest in microseconds. 中位调度到达 follows exactly from
    them (reports.histogram; decision 0024)."""

    tenths = models.IntegerField("调度到达用时（0.1 分钟）")
    arrivals = models.PositiveIntegerField("到达", default=0)
    shortest_us = models.BigIntegerField("最短用时（微秒）")
    longest_us = models.BigIntegerField("最长用时（微秒）")

    class Meta:
        abstract = True


class ArrivalDay(ArrivalBuckets):
    """The arrival histogram of one local day."""

    class Meta:
        verbose_name = "调度到达日分布"
        verbose_name_plural = "调度到达日分布"
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "day", "client", "tenths"], name="uniq_arrival_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.branch_id}/{self.client_id} {self.tenths}"


class ArrivalMonth(ArrivalBuckets):
    """The arrival histogram of one local month (`day` its first day): the whole months of a
    range read these, its first and last part months the days."""

    class Meta:
        verbose_name = "调度到达月分布"
        verbose_name_plural = "调度到达月分布"
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "day", "client", "tenths"], name="uniq_arrival_month"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m} {self.branch_id}/{self.client_id} {self.tenths}"


class LossItemDay(RollupKey):
    """The loss items of one kind whose case was reported on one local day, of one branch
    and client, by the person who prepared their assessment document (none yet: null).
    The assessor changes, so a refresh recomputes every row of the day, branch and client
    (decision 0023)."""

    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        related_name="+",
        verbose_name="定损人",
        db_index=False,
    )
    items = models.PositiveIntegerField("标的数", default=0)
    assessed_items = models.PositiveIntegerField("已定损", default=0)

    class Meta:
        abstract = True


class PropertyDay(LossItemDay):
    """三者物损统计's components (reports.rollups keeps it equal to the items)."""

    negotiated = models.PositiveIntegerField("已协商", default=0)
    claimed = models.DecimalField("物主索赔金额合计", max_digits=18, decimal_places=2, default=0)
    assessed = models.DecimalField("定损金额合计", max_digits=18, decimal_places=2, default=0)
    agreed = models.DecimalField("协商金额合计", max_digits=18, decimal_places=2, default=0)
    assessed_of_agreed = models.DecimalField(
        "已协商标的定损金额合计", max_digits=18, decimal_places=2, default=0
    )
    agreement_n = models.PositiveIntegerField("协商达成数", default=0)
    agreement_us = models.BigIntegerField("报案至协商达成合计（微秒）", default=0)

    class Meta:
        verbose_name = "物损日汇总"
        verbose_name_plural = "物损日汇总"
        indexes = [models.Index(fields=["branch", "day", "client"], name="property_day_key")]


class InjuryDay(LossItemDay):
    """人伤统计's components (reports.rollups keeps it equal to the items)."""

    open_items = models.PositiveIntegerField("未核损", default=0)
    visits = models.PositiveIntegerField("走访次数", default=0)
    open_flags = models.PositiveIntegerField("待认定疑点", default=0)
    confirmed_flags = models.PositiveIntegerField("确认疑点", default=0)
    hospital_days = models.PositiveIntegerField("住院天数合计", default=0)
    bills = models.PositiveIntegerField("票据数", default=0)
    claimed = models.DecimalField("医疗费申报合计", max_digits=18, decimal_places=2, default=0)
    reasonable = models.DecimalField("合理合计", max_digits=18, decimal_places=2, default=0)
    deducted = models.DecimalField("核减合计", max_digits=18, decimal_places=2, default=0)
    compensation = models.DecimalField("赔偿合计", max_digits=18, decimal_places=2, default=0)
    disability = models.PositiveIntegerField("伤残", default=0)
    death = models.PositiveIntegerField("死亡", default=0)
    assess_us = models.BigIntegerField("报案至定损合计（微秒）", default=0)

    class Meta:
        verbose_name = "人伤日汇总"
        verbose_name_plural = "人伤日汇总"
        indexes = [models.Index(fields=["branch", "day", "client"], name="injury_day_key")]


class StaleCase(models.Model):
    """A case changed since the roll-ups last read it: written in the same transaction as
    the change, consumed (its roll-up rows recomputed) before statistics are read."""

    case_id = models.BigIntegerField("案件")

    class Meta:
        verbose_name = "待汇总案件"
        verbose_name_plural = "待汇总案件"

    def __str__(self) -> str:
        return str(self.case_id)


class ClosedCase(models.Model):
    """The figures of one closed case that the KPIs and the closing statistics add up, read
    once from its timeline, reviews and deadlines (reports.casefacts, kept like the daily
    roll-ups: a stale case is recomputed before statistics are read). Durations are whole
    microseconds; a stage the case did not pass through is null."""

    case = models.OneToOneField(
        "claims.Case", models.CASCADE, primary_key=True, related_name="+", verbose_name="案件"
    )
    closed_at = models.DateTimeField("结案时间")
    branch = models.ForeignKey(
        "org.Branch", models.CASCADE, related_name="+", verbose_name="承办机构", db_index=False
    )
    client = models.ForeignKey(
        "org.Client", models.CASCADE, related_name="+", verbose_name="委托方", db_index=False
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        related_name="+",
        verbose_name="查勘员",
        db_index=False,
    )
    line = models.CharField("险种线", max_length=20, blank=True)
    cycle_us = models.BigIntegerField("立案至结案（微秒）")
    dispatch_us = models.BigIntegerField("报案至调度（微秒）", null=True)
    survey_us = models.BigIntegerField("调度至查勘完成（微秒）", null=True)
    assessment_us = models.BigIntegerField("查勘完成至提交审核（微秒）", null=True)
    review_us = models.BigIntegerField("提交审核至审核通过（微秒）", null=True)
    report_us = models.BigIntegerField("审核通过至出具报告（微秒）", null=True)
    closing_us = models.BigIntegerField("出具报告至结案（微秒）", null=True)
    people = models.PositiveSmallIntegerField("经手人数")
    handoffs = models.PositiveSmallIntegerField("交接次数")
    reviews = models.PositiveSmallIntegerField("审核次数")
    returns = models.PositiveSmallIntegerField("退回次数")
    deadlines = models.PositiveSmallIntegerField("时限环节数")
    deadlines_late = models.PositiveSmallIntegerField("超时环节数")
    assessed = models.DecimalField("首次送审定损金额", max_digits=14, decimal_places=2)
    approved = models.DecimalField("核定金额", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "结案案件指标"
        verbose_name_plural = "结案案件指标"
        indexes = [
            # A month's closed cases, per branch (KPIs, closing statistics).
            models.Index(fields=["closed_at", "branch"], name="reports_closed_month"),
        ]

    def __str__(self) -> str:
        return str(self.case_id)


class ClosedDay(RollupKey):
    """结案统计表 for the cases closed on one local day, of one branch, client, surveyor and
    line: sums of their ClosedCase rows (reports.rollups keeps it equal to them; decision
    0024)."""

    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        null=True,
        related_name="+",
        verbose_name="查勘员",
        db_index=False,
    )
    line = models.CharField("险种线", max_length=20, blank=True)
    closed = models.PositiveIntegerField("结案数", default=0)
    assessed_sum = models.DecimalField(
        "首次送审定损金额合计", max_digits=18, decimal_places=2, default=0
    )
    approved_sum = models.DecimalField("核定金额合计", max_digits=18, decimal_places=2, default=0)
    cycle_sum = models.BigIntegerField("立案至结案合计（微秒）", default=0)
    reviewed = models.PositiveIntegerField("送审案件", default=0)
    returned = models.PositiveIntegerField("审核退回案件", default=0)
    deadlines_sum = models.PositiveIntegerField("时限环节数", default=0)
    late_sum = models.PositiveIntegerField("超时环节数", default=0)

    class Meta:
        verbose_name = "结案日汇总"
        verbose_name_plural = "结案日汇总"
        indexes = [models.Index(fields=["branch", "day", "client"], name="closed_day_key")]


class KpiTarget(models.Model):
    """A target for one indicator (考核目标), from a date on, for every branch or one; the
    most specific row effective on the first day of a month applies to that month."""

    indicator = models.CharField("考核指标", max_length=30, choices=Indicator.choices)
    branch = models.ForeignKey(
        "org.Branch",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="机构",
        help_text="空为全部机构；机构的目标优先于全部机构的。",
    )
    effective_from = models.DateField("生效日期")
    target = models.DecimalField(
        "目标值",
        max_digits=12,
        decimal_places=4,
        help_text="比率填小数（0.85 即 85%）；用时填分钟或天，见指标单位。",
    )
    weight = models.DecimalField(
        "权重", max_digits=5, decimal_places=2, default=1, help_text="考核得分中所占权重。"
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "考核目标"
        verbose_name_plural = "考核目标"
        ordering = ["indicator", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "branch", "effective_from"], name="uniq_kpi_target"
            ),
            models.UniqueConstraint(
                fields=["indicator", "effective_from"],
                condition=models.Q(branch__isnull=True),
                name="uniq_kpi_target_all_branches",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_indicator_display()} {self.effective_from}"

    def clean(self) -> None:
        errors = {}
        if self.target is not None and self.target < 0:
            errors["target"] = "目标值不能为负数。"
        if self.indicator in RATE_INDICATORS and self.target is not None and self.target > 1:
            errors["target"] = "比率类指标的目标值须在 0 到 1 之间（0.85 即 85%）。"
        if self.weight is not None and self.weight <= 0:
            errors["weight"] = "权重须大于 0。"
        if errors:
            raise ValidationError(errors)
