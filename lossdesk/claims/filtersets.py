"""Filters of the case list. The base queryset is always `Case.objects.for_user(user)`;
these only narrow it."""

from datetime import datetime, time, timedelta

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from lossdesk.claims.choices import VEHICLE_KINDS, CaseStatus, LossItemKind, LossItemStatus
from lossdesk.claims.models import PHONE_FIELDS, Case, LossItem, phone_match, search_term
from lossdesk.core.masking import MASK_TAIL, can_view_pii, note_phone_match
from lossdesk.org.models import Branch, Client

# A phone search by a viewer who may see phones records at most this many cases it found.
PHONE_HITS_RECORDED = 200


class CaseSearchMixin:
    """The `q` search of the case list page and GET /api/v1/cases (declare `q` with
    method="filter_search"). Phones are searched in full only for positions that may see
    them; for those, each case a number (longer than the masked tail) finds among the final
    results is recorded like showing that phone."""

    def _user(self):
        return getattr(self.request, "user", None)

    def filter_search(self, queryset, name, value):
        return queryset.search(value, phones=can_view_pii(self._user()))

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        note_phone_hits(queryset, self.form.cleaned_data.get("q") or "", self._user())
        return queryset


def note_phone_hits(queryset, value: str, user) -> None:
    q = search_term(value)
    digits = q.replace("-", "")  # fixed lines are kept as "0571-88886666"
    if not (can_view_pii(user) and digits.isdigit() and len(digits) > MASK_TAIL):
        return
    rows = queryset.filter(phone_match(q, "contains")).values_list(
        "case_no", *(f"report__{name}" for name in PHONE_FIELDS)
    )
    for case_no, *phones in rows[:PHONE_HITS_RECORDED]:
        for name, phone in zip(PHONE_FIELDS, phones, strict=True):
            if q in (phone or ""):
                note_phone_match(user, field=name, case_no=case_no)


# 损失类型 of the case list: "vehicle" stands for both vehicle kinds (本车, 三者车).
LOSS_KINDS = {
    "vehicle": ("车辆", VEHICLE_KINDS),
    LossItemKind.PROPERTY.value: (LossItemKind.PROPERTY.label, {LossItemKind.PROPERTY}),
    LossItemKind.INJURY.value: (LossItemKind.INJURY.label, {LossItemKind.INJURY}),
}
LOSS_KIND_CHOICES = [(key, label) for key, (label, _kinds) in LOSS_KINDS.items()]
LOSS_KIND_HELP = (
    "有该类型未注销损失标的的案件：vehicle 车辆（本车或三者车）、property 三者物损、injury 人伤。"
)


def has_loss_kind(queryset, name, value):
    """Cases with a loss item of the kind that is live, or was cancelled with its case (a
    cancelled case still had that loss); EXISTS keeps one row per case."""
    items = LossItem.objects.filter(case=OuterRef("pk"), kind__in=LOSS_KINDS[value][1])
    counted = ~Q(status=LossItemStatus.CANCELLED) | Q(case__status=CaseStatus.CANCELLED)
    return queryset.filter(Exists(items.filter(counted)))


def local_midnight(day) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


class DayFromFilter(django_filters.DateFilter):
    """On or after a local date, written as a range of the timestamp itself rather than a
    cast of it to a date, so the list's index on the timestamp serves it (issue 16)."""

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__gte": local_midnight(value)})


class DayToFilter(django_filters.DateFilter):
    """On or before a local date (before the next local midnight), as DayFromFilter."""

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        return qs.filter(**{f"{self.field_name}__lt": local_midnight(value + timedelta(days=1))})


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseFilterSet(CaseSearchMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label="搜索",
        method="filter_search",
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "案件号/报案号/赔案号/车牌/VIN/电话"}
        ),
    )
    status = django_filters.ChoiceFilter(
        label="状态", choices=CaseStatus.choices, empty_label="全部"
    )
    client = django_filters.ModelChoiceFilter(
        label="委托方", queryset=Client.objects.all(), empty_label="全部"
    )
    branch = django_filters.ModelChoiceFilter(
        label="承办机构", queryset=Branch.objects.none(), empty_label="全部"
    )
    loss_kind = django_filters.ChoiceFilter(
        label="损失类型", choices=LOSS_KIND_CHOICES, empty_label="全部", method=has_loss_kind
    )
    accident_from = DayFromFilter(
        label="出险日期起", field_name="report__accident_time", widget=_date_input()
    )
    accident_to = DayToFilter(
        label="出险日期止", field_name="report__accident_time", widget=_date_input()
    )
    opened_from = DayFromFilter(label="立案日期起", field_name="opened_at", widget=_date_input())
    opened_to = DayToFilter(label="立案日期止", field_name="opened_at", widget=_date_input())

    class Meta:
        model = Case
        fields = ["q", "status", "client", "branch"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["branch"].queryset = Branch.objects.for_user(user)
