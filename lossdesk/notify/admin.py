"""SMS templates are edited here by the system administrator (notify.change_smstemplate);
the body is checked against the variables its event supplies. Messages are read on the
outbox pages (/sms/), which mask customers' numbers per viewer."""

from django.contrib import admin

from lossdesk.notify.models import SmsTemplate


@admin.register(SmsTemplate)
class SmsTemplateAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "body", "active", "updated_at")
    list_filter = ("active",)
    fields = ("code", "name", "variables", "body", "active", "updated_at")
    readonly_fields = ("code", "variables", "updated_at")

    def has_add_permission(self, request):
        return False  # templates belong to events in the code; they are seeded

    def has_delete_permission(self, request, obj=None):
        return False
