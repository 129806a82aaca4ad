"""Forms of the property actions (survey, negotiation, offers); the sheet editor's rows are
in `sheet_forms`. Each carries the case version the user saw."""

from django import forms
from django.utils import timezone

from lossdesk.claims.choices import DocumentType
from lossdesk.claims.forms import VersionedForm
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.core.money_fields import AmountFormField
from lossdesk.property.choices import OfferParty, OwnerType, PropertyCategory

# A date input needs ISO dates whatever the locale shows ("2026/12/04" leaves it empty).
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PropertySurveyForm(VersionedForm):
    category = forms.ChoiceField(label="物损类别", choices=PropertyCategory.choices)
    owner_type = forms.ChoiceField(label="物主类型", choices=OwnerType.choices)
    owner_name = forms.CharField(label="物主", max_length=100)
    owner_phone = forms.CharField(label="物主电话", max_length=20, required=False)
    location = forms.CharField(label="损失地点", max_length=200)
    description = forms.CharField(
        label="损失情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX
    )

    FIELDS = ("category", "owner_type", "owner_name", "owner_phone", "location", "description")


class NegotiationForm(VersionedForm):
    claimed_amount = AmountFormField(label="物主索赔金额(元)", required=False)
    agreed_amount = AmountFormField(label="协商金额(元)", required=False)
    agreed_on = forms.DateField(label="协议日期", required=False, widget=DATE)
    above_assessed_reason = forms.CharField(
        label="协商金额高于定损合计的原因", max_length=NOTE_MAX, required=False
    )
    agreement = forms.IntegerField(
        label="协议书（已上传的单证）", required=False, widget=forms.Select
    )

    FIELDS = ("claimed_amount", "agreed_amount", "agreed_on", "above_assessed_reason", "agreement")

    def __init__(self, *args, loss_item=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The service takes only a document of this item.
        documents = (
            loss_item.attachments.filter(doc_type=DocumentType.AGREEMENT).order_by("uploaded_at")
            if loss_item is not None
            else []
        )
        self.fields["agreement"].widget.choices = [
            ("", "—"),
            *(
                (a.pk, f"{a.original_name}（{timezone.localtime(a.uploaded_at):%Y-%m-%d}）")
                for a in documents
            ),
        ]


class OfferForm(VersionedForm):
    offered_on = forms.DateField(label="日期", widget=DATE, initial=timezone.localdate)
    party = forms.ChoiceField(label="提出方", choices=OfferParty.choices)
    speaker = forms.CharField(label="发言人", max_length=50)
    amount = AmountFormField(label="金额(元)")
    note = forms.CharField(label="说明", max_length=NOTE_MAX, required=False)
