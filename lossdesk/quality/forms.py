from django import forms

from lossdesk.core.limits import NOTE_MAX
from lossdesk.quality.choices import AlertDecision


class ResolveAlertForm(forms.Form):
    decision = forms.ChoiceField(
        label="处理结论", choices=AlertDecision.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label="处理意见",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="排除预警须写明理由。",
    )
