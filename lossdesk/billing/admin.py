"""Admin pages for fee contracts: the versions are read-only; adding one makes the next version
through services.do_create_fee_contract (the head office's right, the rules' check)."""

import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from lossdesk.billing import services
from lossdesk.billing.models import FeeContract
from lossdesk.core.errors import ServiceError

TERMS_MAX = 10_000  # characters of the terms as typed; the rules bound the brackets too


class FeeContractForm(forms.ModelForm):
    """Adds a version through the service once the fields are clean, so whatever the service
    refuses (the rules, the head office, a race) is an error on this form, not an error page.
    The admin's add view runs in one transaction: nothing stays if a later step fails."""

    terms = forms.JSONField(
        label="收费条款",
        max_length=TERMS_MAX,
        widget=forms.Textarea(attrs={"rows": 8, "cols": 80}),
        help_text='JSON，如 {"mode": "percentage", "rate": "0.03", "minimum": "300.00", '
        '"maximum": "5000.00"}；说明见 docs/billing.md。',
    )
    actor = None  # set by FeeContractAdmin.get_form
    saved: FeeContract | None = None

    class Meta:
        model = FeeContract
        fields = ("client", "line", "effective_from", "effective_to", "terms", "note")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.saved = services.do_create_fee_contract(
                client=data["client"],
                line=data["line"],
                effective_from=data["effective_from"],
                effective_to=data.get("effective_to"),
                terms=data["terms"],
                note=data.get("note", ""),
                actor=self.actor,
            )
        except ServiceError as exc:
            if not exc.fields:
                raise ValidationError(exc.message) from None
            for field, texts in exc.fields.items():
                name, _, key = field.partition(".")
                target = name if name in self.fields else None
                self.add_error(target, [f"{key}：{text}" if key else text for text in texts])
        return data

    def _post_clean(self):
        pass  # the service checked and saved the row (save_model hands it to the admin)


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
