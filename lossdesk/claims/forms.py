"""Forms of the case page actions. Each mutating form carries the case `version` the user
saw; the view passes it to the service as `expected_version`."""

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator

from lossdesk.claims.choices import (
    AttachmentKind,
    CancelReason,
    DocumentType,
    ResurveyReason,
    ReviewDecision,
)
from lossdesk.claims.models import SurveyRecord
from lossdesk.claims.services import resurvey_surveyors
from lossdesk.claims.workflow import REVIEW_LEVELS, REVIEW_STATES
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.core.money_fields import AmountFormField
from lossdesk.rules.money import QUANTITY


class VersionedForm(forms.Form):
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "页面缺少案件版本信息，请刷新后重试。",
            "invalid": "案件版本信息无效，请刷新后重试。",
            "min_value": "案件版本信息无效，请刷新后重试。",
        },
    )

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        kwargs.setdefault("initial", {})
        if case is not None:
            kwargs["initial"].setdefault("version", case.version)
        super().__init__(*args, **kwargs)


class ConfirmForm(VersionedForm):
    """Button-only actions: accept, arrival, complete survey, submit, issue, close."""


class SurveyForm(VersionedForm):
    scene = forms.ChoiceField(label="现场类型")
    accident_type = forms.ChoiceField(label="事故类型")
    liability = forms.ChoiceField(label="事故责任")
    weather = forms.CharField(label="天气", max_length=20, required=False)
    description = forms.CharField(
        label="查勘情况", widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX
    )
    travel_km = AmountFormField(
        label="外勤里程（公里）",
        kind=QUANTITY,
        required=False,
        help_text="本次查勘往返行驶的里程，用于远程查勘费；未填写按未记录。",
    )

    FIELDS = ("scene", "accident_type", "liability", "weather", "description", "travel_km")

    def __init__(self, *args, case=None, **kwargs):
        record = getattr(case, "survey", None) if case is not None else None
        if record is not None:
            kwargs.setdefault("initial", {}).update(
                {name: getattr(record, name) for name in self.FIELDS}
            )
        super().__init__(*args, case=case, **kwargs)
        for name in ("scene", "accident_type", "liability"):
            model_field = SurveyRecord._meta.get_field(name)
            self.fields[name].choices = [("", "请选择"), *model_field.choices]

    def survey_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ResurveyForm(VersionedForm):
    surveyor = forms.ModelChoiceField(label="复勘人", queryset=None, empty_label="请选择")
    arrived_at = forms.DateTimeField(
        label="到达时间",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="复勘人到达现场（或修理厂）的时间。",
    )
    reason = forms.ChoiceField(label="复勘原因", choices=[("", "请选择"), *ResurveyReason.choices])
    note = forms.CharField(
        label="说明",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：拆检后发现水箱框架变形"}),
        help_text="原因为「其他」时必填。",
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if case is not None:
            self.fields["surveyor"].queryset = resurvey_surveyors(case)
            self.initial.setdefault("surveyor", case.surveyor_id)

    def clean_surveyor(self):
        """The person's id, as the API takes it."""
        return self.cleaned_data["surveyor"].pk

    def clean(self):
        data = super().clean()
        if data.get("reason") == ResurveyReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "复勘原因为「其他」时须填写说明。")
        return data


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple) and data:
            return [single(item, initial) for item in data]
        if data:
            return [single(data, initial)]
        single(None, initial)  # "required" when required
        return []


class LoadedChoiceIterator(ModelChoiceIterator):
    """A ModelChoiceField's choices from `field.rows` (see choose_from_loaded) instead of
    the query ModelChoiceIterator runs on every render, which never uses a prefetch's rows:
    the case page renders forms with a loss item choice in several panels, and each read the
    items again joined to every line's document (issue 16)."""

    def rows(self):
        return [row for row in self.field.rows if self.field.keep(row)]

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for row in self.rows():
            yield self.choice(row)

    def __len__(self):
        return len(self.rows()) + (self.field.empty_label is not None)


def choose_from_loaded(field, rows, queryset, keep=lambda row: True) -> None:
    """`field` (a ModelChoiceField) offers those of `rows` that `keep` accepts, rows that
    are loaded already or only when the form is shown (a related manager's `all()`,
    prefetched on the case page), and checks a submitted choice against `queryset`."""
    field.iterator = LoadedChoiceIterator
    field.rows, field.keep = rows, keep
    field.queryset = queryset  # also gives the widget its choices, from the iterator above


class AttachmentForm(VersionedForm):
    files = MultipleFileField(
        label="文件", help_text="可多选；照片须为 JPEG、PNG、WebP 或 HEIC 图片，单证还可为 PDF。"
    )
    kind = forms.ChoiceField(label="类别", choices=AttachmentKind.choices)
    doc_type = forms.ChoiceField(label="资料类型", choices=DocumentType.choices)
    loss_item = forms.ModelChoiceField(
        label="损失标的", queryset=None, required=False, empty_label="（整案）"
    )

    MAX_FILES = 30

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.fields["version"].required = False  # adding files conflicts with nothing
        if case is not None:
            items = case.loss_items.all()
            choose_from_loaded(self.fields["loss_item"], items, items)

    def clean_loss_item(self):
        """The item's number in its case, as the API takes it."""
        item = self.cleaned_data["loss_item"]
        return item.seq if item is not None else None

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > self.MAX_FILES:
            raise forms.ValidationError(f"一次最多上传 {self.MAX_FILES} 个文件。")
        limit = settings.LOSSDESK_MAX_ATTACHMENT_SIZE
        too_big = [f.name for f in files if f.size > limit]
        if too_big:
            raise forms.ValidationError(
                f"文件超过 {limit // (1024 * 1024)} MB：{'、'.join(too_big)}"
            )
        return files


class ReviewForm(VersionedForm):
    # The level the page was rendered for: the service refuses it once the case moved on.
    level = forms.TypedChoiceField(
        choices=[(level, level) for level in REVIEW_STATES],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.HiddenInput,
    )
    decision = forms.ChoiceField(
        label="审核结论",
        choices=ReviewDecision.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    reason = forms.CharField(
        label="审核意见",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="退回时必填。",
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        if case is not None:
            self.initial.setdefault("level", REVIEW_LEVELS.get(case.status))

    def clean(self):
        data = super().clean()
        if data.get("decision") == ReviewDecision.RETURNED and not data.get("reason", "").strip():
            self.add_error("reason", "退回须填写原因。")
        return data


class DocumentRequestForm(VersionedForm):
    items = forms.CharField(
        label="所需资料",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "如：驾驶证、行驶证复印件"}),
    )
    due_date = forms.DateField(
        label="截止日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class FulfilForm(VersionedForm):
    note = forms.CharField(label="补齐说明", max_length=NOTE_MAX, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].required = False  # the request's own state guards this one


class CancelForm(VersionedForm):
    reason = forms.ChoiceField(label="注销原因", choices=[("", "请选择"), *CancelReason.choices])
    note = forms.CharField(
        label="说明",
        max_length=NOTE_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="选择「其他」时必填。",
    )

    def clean(self):
        data = super().clean()
        if data.get("reason") == CancelReason.OTHER and not data.get("note", "").strip():
            self.add_error("note", "请填写注销说明。")
        return data
