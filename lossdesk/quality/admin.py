from django.contrib import admin

from lossdesk.quality.models import AlertRuleSetting


@admin.register(AlertRuleSetting)
class AlertRuleSettingAdmin(admin.ModelAdmin):
    """The rules' parameters; each save is checked by its rule (the bad parameter named)."""

    list_display = ["rule", "enabled", "params", "updated_at"]
