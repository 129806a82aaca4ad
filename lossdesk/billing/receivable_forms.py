"""The finance pages' forms: a statement, a status change, a payment, a settlement sheet and
a client's sheet mapping.
The services check the rest and their refusals land on the form (views.apply_service_error)."""

import re

from django import forms

from lossdesk.core.limits import NOTE_MAX
from lossdesk.org.models import Client, ClientBranch

DATE = forms.DateInput(attrs={"type": "date"})


class StatementForm(forms.Form):
    client = forms.ModelChoiceField(Client.objects.filter(active=True), label="委托方")
    client_branch = forms.ModelChoiceField(
        ClientBranch.objects.select_related("client"),
        label="委托方分支机构",
        required=False,
        help_text="不选即委托方全部分支机构。",
    )
    period_start = forms.DateField(label="账期起", widget=DATE)
    period_end = forms.DateField(
        label="账期止", widget=DATE, help_text="按公估报告出具日（注销案件按注销日）。"
    )
    note = forms.CharField(label="备注", max_length=NOTE_MAX, required=False)


class StatementActionForm(forms.Form):
    note = forms.CharField(
        label="说明", max_length=NOTE_MAX, required=False, help_text="异议与作废须填写。"
    )


class PaymentForm(forms.Form):
    client = forms.ModelChoiceField(Client.objects.filter(active=True), label="委托方")
    paid_on = forms.DateField(label="到账日期", widget=DATE)
    amount = forms.CharField(label="金额（元）", max_length=30)
    reference = forms.CharField(label="付款凭证号", max_length=60)
    note = forms.CharField(label="备注", max_length=NOTE_MAX, required=False)


class SheetForm(forms.Form):
    file = forms.FileField(label="委托方结算清单", help_text=".xlsx 或 .csv，含赔案号与金额两列。")


def _headers(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=700,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=help_text,
    )


class SheetMappingForm(forms.Form):
    """A client's settlement-sheet headers: several per column, separated by commas or lines;
    the service checks them (reconciliations.do_set_sheet_mapping)."""

    client_claim_no = _headers("赔案号列", "可填多个表头（逗号或换行分隔）；不填按常用表头。")
    amount = _headers("金额列", "可填多个表头；不填按常用表头。")
    sheet_name = forms.CharField(
        label="工作表名称", max_length=60, required=False, help_text="不填读第一个工作表。"
    )

    def columns(self) -> dict[str, list[str]]:
        return {
            key: [h for h in re.split(r"[,，\n]", self.cleaned_data[key]) if h.strip()]
            for key in ("client_claim_no", "amount")
        }
