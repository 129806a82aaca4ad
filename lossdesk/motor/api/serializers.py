from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lossdesk.claims.api.serializers import (
    SheetVersionField,
    SheetVersionSerializer,
    StaffRefSerializer,
)
from lossdesk.core.limits import TEXT_MAX
from lossdesk.core.money_fields import AmountField
from lossdesk.motor import services
from lossdesk.motor.choices import LineKind
from lossdesk.motor.models import AssessmentLine, AssessmentSheet
from lossdesk.org.api.base import EnumField, FieldsBuiltOnce
from lossdesk.org.models import RepairShop
from lossdesk.rules.money import PRICE, QUANTITY


class LineInputSerializer(serializers.Serializer):
    kind = EnumField(LineKind)
    name = serializers.CharField(max_length=100)
    part_no = serializers.CharField(max_length=40, required=False, allow_blank=True)
    quantity = AmountField(kind=QUANTITY, positive=True, required=False)
    unit_price = AmountField(kind=PRICE)
    salvage_value = AmountField(kind=PRICE, required=False, help_text="只有换件项目有残值。")
    remarks = serializers.CharField(max_length=200, required=False, allow_blank=True)
    # Where the price came from (parts app); a line sent without any of these keeps the
    # links of the previous line with the same kind, name and part number.
    part = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="目录配件 id（可选）。"
    )
    price_type = serializers.CharField(max_length=8, required=False, allow_blank=True)
    price_source = serializers.CharField(max_length=200, required=False, allow_blank=True)
    price_query_line = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="询价明细 id（可选）。"
    )


@extend_schema_field(LineInputSerializer(many=True))
class LinesField(serializers.ListField):
    """The lines as sent: `motor.services.check_lines` validates them, every line and every
    field (types, the salvage rule, catalogue links) in one answer, as the editor does.
    The schema still describes each line (LineInputSerializer)."""

    child = serializers.DictField()


class SheetInputSerializer(SheetVersionSerializer):
    repair_shop = serializers.PrimaryKeyRelatedField(
        queryset=RepairShop.objects.filter(active=True), required=False, allow_null=True
    )
    vehicle_model = serializers.CharField(max_length=100, required=False, allow_blank=True)
    remarks = serializers.CharField(max_length=TEXT_MAX, required=False, allow_blank=True)
    lines = LinesField(help_text="至少一项，最多 300 项；整单替换。")

    def validate_lines(self, lines):
        _, errors = services.check_lines(self.context["loss_item"], lines)
        if "lines" in errors:
            raise serializers.ValidationError(errors["lines"])
        if errors:
            # Keys come back as "lines.<i>.<field>" in the error body.
            raise serializers.ValidationError(
                {k.removeprefix("lines."): v for k, v in errors.items()}
            )
        return lines


class LineSerializer(serializers.ModelSerializer):
    kind = EnumField(LineKind, read_only=True)

    class Meta:
        model = AssessmentLine
        fields = [
            "seq",
            "kind",
            "name",
            "part_no",
            "quantity",
            "unit_price",
            "amount",
            "salvage_value",
            "remarks",
            "part",
            "price_type",
            "price_source",
            "price_query_line",
            "fitment_warning",
        ]
        read_only_fields = fields


class SheetSerializer(serializers.ModelSerializer):
    loss_item = serializers.IntegerField(source="loss_item.seq", read_only=True)
    loss_item_label = serializers.CharField(source="loss_item.label", read_only=True)
    assessor = StaffRefSerializer(read_only=True)
    repair_shop_name = serializers.CharField(
        source="repair_shop.name", read_only=True, default=None
    )
    lines = LineSerializer(many=True, read_only=True)
    sheet_version = SheetVersionField()
    case_version = serializers.SerializerMethodField()

    class Meta:
        model = AssessmentSheet
        fields = [
            "sheet_no",
            "loss_item",
            "loss_item_label",
            "assessor",
            "repair_shop",
            "repair_shop_name",
            "vehicle_model",
            "remarks",
            "parts_total",
            "repair_total",
            "paint_total",
            "labour_total",
            "materials_total",
            "sublet_total",
            "salvage_total",
            "total",
            "lines",
            "updated_at",
            "sheet_version",
            "case_version",
        ]
        read_only_fields = fields

    def get_case_version(self, sheet) -> int:
        return self.context["case_version"]


class SheetSummarySerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    assessor = StaffRefSerializer(read_only=True)
    repair_shop_name = serializers.CharField(
        source="repair_shop.name", read_only=True, default=None
    )
    sheet_version = SheetVersionField()

    class Meta:
        model = AssessmentSheet
        fields = [
            "sheet_no",
            "total",
            "assessor",
            "repair_shop",
            "repair_shop_name",
            "updated_at",
            "sheet_version",
        ]
        read_only_fields = fields
