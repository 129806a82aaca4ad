"""The report form (报案登记). Validation lives in the Report model and the service; this form
normalises what people type (plates in lower case, phones with spaces) so the model's
validators judge the same values the service will store."""

from django import forms
from django.urls import reverse
from django.utils import timezone

from lossdesk.core.validators import normalize_phone, normalize_plate, normalize_vin
from lossdesk.intake.models import Report
from lossdesk.intake.services import REPORT_FIELDS
from lossdesk.org.models import Client, ClientBranch

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_FORMAT)


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = REPORT_FIELDS
        widgets = {
            "accident_time": _datetime_input(),
            "reported_at": _datetime_input(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "plate": forms.TextInput(attrs={"placeholder": "浙A12345", "autocomplete": "off"}),
            "vin": forms.TextInput(attrs={"maxlength": 17, "autocomplete": "off"}),
            "reporter_phone": forms.TextInput(attrs={"type": "tel"}),
            "driver_phone": forms.TextInput(attrs={"type": "tel"}),
            "third_party_plates": forms.TextInput(attrs={"placeholder": "浙B54321,浙C11111"}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault(
            "reported_at", timezone.localtime().replace(second=0, microsecond=0)
        )
        super().__init__(*args, **kwargs)
        self.fields["client"].queryset = Client.objects.filter(active=True)
        self.fields["client"].empty_label = "请选择委托方"
        self.fields["client_branch"].empty_label = "（不指定）"
        # Picking a client refreshes the branch choices (HTMX; without JS all branches show).
        self.fields["client"].widget.attrs.update(
            {
                "hx-get": reverse("intake:client-branches"),
                "hx-target": "#id_client_branch",
                "hx-trigger": "change",
            }
        )
        self.fields["client_branch"].queryset = ClientBranch.objects.select_related("client")
        for name in ("accident_time", "reported_at"):
            self.fields[name].input_formats = [
                DATETIME_FORMAT,
                "%Y-%m-%d %H:%M",
                "%Y-%m-%d %H:%M:%S",
            ]
        client_id = self.data.get("client") if self.is_bound else self.initial.get("client")
        if client_id and str(client_id).isdigit():
            self.fields["client_branch"].queryset = ClientBranch.objects.filter(
                client_id=client_id
            ).select_related("client")

    def clean_plate(self):
        return normalize_plate(self.cleaned_data["plate"])

    def clean_vin(self):
        return normalize_vin(self.cleaned_data["vin"])

    def clean_reporter_phone(self):
        return normalize_phone(self.cleaned_data["reporter_phone"])

    def clean_driver_phone(self):
        return normalize_phone(self.cleaned_data["driver_phone"])

    def clean_third_party_plates(self):
        raw = self.cleaned_data["third_party_plates"].replace("，", ",")
        return ",".join(p for p in (normalize_plate(x) for x in raw.split(",")) if p)

    def clean(self):
        data = super().clean()
        client, branch = data.get("client"), data.get("client_branch")
        if client and branch and branch.client_id != client.pk:
            self.add_error("client_branch", "该分支机构不属于所选委托方。")
        return data

    def validate_unique(self):
        """The model's (client, client_claim_no) constraint, reported on the claim number
        field rather than as a sentence about the whole form."""
        client = self.cleaned_data.get("client")
        claim_no = self.cleaned_data.get("client_claim_no")
        if (
            client
            and claim_no
            and Report.objects.filter(client=client, client_claim_no=claim_no).exists()
        ):
            self.add_error("client_claim_no", "该委托方的赔案号已登记过报案，请勿重复登记。")
