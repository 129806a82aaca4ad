from django.conf import settings
from django.db import models


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

    def __str__(self) -> str:
        return f"{self.day} {self.branch_id}/{self.client_id}"


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

    def __str__(self) -> str:
        return f"{self.day} {self.branch_id}/{self.client_id}"


class StaleCase(models.Model):
    """A case changed since the roll-ups last read it: written in the same transaction as
    the change, consumed (its roll-up rows recomputed) before statistics are read."""

    case_id = models.BigIntegerField("案件")

    class Meta:
        verbose_name = "待汇总案件"
        verbose_name_plural = "待汇总案件"

    def __str__(self) -> str:
        return str(self.case_id)
