"""Admin pages of intake. Reports, dispatches, alerts, delegations, callbacks, import
batches and import mappings are read-only (they change only through the services, see
claims.admin); the roster is edited here too."""

from django.contrib import admin

from lossdesk.claims.admin import ReadOnlyAdmin
from lossdesk.core.admin import ReadOnlyMixin
from lossdesk.intake import importing
from lossdesk.intake.models import (
    Callback,
    Delegation,
    Dispatch,
    DispatchAlert,
    ImportBatch,
    ImportMapping,
    Report,
    RosterShift,
)

PHONE_FIELDS = ("reporter_phone", "driver_phone")


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = (
        "report_no",
        "client",
        "client_claim_no",
        "plate",
        "branch",
        "channel",
        "reported_at",
    )
    list_filter = ("client", "branch", "channel")
    search_fields = ("report_no", "client_claim_no", "plate", "vin")
    list_select_related = ("client", "branch")
    date_hierarchy = "reported_at"
    # Phones are shown in full (and that recorded) on the case page only.
    exclude = PHONE_FIELDS


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdmin):
    list_display = (
        "case",
        "surveyor",
        "dispatched_by",
        "auto",
        "status",
        "score",
        "dispatched_at",
        "accepted_at",
        "arrived_at",
        "dispatch_to_arrival_minutes",
    )
    list_filter = ("status", "auto")
    search_fields = ("case__case_no", "surveyor__username", "surveyor__full_name")
    list_select_related = ("case", "surveyor", "dispatched_by")
    date_hierarchy = "dispatched_at"


@admin.register(DispatchAlert)
class DispatchAlertAdmin(ReadOnlyAdmin):
    list_display = ("case", "kind", "message", "created_at", "resolved_at")
    list_filter = ("kind",)
    list_select_related = ("case",)


@admin.register(Delegation)
class DelegationAdmin(ReadOnlyAdmin):
    list_display = ("case", "from_branch", "to_branch", "status", "fee_share", "requested_at")
    list_filter = ("status", "to_branch")
    search_fields = ("case__case_no",)
    list_select_related = ("case", "from_branch", "to_branch")


@admin.register(Callback)
class CallbackAdmin(ReadOnlyAdmin):
    list_display = ("case", "surveyor", "method", "status", "rating", "completed_at")
    list_filter = ("method", "status", "rating")
    list_select_related = ("case", "surveyor")
    exclude = ("token_hash", "phone")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "original_name",
        "client",
        "branch",
        "status",
        "imported_rows",
        "skipped_rows",
        "failed_rows",
        "created_at",
    )
    list_filter = ("status", "client")
    list_select_related = ("client", "branch")


@admin.register(ImportMapping)
class ImportMappingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Read-only: a mapping changes only on its page, through do_save_import_mapping (its
    permission, the client scope and the audit row); the admin log holds every change."""

    list_display = ("client", "sheet_name", "header_row", "updated_at")

    def get_queryset(self, request):
        clients = importing.mapping_clients_for(request.user).values("pk")
        return super().get_queryset(request).filter(client__in=clients)


@admin.register(RosterShift)
class RosterShiftAdmin(admin.ModelAdmin):
    list_display = ("date", "surveyor", "zone", "start_time", "end_time", "branch")
    list_filter = ("date", "branch")
    search_fields = ("surveyor__full_name", "zone")
    list_select_related = ("surveyor", "branch")
