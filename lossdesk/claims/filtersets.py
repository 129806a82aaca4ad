"""Filters of the case list. The base queryset is always `Case.objects.for_user(user)`;
these only narrow it."""

import django_filters
from django import forms

from lossdesk.claims.choices import CaseStatus
from lossdesk.claims.models import Case
from lossdesk.org.choices import DataScope
from lossdesk.org.models import Branch, Client


def branches_in_scope(user):
    """The branches whose cases `user` may see (for the branch filter's choices)."""
    scope = getattr(user, "data_scope", None)
    if scope == DataScope.ALL:
        return Branch.objects.all()
    if not getattr(user, "branch_id", None):
        return Branch.objects.none()
    if scope == DataScope.SUBTREE:
        return user.branch.subtree()
    return Branch.objects.filter(pk=user.branch_id)


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseFilterSet(django_filters.FilterSet):
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
    accident_from = django_filters.DateFilter(
        label="出险日期起",
        field_name="report__accident_time",
        lookup_expr="date__gte",
        widget=_date_input(),
    )
    accident_to = django_filters.DateFilter(
        label="出险日期止",
        field_name="report__accident_time",
        lookup_expr="date__lte",
        widget=_date_input(),
    )
    opened_from = django_filters.DateFilter(
        label="立案日期起", field_name="opened_at", lookup_expr="date__gte", widget=_date_input()
    )
    opened_to = django_filters.DateFilter(
        label="立案日期止", field_name="opened_at", lookup_expr="date__lte", widget=_date_input()
    )

    class Meta:
        model = Case
        fields = ["q", "status", "client", "branch"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["branch"].queryset = branches_in_scope(user)

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
