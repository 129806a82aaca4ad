"""Read-only admin pages for reports and dispatches (see claims.admin)."""

from django.contrib import admin

from lossdesk.claims.admin import ReadOnlyAdmin
from lossdesk.core.masking import can_view_pii
from lossdesk.intake.models import Dispatch, Report

PHONE_FIELDS = ("reporter_phone", "driver_phone")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("report_no", "client", "client_claim_no", "plate", "branch", "reported_at")
    list_filter = ("client", "branch")
    search_fields = ("report_no", "client_claim_no", "plate", "vin")
    list_select_related = ("client", "branch")
    date_hierarchy = "reported_at"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if can_view_pii(request.user):
            return fields
        return [name for name in fields if name not in PHONE_FIELDS]


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = (
        "case",
        "surveyor",
        "dispatched_by",
        "status",
        "dispatched_at",
        "accepted_at",
        "arrived_at",
    )
    list_filter = ("status",)
    search_fields = ("case__case_no", "surveyor__username", "surveyor__full_name")
    list_select_related = ("case", "surveyor", "dispatched_by")
    date_hierarchy = "dispatched_at"
