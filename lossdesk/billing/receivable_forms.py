"""The finance pages' forms: a statement, a status change, a payment, a settlement sheet.
The services check the rest and their refusals land on the form (views.apply_service_error)."""

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
