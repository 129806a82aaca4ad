"""The report form (报案登记). Validation lives in the Report model and the service; this form
normalises what people type (plates in lower case, phones with spaces) so the model's
validators judge the same values the service will store."""

from django import forms
from django.urls import reverse
from django.utils import timezone

from lossdesk.claims.choices import LossItemStatus
from lossdesk.claims.forms import VersionedForm, choose_from_loaded
from lossdesk.core.limits import TEXT_MAX
from lossdesk.core.validators import normalize_phone, normalize_plate, normalize_vin
from lossdesk.intake import importing
from lossdesk.intake.choices import CallbackStatus
from lossdesk.intake.models import ImportMapping, Report, RosterShift
from lossdesk.intake.services.dispatch import dispatchable_surveyors, recommend_surveyors
from lossdesk.intake.services.reports import REPORT_FIELDS
from lossdesk.org.models import Branch, Client, ClientBranch

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
            "accident_lat": forms.NumberInput(attrs={"step": "any", "placeholder": "30.2741"}),
            "accident_lng": forms.NumberInput(attrs={"step": "any", "placeholder": "120.1551"}),
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


# --- dispatch ----------------------------------------------------------------------------


class CandidateChoiceField(forms.ModelChoiceField):
    scores: dict[int, float] = {}
    top_id: int | None = None

    def label_from_instance(self, obj):
        name = obj.full_name or obj.username
        if obj.pk not in self.scores:
            return name
        suffix = "，推荐" if obj.pk == self.top_id else ""
        return f"{name}（{self.scores[obj.pk]} 分{suffix}）"


class DispatchForm(VersionedForm):
    """Pick a surveyor; the ranked candidates with their reasons (`candidates`) are shown
    beside the choice. Choosing someone scored below the top candidate needs a reason."""

    surveyor = CandidateChoiceField(label="查勘员", queryset=None, empty_label="请选择查勘员")
    override_reason = forms.CharField(
        label="未选推荐第一的原因",
        max_length=200,
        required=False,
        help_text="所选查勘员得分低于推荐第一时必填。",
    )
    note = forms.CharField(label="调度说明", max_length=200, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        self.ranking = recommend_surveyors(case) if case is not None else []
        field = self.fields["surveyor"]
        field.queryset = dispatchable_surveyors(case) if case is not None else None
        field.scores = {r.candidate.id: r.score for r in self.ranking}
        field.top_id = self.ranking[0].candidate.id if self.ranking else None
        if self.ranking:
            field.initial = self.ranking[0].candidate.id
        self.candidates = [{"ranked": r, "top": i == 0} for i, r in enumerate(self.ranking)]

    def clean_surveyor(self):
        """The surveyor's id, as the API takes it (intake.actions.DispatchCase)."""
        return self.cleaned_data["surveyor"].pk


class DeclineForm(VersionedForm):
    reason = forms.CharField(
        label="拒单原因",
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": "如：车辆故障、距离过远、正在处理其他案件"}),
    )


# --- delegation --------------------------------------------------------------------------


class DelegationRequestForm(VersionedForm):
    to_branch = forms.ModelChoiceField(label="受托机构", queryset=None, empty_label="请选择")
    loss_item = forms.ModelChoiceField(
        label="损失标的", queryset=None, required=False, empty_label="（整案委托）"
    )
    note = forms.CharField(label="委托说明", max_length=300, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, case=case, **kwargs)
        region = case.branch.dispatch_region if case is not None else None
        others = [
            b.pk
            for b in Branch.objects.filter(active=True).exclude(pk=getattr(case, "branch_id", None))
            if b.dispatch_region != region and b.level != "hq"
        ]
        self.fields["to_branch"].queryset = Branch.objects.filter(pk__in=others)
        if case is not None:
            choose_from_loaded(
                self.fields["loss_item"],
                case.loss_items.all(),
                case.loss_items.exclude(status=LossItemStatus.CANCELLED),
                keep=lambda item: item.status != LossItemStatus.CANCELLED,
            )

    # The ids the API takes (intake.actions.RequestDelegation).
    def clean_to_branch(self):
        return self.cleaned_data["to_branch"].pk

    def clean_loss_item(self):
        item = self.cleaned_data["loss_item"]
        return item.seq if item is not None else None


class ReasonForm(forms.Form):
    """The answer to a delegation; like every case action's form it is given the case."""

    reason = forms.CharField(label="原因", max_length=300, required=False)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)


# --- callbacks ---------------------------------------------------------------------------

RATING_CHOICES = [(n, f"{n} 分") for n in range(5, 0, -1)]


class CallbackResultForm(forms.Form):
    status = forms.ChoiceField(
        label="回访结果",
        choices=[
            (CallbackStatus.COMPLETED, "已回访"),
            (CallbackStatus.UNREACHABLE, "联系不上"),
            (CallbackStatus.DECLINED, "客户拒访"),
        ],
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label="满意度评分",
        choices=RATING_CHOICES,
        coerce=int,
        required=False,
        widget=forms.RadioSelect,
        help_text="已回访时必填：5 分非常满意，1 分非常不满意。",
    )
    comment = forms.CharField(
        label="客户意见",
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    note = forms.CharField(label="回访记录", required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("status") == CallbackStatus.COMPLETED and not data.get("rating"):
            self.add_error("rating", "请选择满意度评分。")
        return data


class PublicCallbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label="您对本次理赔服务的评价",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "请选择评分。"},
    )
    comment = forms.CharField(
        label="意见和建议（选填）",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# --- import ------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    client = forms.ModelChoiceField(
        label="委托方", queryset=Client.objects.filter(active=True), empty_label="请选择委托方"
    )
    file = forms.FileField(label="Excel 文件（.xlsx）")

    MAX_SIZE = 10 * 1024 * 1024

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError("请上传 .xlsx 格式的 Excel 文件。")
        if upload.size > self.MAX_SIZE:
            raise forms.ValidationError("文件超过 10 MB，请拆分后导入。")
        return upload


class ImportMappingForm(forms.ModelForm):
    """The mapping's sheet and header row, and one header text per report field; saved by
    importing.do_save_import_mapping (which checks the headers and writes the audit row)."""

    class Meta:
        model = ImportMapping
        fields = ("sheet_name", "header_row")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = self.instance.columns or importing.DEFAULT_COLUMNS
        for spec in importing.COLUMNS:
            self.fields[f"col_{spec.field}"] = forms.CharField(
                label=f"{spec.header}{'（必填）' if spec.required else ''}",
                max_length=100,
                required=spec.required,
                initial=columns.get(spec.field, ""),
                help_text=f"字段 {spec.field}",
            )

    def column_fields(self):
        return [self[f"col_{spec.field}"] for spec in importing.COLUMNS]

    def mapping(self) -> dict:
        """do_save_import_mapping's arguments from the cleaned data."""
        return {
            "sheet_name": self.cleaned_data["sheet_name"],
            "header_row": self.cleaned_data["header_row"],
            "columns": {
                spec.field: self.cleaned_data.get(f"col_{spec.field}") or ""
                for spec in importing.COLUMNS
            },
        }


# --- roster ------------------------------------------------------------------------------


class RosterShiftForm(forms.ModelForm):
    class Meta:
        model = RosterShift
        fields = ("surveyor", "zone", "date", "start_time", "end_time")
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, surveyors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["surveyor"].queryset = surveyors
        self.fields["surveyor"].empty_label = "请选择查勘员"
        self.fields["end_time"].help_text = "不晚于开始时间表示跨夜到次日。"
