from rest_framework import serializers

from lossdesk.claims.api.serializers import StaffRefSerializer, VersionSerializer
from lossdesk.core.limits import TEXT_MAX
from lossdesk.core.masking import phone_for
from lossdesk.core.validators import validate_phone
from lossdesk.intake.choices import DelegationStatus, DispatchStatus
from lossdesk.intake.models import Delegation, Dispatch, Report
from lossdesk.intake.services.reports import REPORT_FIELDS
from lossdesk.org.api.base import EnumField, FieldsBuiltOnce
from lossdesk.org.models import Client, ClientBranch

# ---------------------------------------------- the report and dispatches in the case detail


class ReportSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    client_branch_name = serializers.CharField(
        source="client_branch.name", read_only=True, default=None
    )
    created_by = StaffRefSerializer(read_only=True)

    class Meta:
        model = Report
        # The registered fields (one list, in intake.services) plus what registering adds.
        fields = [
            "report_no",
            *(name for name in REPORT_FIELDS if name != "client"),
            "client_branch_name",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "reporter_phone": {"help_text": "无「查看个人敏感信息」权限时打码。"},
            "driver_phone": {"help_text": "无「查看个人敏感信息」权限时打码。"},
        }

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        people = {"reporter_phone": instance.reporter_name, "driver_phone": instance.driver_name}
        for name, person in people.items():
            data[name] = phone_for(
                user, data[name], field=name, case_no=instance.case.case_no, person=person
            )
        return data


class DispatchSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    surveyor = StaffRefSerializer(read_only=True)
    dispatched_by = StaffRefSerializer(
        read_only=True, allow_null=True, help_text="系统自动调度时为 null。"
    )
    status = EnumField(DispatchStatus, read_only=True)

    class Meta:
        model = Dispatch
        fields = [
            "id",
            "surveyor",
            "dispatched_by",
            "auto",
            "status",
            "note",
            "score",
            "override_reason",
            "dispatched_at",
            "accepted_at",
            "arrived_at",
            "dispatch_to_arrival_minutes",
            "declined_at",
            "decline_reason",
            "timed_out_at",
        ]
        read_only_fields = fields


# ------------------------------------------------------------------------------ inputs


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
    reporter_phone = serializers.CharField(
        max_length=20,
        validators=[validate_phone],
        help_text="手机或带区号的固定电话（如 0571-88886666，分机写在最后）；短信只发手机。",
    )
    driver_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    driver_phone = serializers.CharField(
        max_length=20, required=False, allow_blank=True, validators=[validate_phone]
    )
    accident_time = serializers.DateTimeField()
    accident_place = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    reported_at = serializers.DateTimeField(required=False, help_text="缺省为当前时间。")
    third_party_vehicles = serializers.IntegerField(
        min_value=0, max_value=99, required=False, default=0
    )
    third_party_plates = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="多个车牌用逗号分隔。"
    )
    property_loss = serializers.BooleanField(required=False, default=False)
    injured_persons = serializers.IntegerField(min_value=0, max_value=99, required=False, default=0)
    accident_lat = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        required=False,
        allow_null=True,
        help_text="出险地纬度（WGS-84），用于调度推荐的距离计算。",
    )
    accident_lng = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        required=False,
        allow_null=True,
        help_text="出险地经度（WGS-84）。",
    )

    def validate(self, attrs):
        """The same client_claim_no is not an error here: POST /reports is idempotent per
        (client, client_claim_no) and the view answers a retry with the first result."""
        client, client_branch = attrs["client"], attrs.get("client_branch")
        if client_branch is not None and client_branch.client_id != client.pk:
            raise serializers.ValidationError({"client_branch": ["该分支机构不属于所选委托方。"]})
        attrs["client_claim_no"] = attrs["client_claim_no"].strip()
        return attrs


class DispatchInputSerializer(VersionSerializer):
    surveyor = serializers.IntegerField(help_text="查勘员（员工）id，须为本机构在职查勘员。")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    override_reason = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        default="",
        help_text="所选查勘员得分低于推荐第一时必填。",
    )


class DeclineInputSerializer(VersionSerializer):
    reason = serializers.CharField(max_length=200, help_text="拒单原因。")


class DeclinedSerializer(serializers.Serializer):
    case_no = serializers.CharField()
    status = serializers.CharField(help_text="案件的新状态（registered：退回调度队列）。")
    dispatch = DispatchSerializer()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=300, required=False, allow_blank=True, default="", help_text="说明 / 原因。"
    )


class DelegationInputSerializer(VersionSerializer):
    to_branch = serializers.IntegerField(help_text="受托机构 id（须为另一区域的机构）。")
    loss_item = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="损失标的序号 seq；为空表示整案。"
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class DelegationSerializer(serializers.ModelSerializer):
    from_branch_name = serializers.CharField(source="from_branch.name", read_only=True)
    to_branch_name = serializers.CharField(source="to_branch.name", read_only=True)
    loss_item = serializers.IntegerField(
        source="loss_item.seq",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="损失标的序号 seq；整案委托为 null。",
    )
    status = serializers.ChoiceField(choices=DelegationStatus.choices, read_only=True)
    case_no = serializers.CharField(source="case.case_no", read_only=True)

    class Meta:
        model = Delegation
        fields = [
            "id",
            "case_no",
            "loss_item",
            "from_branch",
            "from_branch_name",
            "to_branch",
            "to_branch_name",
            "status",
            "fee_share",
            "note",
            "requested_at",
            "decided_at",
            "decision_note",
            "ended_at",
            "end_reason",
        ]
        read_only_fields = fields


class ReasonItemSerializer(serializers.Serializer):
    factor = serializers.CharField()
    points = serializers.FloatField()
    weight = serializers.IntegerField()
    text = serializers.CharField()


class RecommendationSerializer(serializers.Serializer):
    surveyor = serializers.IntegerField(source="candidate.id")
    full_name = serializers.CharField(source="candidate.name")
    score = serializers.FloatField()
    on_duty = serializers.BooleanField(allow_null=True)
    distance_km = serializers.FloatField(allow_null=True)
    open_tasks = serializers.IntegerField(source="candidate.open_tasks")
    eta_minutes = serializers.IntegerField()
    declined = serializers.BooleanField(help_text="已拒绝本案调度（排在最后）")
    reasons = ReasonItemSerializer(many=True)


class PositionInputSerializer(serializers.Serializer):
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-90, max_value=90)
    lng = serializers.DecimalField(max_digits=9, decimal_places=6, min_value=-180, max_value=180)


class SurveyorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    full_name = serializers.CharField(read_only=True)
    username = serializers.CharField(read_only=True)
