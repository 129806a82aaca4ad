"""Standards data in the admin: the system administrator's position holds the calc.* model
permissions (granted on migrate, see calc.apps). Every row keeps its source."""

from django.contrib import admin

from lossdesk.calc.models import (
    CompensationStandard,
    CtplLimitTable,
    DepreciationRate,
    DepreciationTable,
    WmiEntry,
)


@admin.register(WmiEntry)
class WmiEntryAdmin(admin.ModelAdmin):
    list_display = ("wmi", "manufacturer_zh", "manufacturer", "country", "source", "note")
    search_fields = ("wmi", "manufacturer", "manufacturer_zh")
    list_filter = ("country",)


class DepreciationRateInline(admin.TabularInline):
    model = DepreciationRate
    extra = 0
    fields = ("vehicle_class", "use", "monthly_rate", "source")


@admin.register(DepreciationTable)
class DepreciationTableAdmin(admin.ModelAdmin):
    list_display = ("name", "effective_from", "cap", "source")
    inlines = [DepreciationRateInline]


@admin.register(CtplLimitTable)
class CtplLimitTableAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "effective_from",
        "at_fault_death_disability",
        "at_fault_medical",
        "at_fault_property",
        "not_at_fault_death_disability",
        "not_at_fault_medical",
        "not_at_fault_property",
    )
    fieldsets = (
        (None, {"fields": ("name", "effective_from", "source", "note")}),
        (
            "有责",
            {
                "fields": (
                    "at_fault_death_disability",
                    "at_fault_medical",
                    "at_fault_property",
                )
            },
        ),
        (
            "无责",
            {
                "fields": (
                    "not_at_fault_death_disability",
                    "not_at_fault_medical",
                    "not_at_fault_property",
                )
            },
        ),
    )


@admin.register(CompensationStandard)
class CompensationStandardAdmin(admin.ModelAdmin):
    list_display = (
        "province",
        "region",
        "data_year",
        "urban_disposable_income",
        "urban_consumption",
        "average_wage",
        "wage_label",
    )
    list_filter = ("province", "data_year")
    search_fields = ("province", "region", "source", "note")
    ordering = ("province", "-data_year", "region")
