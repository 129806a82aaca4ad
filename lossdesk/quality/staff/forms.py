"""The pages' forms; they only shape the input, the services check it (and their field
messages land back on these fields)."""

from django import forms
from django.utils import timezone

from lossdesk.core.limits import CODE_MAX, NOTE_MAX, TEXT_MAX
from lossdesk.org.models import Client, Staff
from lossdesk.quality.staff import periods
from lossdesk.quality.staff.choices import (
    AppealDecision,
    ComplaintConclusion,
    ComplaintSource,
    ConductResult,
    ReportStatus,
)
from lossdesk.quality.staff.models import MisconductItem

DATE = forms.DateInput(attrs={"type": "date"})


def text(label, limit=NOTE_MAX, rows=2, required=True, **extra):
    return forms.CharField(
        label=label,
        max_length=limit,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        **extra,
    )


class StaffChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        position = obj.position.name if obj.position_id else ""
        return f"{obj.full_name or obj.username}（{obj.branch}·{position}）"


def people_for(user):
    return Staff.objects.for_user(user).filter(is_active=True).select_related("branch", "position")


class MisconductForm(forms.Form):
    person = StaffChoice(label="被登记人", queryset=Staff.objects.none())
    item = forms.ModelChoiceField(label="违规项目", queryset=MisconductItem.objects.none())
    points = forms.IntegerField(label="扣分", min_value=0, max_value=1000)
    occurred_on = forms.DateField(label="违规日期", widget=DATE)
    case_no = forms.CharField(label="相关案件号", max_length=CODE_MAX, required=False)
    description = text("违规事实", TEXT_MAX, rows=3)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people_for(user)
        self.fields["item"].queryset = MisconductItem.objects.in_effect(timezone.localdate())
        self.fields["occurred_on"].initial = timezone.localdate()


class ReplyForm(forms.Form):
    reply = text("本人答复", TEXT_MAX, rows=3)


class AppealForm(forms.Form):
    reason = text("申诉理由", TEXT_MAX, rows=3)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="裁决", choices=AppealDecision.choices, widget=forms.RadioSelect
    )
    points = forms.IntegerField(
        label="减分后的扣分",
        required=False,
        min_value=0,
        max_value=1000,
        help_text="仅减分时填写。",
    )
    reason = text("裁决理由")


def current_period() -> str:
    return periods.period_of(timezone.localdate())


class EvaluationForm(forms.Form):
    period = forms.CharField(label="考核期", max_length=6, initial=current_period)
    result = forms.ChoiceField(label="评定结果", choices=ConductResult.choices)
    comment = text("评语")


class AwardForm(forms.Form):
    awarded_on = forms.DateField(label="奖励日期", widget=DATE, initial=timezone.localdate)
    title = forms.CharField(label="奖励", max_length=100)
    reason = text("事由")


class ComplaintForm(forms.Form):
    source = forms.ChoiceField(label="投诉来源", choices=ComplaintSource.choices)
    complainant = forms.CharField(label="投诉人", max_length=50)
    client = forms.ModelChoiceField(
        label="保险公司", queryset=Client.objects.filter(active=True), required=False
    )
    case_no = forms.CharField(label="相关案件号", max_length=CODE_MAX, required=False)
    staff = StaffChoice(label="被投诉人", queryset=Staff.objects.none(), required=False)
    summary = text("投诉内容", TEXT_MAX, rows=3)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = people_for(user)


class ConcludeForm(forms.Form):
    outcome = forms.ChoiceField(
        label="结论", choices=ComplaintConclusion.choices, widget=forms.RadioSelect
    )
    conclusion = text("处理结论")
    item = forms.ModelChoiceField(
        label="登记违规项目",
        queryset=MisconductItem.objects.none(),
        required=False,
        help_text="属实且需扣分时选择。",
    )
    points = forms.IntegerField(label="扣分", required=False, min_value=0, max_value=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = MisconductItem.objects.in_effect(timezone.localdate())


class ReportForm(forms.Form):
    reporter_name = forms.CharField(
        label="举报人", max_length=50, required=False, help_text="空为匿名。"
    )
    subject = StaffChoice(label="被举报人", queryset=Staff.objects.none(), required=False)
    content = text("举报内容", TEXT_MAX, rows=3)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].queryset = people_for(user)


class ReportDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label="处理决定",
        choices=[c for c in ReportStatus.choices if c[0] != ReportStatus.RECEIVED],
        widget=forms.RadioSelect,
    )
    reward = forms.CharField(label="奖励金额（元）", max_length=32, required=False)
    reason = text("查处意见")
