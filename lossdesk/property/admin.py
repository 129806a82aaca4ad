"""Admin pages: the useful-life table and the depreciation rules are settings the firm edits
here; surveys, sheets and negotiations are read-only (they change through the case pages)."""

from django.contrib import admin

from lossdesk.claims.admin import ReadOnlyAdmin, ReadOnlyInline
from lossdesk.property.models import (
    DepreciationRule,
    Negotiation,
    Offer,
    PropertySheet,
    PropertySheetLine,
    PropertySurvey,
    UsefulLife,
)


@admin.register(UsefulLife)
class UsefulLifeAdmin(admin.ModelAdmin):
    list_display = ("label", "key", "years", "active", "source")
    list_editable = ("years", "active")
    search_fields = ("label", "key")


@admin.register(DepreciationRule)
class DepreciationRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "client", "effective_from", "floor", "note")
    list_filter = ("client",)
    autocomplete_fields = ("client",)


class PropertySheetLineInline(ReadOnlyInline):
    model = PropertySheetLine
    fields = (
        "seq",
        "treatment",
        "name",
        "quantity",
        "unit_price",
        "months_used",
        "useful_life_years",
        "depreciation_rate",
        "amount",
        "salvage_value",
    )


@admin.register(PropertySheet)
class PropertySheetAdmin(ReadOnlyAdmin):
    case_path = "loss_item__case"
    list_display = ("sheet_no", "loss_item", "assessor", "total", "updated_at")
    search_fields = ("sheet_no", "loss_item__case__case_no")
    list_select_related = ("loss_item", "assessor")
    inlines = (PropertySheetLineInline,)


@admin.register(PropertySurvey)
class PropertySurveyAdmin(ReadOnlyAdmin):
    case_path = "loss_item__case"
    list_display = ("loss_item", "category", "owner_name", "location", "updated_at")
    list_select_related = ("loss_item",)
    exclude = ("owner_phone",)  # personal data: shown masked on the case pages only


class OfferInline(ReadOnlyInline):
    model = Offer
    fields = ("offered_on", "party", "speaker", "amount", "note")


@admin.register(Negotiation)
class NegotiationAdmin(ReadOnlyAdmin):
    case_path = "loss_item__case"
    list_display = ("loss_item", "claimed_amount", "agreed_amount", "agreed_on")
    list_select_related = ("loss_item",)
    inlines = (OfferInline,)
