"""Standards data in the admin: the system administrator's position holds the calc.* model
permissions (granted on migrate, see calc.apps). Every row keeps its source."""

from django.contrib import admin
from django.db.models import OuterRef, Subquery

from lossdesk.calc.models import (
    CompensationStandard,
    CtplLimitTable,
    DepreciationRate,
    DepreciationTable,
    WmiEntry,
)
from lossdesk.rules.standards import period_end


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
        "effective_from",
        "effective_to",
        "in_force",
        "urban_disposable_income",
        "urban_consumption",
        "average_wage",
        "wage_label",
    )
    list_filter = ("province", "data_year")
    search_fields = ("province", "region", "source", "note")
    ordering = ("province", "-data_year", "region")
    fieldsets = (
        (None, {"fields": ("province", "region", "data_year")}),
        ("适用的事故日期", {"fields": ("effective_from", "effective_to")}),
        (
            "数据",
            {
                "fields": (
                    "urban_disposable_income",
                    "urban_consumption",
                    "average_wage",
                    "wage_label",
                    "wage_year",
                )
            },
        ),
        (None, {"fields": ("source", "note")}),
    )

    def get_queryset(self, request):
        following = CompensationStandard.objects.filter(
            province=OuterRef("province"),
            region=OuterRef("region"),
            effective_from__gt=OuterRef("effective_from"),
        ).order_by("effective_from")
        return (
            super()
            .get_queryset(request)
            .annotate(next_from=Subquery(following.values("effective_from")[:1]))
        )

    @admin.display(description="适用事故期间")
    def in_force(self, obj) -> str:
        end = period_end(obj.effective_to, obj.next_from)
        start = obj.effective_from.isoformat()
        return f"{start} 至 {end.isoformat()}" if end else f"{start} 起"
