"""The commission pages' forms: a month to run, a new rule version. The services check the
rest (scope, month over, locked months, the terms) and their refusals land on the form."""

from django import forms

from lossdesk.billing.choices import CommissionRoleChoices
from lossdesk.core.limits import NOTE_MAX
from lossdesk.org.models import Branch


class CommissionRunForm(forms.Form):
    branch = forms.ModelChoiceField(Branch.objects.none(), label="机构")
    month = forms.RegexField(
        r"^\d{4}-\d{2}$",
        max_length=7,
        label="月份",
        widget=forms.TextInput(attrs={"type": "month"}),
        help_text="已结束的月份，如 2026-11。",
        error_messages={"invalid": "月份格式须为 YYYY-MM，如 2026-11。"},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.for_user(user).order_by("path")


class CommissionRuleForm(forms.Form):
    """The terms as three optional fields (at least one); the rules check them."""

    role = forms.ChoiceField(label="角色", choices=CommissionRoleChoices.choices)
    effective_from = forms.DateField(label="生效日期", widget=forms.DateInput({"type": "date"}))
    effective_to = forms.DateField(
        label="失效日期", required=False, widget=forms.DateInput({"type": "date"})
    )
    rate = forms.CharField(
        label="公估费比例", required=False, max_length=12, help_text="小数，0.08 即 8%。"
    )
    per_case = forms.CharField(label="每案（元）", required=False, max_length=20)
    per_unit = forms.CharField(
        label="每件（元）",
        required=False,
        max_length=20,
        help_text="每次查勘、每个定损标的、每次审核通过、每次调度。",
    )
    score_multipliers = forms.CharField(
        label="考核系数分段",
        required=False,
        max_length=200,
        help_text="按本人当月考核得分取系数：“起始得分:系数”，逗号分隔，"
        "如 0:0.90, 80:1.00, 90:1.10；不填则系数为 1。",
    )
    note = forms.CharField(label="备注", max_length=NOTE_MAX, required=False)

    def terms(self) -> dict:
        data = self.cleaned_data
        terms: dict = {
            key: data[key].strip() for key in ("rate", "per_case", "per_unit") if data[key].strip()
        }
        bands = [b.strip() for b in data["score_multipliers"].replace("，", ",").split(",")]
        if any(bands):
            # "80:1.00" → a band; a piece without its colon is passed on for the rules to refuse.
            terms["score_multipliers"] = [
                dict(
                    zip(
                        ("from_score", "multiplier"),
                        b.replace("：", ":").split(":", 1),
                        strict=False,
                    )
                )
                for b in bands
                if b
            ]
        return terms
