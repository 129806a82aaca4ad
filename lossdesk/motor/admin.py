"""Read-only admin pages for assessment sheets (see claims.admin)."""

from django.contrib import admin

from lossdesk.claims.admin import ReadOnlyAdmin, ReadOnlyInline
from lossdesk.motor.models import AssessmentLine, AssessmentSheet


class AssessmentLineInline(ReadOnlyInline):
    model = AssessmentLine
    fields = (
        "seq",
        "kind",
        "name",
        "part_no",
        "quantity",
        "unit_price",
        "amount",
        "salvage_value",
        "remarks",
    )


@admin.register(AssessmentSheet)
class AssessmentSheetAdmin(ReadOnlyAdmin):
    case_path = "loss_item__case"
    list_display = ("sheet_no", "loss_item", "assessor", "repair_shop", "total", "updated_at")
    search_fields = ("sheet_no", "loss_item__case__case_no", "loss_item__plate")
    list_select_related = ("loss_item", "assessor", "repair_shop")
    inlines = (AssessmentLineInline,)
