"""API bodies and answers of the property line: the survey, the sheet (at the shared
/loss-items/{seq}/sheet resource), the negotiation and its offers."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lossdesk.claims.api.serializers import (
    SheetVersionField,
    SheetVersionSerializer,
    StaffRefSerializer,
    VersionSerializer,
)
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.core.masking import phone_for
from lossdesk.core.money_fields import AmountField
from lossdesk.org.api.base import EnumField, FieldsBuiltOnce
from lossdesk.property.choices import OfferParty, OwnerType, PropertyCategory, Treatment
from lossdesk.property.models import (
    Negotiation,
    Offer,
    PropertySheet,
    PropertySheetLine,
    PropertySurvey,
)
from lossdesk.rules.money import PRICE, QUANTITY

MASKED = "无「查看个人敏感信息」权限时打码。"


# --- survey -------------------------------------------------------------------------------


class PropertySurveyInputSerializer(VersionSerializer):
    category = EnumField(PropertyCategory)
    owner_type = EnumField(OwnerType)
    owner_name = serializers.CharField(max_length=100)
    owner_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    location = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=TEXT_MAX)


class PropertySurveySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    category = EnumField(PropertyCategory, read_only=True)
    owner_type = EnumField(OwnerType, read_only=True)
    surveyed_by = StaffRefSerializer(read_only=True)

    class Meta:
        model = PropertySurvey
        fields = [
            "category",
            "owner_type",
            "owner_name",
            "owner_phone",
            "location",
            "description",
            "surveyed_by",
            "updated_at",
        ]
        read_only_fields = fields
        extra_kwargs = {"owner_phone": {"help_text": MASKED}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        user = getattr(self.context.get("request"), "user", None)
        data["owner_phone"] = phone_for(
            user,
            data["owner_phone"],
            field="owner_phone",
            case_no=instance.loss_item.case.case_no,
            person=instance.owner_name,
        )
        return data


# --- sheet --------------------------------------------------------------------------------


class PropertyLineInputSerializer(serializers.Serializer):
    treatment = EnumField(Treatment)
    name = serializers.CharField(max_length=100)
    specification = serializers.CharField(max_length=100, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=10, required=False, allow_blank=True)
    quantity = AmountField(kind=QUANTITY, positive=True, required=False)
    unit_price = AmountField(kind=PRICE)
    purchase_date = serializers.DateField(
        required=False, allow_null=True, help_text="未填已使用月数时，按购置日期至出险日期计算。"
    )
    months_used = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="更换、赔偿项目必填（或填购置日期）。",
    )
    useful_life_years = AmountField(
        required=False, help_text="使用年限（年），更换、赔偿项目必填，大于 0。"
    )
    salvage_value = AmountField(kind=PRICE, required=False, help_text="不能大于本行金额。")
    remarks = serializers.CharField(max_length=200, required=False, allow_blank=True)


@extend_schema_field(PropertyLineInputSerializer(many=True))
class PropertyLinesField(serializers.ListField):
    """The lines as sent: `property.services.clean_lines` checks every line and every field
    in one answer, as the editor does; the schema describes each line."""

    child = serializers.DictField()


class PropertySheetInputSerializer(SheetVersionSerializer):
    remarks = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    lines = PropertyLinesField(help_text="至少一项，最多 300 项；整单替换。")


class PropertyLineSerializer(serializers.ModelSerializer):
    treatment = EnumField(Treatment, read_only=True)
    depreciation_rate = serializers.SerializerMethodField(
        help_text="成新率，如 '0.625'；不计折旧的项目为 '1'。"
    )

    class Meta:
        model = PropertySheetLine
        fields = [
            "seq",
            "treatment",
            "name",
            "specification",
            "unit",
            "quantity",
            "unit_price",
            "purchase_date",
            "months_used",
            "useful_life_years",
            "depreciation_rate",
            "floored",
            "amount",
            "salvage_value",
            "remarks",
        ]
        read_only_fields = fields

    def get_depreciation_rate(self, line) -> str:
        return format(line.depreciation_rate.normalize(), "f")


class PropertySheetSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    loss_item = serializers.IntegerField(source="loss_item.seq", read_only=True)
    loss_item_label = serializers.CharField(source="loss_item.label", read_only=True)
    assessor = StaffRefSerializer(read_only=True)
    depreciation_floor = serializers.SerializerMethodField()
    lines = PropertyLineSerializer(many=True, read_only=True)
    sheet_version = SheetVersionField()
    case_version = serializers.SerializerMethodField()

    class Meta:
        model = PropertySheet
        fields = [
            "kind",
            "sheet_no",
            "loss_item",
            "loss_item_label",
            "assessor",
            "depreciation_floor",
            "depreciation_rule",
            "remarks",
            "amounts_total",
            "salvage_total",
            "total",
            "lines",
            "updated_at",
            "sheet_version",
            "case_version",
        ]
        read_only_fields = fields

    def get_kind(self, sheet) -> str:
        return "property"

    def get_depreciation_floor(self, sheet) -> str:
        return format(sheet.depreciation_floor.normalize(), "f")

    def get_case_version(self, sheet) -> int:
        return self.context["case_version"]


class PropertySheetSummarySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    assessor = StaffRefSerializer(read_only=True)
    sheet_version = SheetVersionField()

    class Meta:
        model = PropertySheet
        fields = ["sheet_no", "total", "assessor", "updated_at", "sheet_version"]
        read_only_fields = fields


# --- negotiation --------------------------------------------------------------------------


class NegotiationInputSerializer(VersionSerializer):
    claimed_amount = AmountField(required=False, allow_null=True)
    agreed_amount = AmountField(required=False, allow_null=True)
    agreed_on = serializers.DateField(required=False, allow_null=True)
    above_assessed_reason = serializers.CharField(
        max_length=NOTE_MAX, required=False, allow_blank=True
    )
    agreement = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="协议书：本标的单证的 id。"
    )


class OfferInputSerializer(VersionSerializer):
    offered_on = serializers.DateField()
    party = EnumField(OfferParty)
    speaker = serializers.CharField(max_length=50)
    amount = AmountField()
    note = serializers.CharField(max_length=NOTE_MAX, required=False, allow_blank=True)


class OfferSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    party = EnumField(OfferParty, read_only=True)
    recorded_by = StaffRefSerializer(read_only=True)

    class Meta:
        model = Offer
        fields = ["id", "offered_on", "party", "speaker", "amount", "note", "recorded_by"]
        read_only_fields = fields


class NegotiationSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    offers = OfferSerializer(many=True, read_only=True)

    class Meta:
        model = Negotiation
        fields = [
            "claimed_amount",
            "agreed_amount",
            "agreed_on",
            "above_assessed_reason",
            "agreement",
            "offers",
            "updated_at",
        ]
        read_only_fields = fields
