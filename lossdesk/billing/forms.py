"""The case page's forms of a fee adjustment: the request (finance) and the decision
(a manager). The services check the rest (docs/billing.md)."""

from django import forms

from lossdesk.billing.choices import AdjustmentDecision
from lossdesk.claims.forms import VersionedForm
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
