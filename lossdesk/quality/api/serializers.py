from rest_framework import serializers

from lossdesk.claims.api.serializers import StaffRefSerializer
from lossdesk.core.limits import NOTE_MAX
from lossdesk.org.api.base import EnumField
from lossdesk.quality.choices import AlertDecision, AlertStatus
from lossdesk.quality.models import Alert


class AlertSerializer(serializers.ModelSerializer):
    case_no = serializers.CharField(source="case.case_no", read_only=True)
    status = EnumField(AlertStatus, read_only=True)
    resolved_by = StaffRefSerializer(read_only=True, allow_null=True)
    inputs = serializers.DictField(read_only=True, help_text="规则看到的数据与所用参数（params）。")

    class Meta:
        model = Alert
        fields = [
            "id",
            "case_no",
            "rule",
            "rule_version",
            "inputs",
            "explanation",
            "status",
            "reason",
            "resolved_by",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields


class ResolveInputSerializer(serializers.Serializer):
    decision = EnumField(
        AlertDecision, help_text="confirmed（确认）或 dismissed（排除，须写理由）。"
    )
    reason = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)


class HitRateSerializer(serializers.Serializer):
    rule = serializers.CharField()
    rule_version = serializers.IntegerField()
    title = serializers.CharField()
    raised = serializers.IntegerField()
    open = serializers.IntegerField()
    confirmed = serializers.IntegerField()
    dismissed = serializers.IntegerField()
    hit_rate = serializers.FloatField(
        allow_null=True, help_text="已确认 ÷（已确认 + 已排除）；尚无处理结论时为 null。"
    )
