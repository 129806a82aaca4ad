"""Read-only admin pages for case data. Business changes happen only through the case pages
(and their services); here data can be looked at, never added, changed or deleted.

Lists are limited to the cases the user may see (`Case.objects.for_user`), except the case
events, which are the audit trail: they are shown in full to holders of
claims.view_caseevent (the auditor)."""

from django.contrib import admin

from lossdesk.claims.models import (
    AdjustingReport,
    Attachment,
    Case,
    CaseEvent,
    DocumentRequest,
    LossItem,
    Resurvey,
    Review,
)
from lossdesk.core.admin import ReadOnlyMixin


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A read-only admin whose rows are limited to the user's cases. `case_path` is the
    lookup from the model to its case ("" for the case itself)."""

    case_path = "case"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        cases = Case.objects.for_user(request.user).values("pk")
        lookup = f"{self.case_path}__in" if self.case_path else "pk__in"
        return queryset.filter(**{lookup: cases})


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields  # also the non-editable ones (created_at…), which a form refuses


class LossItemInline(ReadOnlyInline):
    model = LossItem
    fields = ("seq", "kind", "label", "plate", "status")


class ReviewInline(ReadOnlyInline):
    model = Review
    fields = ("level", "decision", "reason", "amount", "reviewer", "created_at")


class DocumentRequestInline(ReadOnlyInline):
    model = DocumentRequest
    fields = ("items", "due_date", "status", "requested_by", "requested_at", "fulfilled_at")


class ResurveyInline(ReadOnlyInline):
    model = Resurvey
    fields = ("arrived_at", "surveyor", "reason", "note", "recorded_by", "recorded_at")


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ("kind", "doc_type", "original_name", "size", "uploaded_by", "uploaded_at")


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    case_path = ""
    list_display = (
        "case_no",
        "status",
        "client",
        "branch",
        "surveyor",
        "assessed_amount",
        "approved_amount",
        "opened_at",
    )
    list_filter = ("status", "client", "branch")
    search_fields = (
        "case_no",
        "report__report_no",
        "report__client_claim_no",
        "report__plate",
    )
    list_select_related = ("client", "branch", "surveyor")
    date_hierarchy = "opened_at"
    inlines = (
        LossItemInline,
        ResurveyInline,
        ReviewInline,
        DocumentRequestInline,
        AttachmentInline,
    )


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "case", "type", "actor", "message")
    list_filter = ("type",)
    search_fields = ("case__case_no", "message", "actor__username", "actor__full_name")
    list_select_related = ("case", "actor")
    date_hierarchy = "created_at"
    fields = ("case", "type", "actor", "created_at", "message", "data")

    def get_queryset(self, request):
        # The audit trail: not limited by case scope (see the module docstring).
        return admin.ModelAdmin.get_queryset(self, request)


@admin.register(AdjustingReport)
class AdjustingReportAdmin(ReadOnlyAdmin):
    list_display = ("report_no", "case", "amount", "issued_by", "issuing_branch", "issued_at")
    search_fields = ("report_no", "case__case_no")
    list_select_related = ("case", "issued_by", "issuing_branch")
    date_hierarchy = "issued_at"
