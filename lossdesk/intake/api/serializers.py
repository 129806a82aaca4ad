from rest_framework import serializers

from lossdesk.claims.api.serializers import VersionSerializer
from lossdesk.intake.models import Report
from lossdesk.org.models import Client, ClientBranch


class ReportCreateSerializer(serializers.Serializer):
    """Body of POST /reports. Types and lengths are checked here; plates, VIN check digits,
    mobiles and times by the model validation inside intake.services.do_register_report,
    whose field messages come back as a 400 the same way."""

    client = serializers.PrimaryKeyRelatedField(
        queryset=Client.objects.filter(active=True), help_text="委托方 id。"
    )
    client_branch = serializers.PrimaryKeyRelatedField(
        queryset=ClientBranch.objects.all(),
        required=False,
        allow_null=True,
        help_text="委托方分支机构 id（须属于该委托方）。",
    )
    client_claim_no = serializers.CharField(max_length=50, help_text="委托方赔案号。")
    policy_no_ctpl = serializers.CharField(max_length=50, required=False, allow_blank=True)
    policy_no_commercial = serializers.CharField(max_length=50, required=False, allow_blank=True)
    plate = serializers.CharField(max_length=20, help_text="车牌号，例：浙A12345。")
    vin = serializers.CharField(max_length=30, required=False, allow_blank=True)
    reporter_name = serializers.CharField(max_length=50)
    reporter_phone = serializers.CharField(max_length=20, help_text="手机号。")
    driver_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    driver_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    accident_time = serializers.DateTimeField()
    accident_place = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True)
    reported_at = serializers.DateTimeField(required=False, help_text="缺省为当前时间。")
    third_party_vehicles = serializers.IntegerField(
        min_value=0, max_value=99, required=False, default=0
    )
    third_party_plates = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="多个车牌用逗号分隔。"
    )
    property_loss = serializers.BooleanField(required=False, default=False)
    injured_persons = serializers.IntegerField(min_value=0, max_value=99, required=False, default=0)

    def validate(self, attrs):
        client, client_branch = attrs["client"], attrs.get("client_branch")
        errors = {}
        if client_branch is not None and client_branch.client_id != client.pk:
            errors["client_branch"] = ["该分支机构不属于所选委托方。"]
        claim_no = attrs["client_claim_no"].strip()
        if Report.objects.filter(client=client, client_claim_no=claim_no).exists():
            errors["client_claim_no"] = ["该委托方赔案号已登记过报案，请勿重复登记。"]
        if errors:
            raise serializers.ValidationError(errors)
        attrs["client_claim_no"] = claim_no
        return attrs


class DispatchInputSerializer(VersionSerializer):
    surveyor = serializers.IntegerField(help_text="查勘员（员工）id，须为本机构在职查勘员。")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class SurveyorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    username = serializers.CharField(read_only=True)
