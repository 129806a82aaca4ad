from django.contrib import admin

from lossdesk.quality.models import AlertRuleSetting, CalendarDay, DeadlineRule
from lossdesk.quality.staff.models import MisconductItem, PointThreshold


@admin.register(AlertRuleSetting)
class AlertRuleSettingAdmin(admin.ModelAdmin):
    """The rules' parameters; each save is checked by its rule (the bad parameter named)."""

    list_display = ["rule", "enabled", "params", "updated_at"]


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """The deadline of each stage (时限设置); the most specific rule for a case applies.
    After a change, `manage.py evaluate_deadlines --refresh` recomputes open cases."""

    list_display = ["stage", "client", "line", "branch", "amount", "unit", "office_hours"]
    list_filter = ["stage", "unit", "client"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Days off and make-up working days over the published calendar (节假日调整)."""

    list_display = ["day", "working", "name"]
    list_filter = ["working"]
    date_hierarchy = "day"


@admin.register(MisconductItem)
class MisconductItemAdmin(admin.ModelAdmin):
    """The point scale (违规项目与扣分标准): an item of a post with its range, dated; a change
    of range is a new row from its date, the old one given its end date."""

    list_display = [
        "code",
        "post",
        "title",
        "severity",
        "min_points",
        "max_points",
        "effective_from",
        "effective_to",
    ]
    list_filter = ["post", "severity"]


@admin.register(PointThreshold)
class PointThresholdAdmin(admin.ModelAdmin):
    """Consequences of a half-year's points (扣分处理标准), for the person or the supervisor."""

    list_display = ["points", "subject", "consequence", "effective_from", "effective_to"]
