from django.contrib import admin

from lossdesk.quality.models import AlertRuleSetting, CalendarDay, DeadlineRule


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
