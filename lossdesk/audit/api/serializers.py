from rest_framework import serializers

from lossdesk.audit.choices import AccessAction
from lossdesk.audit.models import PiiAccess
from lossdesk.org.api.base import EnumField


class AccessorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.CharField(read_only=True)


class PiiAccessSerializer(serializers.ModelSerializer):
    user = AccessorSerializer(read_only=True)
    action = EnumField(AccessAction, read_only=True)
    fields = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text="显示或命中的字段名。"
    )

    class Meta:
        model = PiiAccess
        fields = [
            "id",
            "at",
            "user",
            "case_no",
            "person",
            "action",
            "fields",
            "source",
            "path",
            "ip",
        ]
        read_only_fields = fields
