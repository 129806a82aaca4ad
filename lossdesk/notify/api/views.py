"""SMS outbox endpoints: /api/v1/sms and /api/v1/sms/{id} (read-only). Visibility is
`SmsMessage.objects.for_user`: a message outside it is a 404."""

import django_filters
from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions

from lossdesk.notify.api.serializers import SmsMessageDetailSerializer, SmsMessageSerializer
from lossdesk.notify.choices import Recipient, SmsStatus
from lossdesk.notify.models import SmsDeliveryLog, SmsMessage
from lossdesk.notify.permissions import VIEW_SMS
from lossdesk.org.api.base import error_responses


class CanViewSms(permissions.BasePermission):
    message = "您的岗位没有查看短信的权限。"

    def has_permission(self, request, view):
        return bool(request.user and request.user.has_perm(VIEW_SMS))


class SmsMessageFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=SmsStatus.choices)
    recipient = django_filters.ChoiceFilter(choices=Recipient.choices)
    template = django_filters.CharFilter(field_name="template__code")
    case_no = django_filters.CharFilter(field_name="case__case_no")
    created_from = django_filters.DateFilter(field_name="created_at", lookup_expr="date__gte")
    created_to = django_filters.DateFilter(field_name="created_at", lookup_expr="date__lte")

    class Meta:
        model = SmsMessage
        fields = ["status", "recipient", "template", "case_no"]


@extend_schema(tags=["sms"], responses={200: SmsMessageSerializer, **error_responses(401, 403)})
class SmsMessageListView(generics.ListAPIView):
    """The outbox, newest first."""

    serializer_class = SmsMessageSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewSms]
    filterset_class = SmsMessageFilter

    def get_queryset(self):
        return SmsMessage.objects.for_user(self.request.user).select_related("template", "case")


@extend_schema(
    tags=["sms"], responses={200: SmsMessageDetailSerializer, **error_responses(401, 403, 404)}
)
class SmsMessageDetailView(generics.RetrieveAPIView):
    """One message with its delivery log."""

    serializer_class = SmsMessageDetailSerializer
    permission_classes = [permissions.IsAuthenticated, CanViewSms]

    def get_queryset(self):
        logs = SmsDeliveryLog.objects.order_by("created_at", "id")
        return (
            SmsMessage.objects.for_user(self.request.user)
            .select_related("template", "case")
            .prefetch_related(Prefetch("delivery_logs", logs))
        )
