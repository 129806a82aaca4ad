"""Admin pages for fee contracts: the versions are read-only; adding one makes the next version
through services.do_create_fee_contract (the head office's right, the rules' check)."""

import json

from django.contrib import admin

from lossdesk.billing import services
from lossdesk.billing.forms import FeeContractForm
from lossdesk.billing.models import FeeContract


@admin.register(FeeContract)
class FeeContractAdmin(admin.ModelAdmin):
    form = FeeContractForm
    list_display = (
        "client",
        "line",
        "version",
        "effective_from",
        "effective_to",
        "mode_label",
        "created_by",
        "created_at",
    )
    list_filter = ("line", "client")
    search_fields = ("client__name", "client__short_name", "note")
    list_select_related = ("client", "created_by")
    readonly_fields = ("version", "terms_text", "created_by", "created_at")

    @admin.display(description="收费方式")
    def mode_label(self, obj):
        return obj.get_mode_display()

    @admin.display(description="收费条款")
    def terms_text(self, obj):
        return json.dumps(obj.terms, ensure_ascii=False, indent=2)

    def get_fields(self, request, obj=None):
        if obj is None:
            return FeeContractForm.Meta.fields
        return (
            "client",
            "line",
            "version",
            "effective_from",
            "effective_to",
            "terms_text",
            "note",
            "created_by",
            "created_at",
        )

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else ()

    def has_add_permission(self, request):
        return services.may_write_fee_contracts(request.user)

    def has_change_permission(self, request, obj=None):
        return False  # a change of terms is a new version

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        # The form's clean() saved the version; the admin goes on with `obj` (its log entry,
        # its redirect): make it the saved row.
        saved = form.saved
        for field in FeeContract._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding, obj._state.db = False, saved._state.db
