from django.contrib import admin

from lossdesk.reports.models import KpiTarget


@admin.register(KpiTarget)
class KpiTargetAdmin(admin.ModelAdmin):
    """The KPI targets as dated data (考核目标): a new row from a date on replaces the older
    one for the months from then; a branch's row wins over the one for all branches."""

    list_display = ["indicator", "branch", "effective_from", "target", "weight", "note"]
    list_filter = ["indicator", "branch"]
    date_hierarchy = "effective_from"
