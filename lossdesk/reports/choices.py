from django.db import models


class Indicator(models.TextChoices):
    """The KPIs a target can be set for (考核指标): each one's figure in the KPI table has the
    same key. Sizes (cases handled) have no target: they differ between a person and a branch."""

    ARRIVAL_MEDIAN = "arrival_median", "中位调度到达(分钟)"
    SHARE_10 = "share_10", "10分钟内到达占比"
    SHARE_30 = "share_30", "30分钟内到达占比"
    CYCLE_DAYS = "cycle_days", "平均结案周期(天)"
    HANDOFFS = "handoffs", "平均交接次数"
    RETURN_RATE = "return_rate", "审核退回率"
    OVERDUE_RATE = "overdue_rate", "超时率"
    SATISFACTION = "satisfaction", "回访满意率"
    QUALITY_POINTS = "quality_points", "品质扣分"


RATE_INDICATORS = frozenset(
    {
        Indicator.SHARE_10,
        Indicator.SHARE_30,
        Indicator.RETURN_RATE,
        Indicator.OVERDUE_RATE,
        Indicator.SATISFACTION,
    }
)
# Better when higher; every other indicator is better when lower.
HIGHER_IS_BETTER = frozenset({Indicator.SHARE_10, Indicator.SHARE_30, Indicator.SATISFACTION})
