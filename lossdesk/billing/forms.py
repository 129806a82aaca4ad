"""The forms of fee contracts (the 收费协议 page and the admin) and of a fee adjustment on the
case page: the request (finance) and the decision (a manager). The services check the rest
(docs/billing.md)."""

from django import forms
from django.core.exceptions import ValidationError

from lossdesk.billing import services
from lossdesk.billing.choices import AdjustmentDecision
from lossdesk.billing.models import FeeContract
from lossdesk.claims.forms import VersionedForm
from lossdesk.core.errors import ServiceError
from lossdesk.core.limits import NOTE_MAX


class AdjustmentForm(VersionedForm):
    amount = forms.DecimalField(
        label="调整金额（元）",
        max_digits=14,
        decimal_places=2,
        help_text="正数调增，负数调减。",
    )
    reason = forms.CharField(
        label="调整原因", max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class DecisionForm(VersionedForm):
    decision = forms.ChoiceField(
        label="审批结论", choices=AdjustmentDecision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="审批意见",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="驳回时必填。",
    )


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
