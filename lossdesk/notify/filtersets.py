"""Filters of the SMS outbox. The base queryset is always `SmsMessage.objects.for_user`;
these only narrow it."""

import django_filters
from django import forms

from lossdesk.core.masking import can_view_pii
from lossdesk.core.validators import normalize_phone
from lossdesk.notify.choices import Recipient, SmsStatus
from lossdesk.notify.models import SmsMessage, SmsTemplate
from lossdesk.org.models import Branch


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class SmsMessageFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label="状态", choices=SmsStatus.choices, empty_label="全部"
    )
    recipient = django_filters.ChoiceFilter(
        label="接收人", choices=Recipient.choices, empty_label="全部"
    )
    template = django_filters.ModelChoiceFilter(
        label="模板", queryset=SmsTemplate.objects.all(), empty_label="全部"
    )
    branch = django_filters.ModelChoiceFilter(
        label="发送机构", queryset=Branch.objects.none(), empty_label="全部"
    )
    case_no = django_filters.CharFilter(
        label="案件号", field_name="case__case_no", lookup_expr="icontains"
    )
    phone = django_filters.CharFilter(
        label="手机号",
        method="filter_phone",
        widget=forms.TextInput(attrs={"placeholder": "完整或部分号码"}),
    )
    created_from = django_filters.DateFilter(
        label="日期起", field_name="created_at", lookup_expr="date__gte", widget=_date_input()
    )
    created_to = django_filters.DateFilter(
        label="日期止", field_name="created_at", lookup_expr="date__lte", widget=_date_input()
    )

    class Meta:
        model = SmsMessage
        fields = ["status", "recipient", "template", "branch"]

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = getattr(request, "user", None)
        self.filters["branch"].queryset = Branch.objects.for_user(user)
        if not can_view_pii(user):
            # A masked viewer could otherwise find out whose number is whose by probing.
            del self.filters["phone"]

    def filter_phone(self, queryset, name, value):
        value = normalize_phone(value)
        return queryset.filter(phone__contains=value) if value else queryset
