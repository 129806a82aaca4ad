from django.contrib import admin

from lossdesk.audit.models import PiiAccess
from lossdesk.core.admin import ReadOnlyMixin


@admin.register(PiiAccess)
class PiiAccessAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read only for everybody, superusers included: a record is never added, changed or
    deleted by hand (expired ones go by the purge command)."""

    list_display = ("at", "user", "case_no", "person", "action", "shown_fields", "source", "ip")
    list_filter = ("action", "at")
    search_fields = ("case_no", "user__username", "user__full_name", "person")
    list_select_related = ("user",)
    date_hierarchy = "at"
    actions = None

    @admin.display(description="字段")
    def shown_fields(self, obj) -> str:
        return "，".join(obj.fields)
