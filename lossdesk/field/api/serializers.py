from rest_framework import serializers

from lossdesk.claims.api.serializers import (
    CreatedInCaseMixin,
    StaffRefSerializer,
    VersionSerializer,
)
from lossdesk.core.limits import NOTE_MAX
from lossdesk.core.money_fields import AmountField
from lossdesk.field.choices import RescueType
from lossdesk.field.models import Rescue
from lossdesk.org.api.base import EnumField
from lossdesk.rules.money import MONEY, QUANTITY


class RescueInputSerializer(VersionSerializer):
    type = EnumField(RescueType)
    firm = serializers.CharField(max_length=100, help_text="救援单位。")
    start_place = serializers.CharField(max_length=200)
    end_place = serializers.CharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="拖车必填。"
    )
    distance_km = AmountField(kind=QUANTITY, help_text="里程（公里），最多两位小数。")
    fee = AmountField(kind=MONEY, help_text="救援费用（元）。")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField()
    photos = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),  # a BigAutoField id
        required=False,
        default=list,
        max_length=50,
        help_text="本案照片附件的 id。",
    )
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True, default="")


class RescueSerializer(serializers.ModelSerializer):
    type = EnumField(RescueType, read_only=True)
    distance_km = AmountField(kind=QUANTITY, read_only=True)
    fee = AmountField(kind=MONEY, read_only=True)
    photos = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    recorded_by = StaffRefSerializer(read_only=True)

    class Meta:
        model = Rescue
        fields = [
            "id",
            "type",
            "firm",
            "start_place",
            "end_place",
            "distance_km",
            "fee",
            "started_at",
            "ended_at",
            "note",
            "photos",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields


class CreatedRescueSerializer(CreatedInCaseMixin, RescueSerializer):
    class Meta(RescueSerializer.Meta):
        fields = [*RescueSerializer.Meta.fields, "case_version"]
        read_only_fields = fields
