"""The filter form every statistics page shares: branch (within the user's scope), client,
a date range and the grouping."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from lossdesk.org.models import Branch, Client
from lossdesk.reports.kpis import GROUPINGS as KPI_GROUPINGS
from lossdesk.reports.kpis import KpiError, parse_month
from lossdesk.reports.statistics import GROUPINGS, Filters, Statistic

DEFAULT_DAYS = 30
# The index page's grouping (for "export all"): each table uses it where it has it.
COMMON_GROUPINGS = [(g, GROUPINGS[g]) for g in ("branch", "client", "day", "week", "month")]
COMMON_GROUPINGS.append(("person", "人员"))
MAX_DAYS_BY_DAY = 366


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatisticsFilterForm(forms.Form):
    branch = forms.ModelChoiceField(
        label="机构", queryset=Branch.objects.none(), required=False, empty_label="全部"
    )
    client = forms.ModelChoiceField(
        label="委托方", queryset=Client.objects.all(), required=False, empty_label="全部"
    )
    date_from = forms.DateField(label="日期起", widget=_date_input())
    date_to = forms.DateField(label="日期止", widget=_date_input())
    group_by = forms.ChoiceField(label="分组", choices=())

    def __init__(self, data=None, *, user, statistic: Statistic | None = None):
        today = timezone.localdate()
        defaults = {
            "date_from": (today - timedelta(days=DEFAULT_DAYS - 1)).isoformat(),
            "date_to": today.isoformat(),
            "group_by": statistic.default_grouping if statistic else "branch",
        }
        # Missing fields take the defaults, so a bare /stats/dispatch/ shows the last 30 days.
        merged = {**defaults, **{k: v for k, v in (data or {}).items() if v not in ("", None)}}
        super().__init__(merged)
        self.fields["branch"].queryset = Branch.objects.for_user(user)
        choices = statistic.grouping_choices() if statistic else COMMON_GROUPINGS
        self.fields["group_by"].choices = choices
        if statistic is not None:
            self.fields["date_from"].label = f"{statistic.date_label}起"
            self.fields["date_to"].label = f"{statistic.date_label}止"

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end:
            if start > end:
                self.add_error("date_to", "截止日期不能早于起始日期。")
            elif data.get("group_by") == "day" and (end - start).days >= MAX_DAYS_BY_DAY:
                self.add_error("group_by", f"按日统计的时间跨度不能超过 {MAX_DAYS_BY_DAY} 天。")
        return data

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            branch=data.get("branch"),
            client=data.get("client"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            group_by=data.get("group_by") or "branch",
        )

    def describe(self) -> list[tuple[str, str]]:
        """The filters in words, for the export's notes sheet."""
        data = self.cleaned_data
        group = dict(self.fields["group_by"].choices).get(data.get("group_by"), "")
        return [
            ("机构", str(data.get("branch") or "全部（数据范围内）")),
            ("委托方", str(data.get("client") or "全部")),
            ("日期", f"{data.get('date_from')} 至 {data.get('date_to')}"),
            ("分组", group),
        ]


class KpiForm(forms.Form):
    """The KPI page's month (YYYY-MM, default this month) and grouping."""

    month = forms.CharField(
        label="月份", max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    group_by = forms.ChoiceField(label="分组", choices=list(KPI_GROUPINGS.items()))

    def __init__(self, data=None):
        defaults = {"month": f"{timezone.localdate():%Y-%m}", "group_by": "person"}
        super().__init__({**defaults, **{k: v for k, v in (data or {}).items() if v}})

    def clean_month(self):
        try:
            return parse_month(self.cleaned_data["month"])
        except KpiError as exc:
            raise forms.ValidationError(exc.message) from None
