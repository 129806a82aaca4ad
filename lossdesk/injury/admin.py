"""Read-only admin pages for injury assessments (they change through the case pages). The
ID number is left out: it is shown, masked by position and logged, on the case pages only."""

from django.contrib import admin

from lossdesk.claims.admin import ReadOnlyAdmin, ReadOnlyInline
from lossdesk.injury.models import InjuryAssessment, MedicalBill


class MedicalBillInline(ReadOnlyInline):
    model = MedicalBill
    fields = (
        "invoice_no",
        "hospital",
        "bill_date",
        "inpatient",
        "claimed_total",
        "reasonable_total",
        "deducted_total",
        "duplicate_of",
    )


@admin.register(InjuryAssessment)
class InjuryAssessmentAdmin(ReadOnlyAdmin):
    case_path = "loss_item__case"
    list_display = ("assessment_no", "loss_item", "outcome", "assessor", "total", "updated_at")
    search_fields = ("assessment_no", "loss_item__case__case_no")
    list_select_related = ("loss_item", "assessor")
    exclude = ("inputs", "explanation")
    inlines = (MedicalBillInline,)
