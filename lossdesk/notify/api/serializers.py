from rest_framework import serializers

from lossdesk.notify.choices import DeliveryOutcome, Recipient, SmsStatus
from lossdesk.notify.models import SmsDeliveryLog, SmsMessage
from lossdesk.org.api.base import EnumField


class SmsDeliveryLogSerializer(serializers.ModelSerializer):
    outcome = EnumField(DeliveryOutcome, read_only=True)

    class Meta:
        model = SmsDeliveryLog
        fields = [
            "attempt",
            "outcome",
            "backend",
            "provider_message_id",
            "error",
            "duration_ms",
            "created_at",
        ]


class SmsMessageSerializer(serializers.ModelSerializer):
    """A message as the caller may see it: customers' numbers (and every mobile number in
    the text) masked without org.view_pii."""

    phone = serializers.SerializerMethodField(help_text="客户号码对无权查看者打码。")
    body = serializers.SerializerMethodField()
    recipient = EnumField(Recipient, read_only=True)
    status = EnumField(SmsStatus, read_only=True)
    template = serializers.CharField(source="template.code", read_only=True)
    case_no = serializers.CharField(source="case.case_no", read_only=True, allow_null=True)

    class Meta:
        model = SmsMessage
        fields = [
            "id",
            "phone",
            "recipient",
            "template",
            "body",
            "case_no",
            "status",
            "attempts",
            "backend",
            "provider_message_id",
            "error",
            "created_at",
            "next_attempt_at",
            "sent_at",
            "delivered_at",
            "failed_at",
        ]

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_phone(self, message) -> str:
        return message.phone_for(self._user())

    def get_body(self, message) -> str:
        return message.body_for(self._user())


class SmsMessageDetailSerializer(SmsMessageSerializer):
    delivery_logs = SmsDeliveryLogSerializer(many=True, read_only=True)

    class Meta(SmsMessageSerializer.Meta):
        fields = [*SmsMessageSerializer.Meta.fields, "delivery_logs"]
