"""Serializers of the parts API. Money goes out as strings (COERCE_DECIMAL_TO_STRING)."""

from django.urls import reverse
from rest_framework import serializers

from lossdesk.core.limits import CODE_MAX
from lossdesk.org.api.base import EnumField
from lossdesk.parts.choices import (
    Category,
    IdentificationMethod,
    ImportStatus,
    ManualQuoteStatus,
    PriceChangeAction,
    PriceQueryStatus,
    PriceType,
)
from lossdesk.parts.models import (
    CatalogueImport,
    LocalPriceOverride,
    ManualQuote,
    PriceChange,
    PriceQuery,
    PriceQueryLine,
    VehicleIdentification,
    VehicleModel,
)
from lossdesk.parts.queries import PriceRegion

MONEY = {"max_digits": 12, "decimal_places": 2}


class VehicleModelSerializer(serializers.ModelSerializer):
    make = serializers.CharField(source="series.make.name", read_only=True)
    series = serializers.CharField(source="series.name", read_only=True)
    price_band_label = serializers.CharField(source="get_price_band_display", read_only=True)

    class Meta:
        model = VehicleModel
        fields = [
            "id",
            "code",
            "name",
            "make",
            "series",
            "year",
            "engine",
            "transmission",
            "body",
            "trim",
            "trim_level",
            "new_car_price",
            "price_band",
            "price_band_label",
        ]


class VinInfoSerializer(serializers.Serializer):
    vin = serializers.CharField()
    check_digit_ok = serializers.BooleanField()
    expected_check_digit = serializers.CharField()
    wmi = serializers.CharField()
    manufacturer = serializers.CharField(allow_null=True)
    manufacturer_zh = serializers.CharField(allow_null=True)
    country = serializers.CharField(allow_null=True)
    model_year = serializers.IntegerField(allow_null=True)


class CandidateSerializer(serializers.Serializer):
    model = VehicleModelSerializer()
    score = serializers.IntegerField(allow_null=True, help_text="越大越可信；手工查询为 null。")
    reason = serializers.CharField(help_text="为何是该车型：WMI、VDS 规则、年款。")
    exact = serializers.BooleanField(help_text="WMI、VDS 与年款都相符。")


class IdentificationResultSerializer(serializers.Serializer):
    vin = VinInfoSerializer(allow_null=True)
    ambiguous = serializers.BooleanField(help_text="多个候选同分，需要定损员选择。")
    warnings = serializers.ListField(child=serializers.CharField())
    candidates = CandidateSerializer(many=True)


class SeriesBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MakeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    wmi_codes = serializers.CharField()
    series = SeriesBriefSerializer(many=True)


class PriceInfoSerializer(serializers.Serializer):
    price_type = EnumField(PriceType)
    label = serializers.CharField()
    price = serializers.DecimalField(
        **MONEY, allow_null=True, help_text="默认采用的价格：有本地价用本地价，否则目录价。"
    )
    catalogue_price = serializers.DecimalField(**MONEY, allow_null=True)
    region = serializers.CharField(help_text="目录价的地区：省份或「全国」。")
    effective_from = serializers.DateField(allow_null=True)
    source = serializers.CharField()
    local_price = serializers.DecimalField(**MONEY, allow_null=True)
    local_branch = serializers.CharField()
    local_reason = serializers.CharField()


class PriceRegionSerializer(serializers.Serializer):
    province = serializers.CharField(help_text="价格所按的省份；空为只有全国价。")
    branch = serializers.CharField(source="branch.name", allow_null=True, default=None)
    case = serializers.CharField(source="case.case_no", allow_null=True, default=None)
    label = serializers.CharField(help_text="如「价格地区：浙江（案件所属 杭州分公司）」。")


class PartHitSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="part.id")
    oe_number = serializers.CharField(source="part.oe_number")
    name = serializers.CharField(source="part.name")
    aliases = serializers.ListField(child=serializers.CharField())
    category = EnumField(Category, source="part.category")
    make = serializers.CharField(source="make_name")
    match = serializers.CharField(help_text="命中方式：名称、名称开头、别名、拼音、OE号开头……")
    prices = PriceInfoSerializer(many=True)


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    kind = serializers.CharField(help_text="name / pinyin / oe / empty")
    model = serializers.IntegerField(source="model.id", allow_null=True, default=None)
    offset = serializers.IntegerField()
    limit = serializers.IntegerField()
    has_more = serializers.BooleanField()
    price_region = PriceRegionSerializer(
        help_text="价格按哪个机构所在地区与本地价：带 case 时为该案件的价格机构，否则本人所属机构。"
    )
    results = PartHitSerializer(many=True, source="hits")


class FitmentSerializer(serializers.Serializer):
    model = VehicleModelSerializer()
    note = serializers.CharField()


class PartDetailSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="part.id")
    oe_number = serializers.CharField(source="part.oe_number")
    name = serializers.CharField(source="part.name")
    aliases = serializers.ListField(
        child=serializers.CharField(), source="part.standard_name.alias_list"
    )
    category = EnumField(Category, source="part.category")
    make = serializers.CharField(source="part.make.name")
    prices = PriceInfoSerializer(many=True)
    price_region = PriceRegionSerializer()
    fitments = FitmentSerializer(many=True)


# ------------------------------------------------------------------------ price queries


class PriceQueryLineSerializer(serializers.ModelSerializer):
    price_type = EnumField(PriceType)

    class Meta:
        model = PriceQueryLine
        fields = [
            "id",
            "seq",
            "part",
            "name",
            "oe_number",
            "price_type",
            "quantity",
            "unit_price",
            "catalogue_price",
            "source",
            "manual_quote",
            "fitment_warning",
        ]


class PriceQuerySerializer(serializers.ModelSerializer):
    status = EnumField(PriceQueryStatus)
    vehicle_model = VehicleModelSerializer(allow_null=True)
    case = serializers.CharField(source="case.case_no", allow_null=True, default=None)
    created_by = serializers.CharField(source="created_by.full_name")
    applied_sheet = serializers.CharField(
        source="applied_sheet.sheet_no", allow_null=True, default=None
    )
    lines = PriceQueryLineSerializer(many=True, source="current_lines")
    price_region = serializers.SerializerMethodField(
        help_text="明细价格所按的地区与机构，如「浙江（案件所属 杭州分公司）」。"
    )

    class Meta:
        model = PriceQuery
        fields = [
            "id",
            "query_no",
            "status",
            "vehicle_model",
            "vin",
            "case",
            "loss_item",
            "note",
            "created_by",
            "created_at",
            "applied_sheet",
            "applied_at",
            "price_region",
            "lines",
        ]

    def get_price_region(self, query) -> str:
        return PriceRegion.of_query(query).where


class PriceQueryLineInputSerializer(serializers.Serializer):
    part = serializers.IntegerField(required=False, allow_null=True)
    name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    oe_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    price_type = serializers.CharField(
        max_length=CODE_MAX, required=False, default=PriceType.DEALER_4S
    )
    quantity = serializers.CharField(max_length=CODE_MAX, required=False, default="1")
    manual_quote = serializers.IntegerField(required=False, allow_null=True)


class PriceQueryInputSerializer(serializers.Serializer):
    vehicle_model = serializers.IntegerField(required=False, allow_null=True)
    vin = serializers.CharField(required=False, allow_blank=True, max_length=30)
    case = serializers.CharField(
        max_length=CODE_MAX, required=False, allow_blank=True, help_text="案件号"
    )
    loss_item = serializers.IntegerField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)
    lines = PriceQueryLineInputSerializer(many=True)


class ApplyQueryInputSerializer(serializers.Serializer):
    loss_item = serializers.IntegerField(required=False, allow_null=True)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="调用方看到的案件版本；不带 sheet_version 时据此检查，案件已变更返回 409。",
    )
    sheet_version = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        help_text="调用方看到的定损单版本（尚无定损单为 0）；带上时只在定损单已被修改时返回 "
        "409，案件其他变更（如照片上传）不影响，不再检查 version。",
    )


class SheetResultSerializer(serializers.Serializer):
    sheet_no = serializers.CharField()
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    lines = serializers.SerializerMethodField()

    def get_lines(self, sheet) -> list[dict]:
        return [
            {
                "seq": line.seq,
                "kind": line.kind,
                "name": line.name,
                "part_no": line.part_no,
                "quantity": str(line.quantity),
                "unit_price": str(line.unit_price),
                "amount": str(line.amount),
                "part": line.part_id,
                "price_type": line.price_type,
                "price_source": line.price_source,
                "price_query_line": line.price_query_line_id,
                "fitment_warning": line.fitment_warning,
            }
            for line in sheet.lines.all()
        ]


class IdentificationInputSerializer(serializers.Serializer):
    loss_item = serializers.IntegerField()
    vehicle_model = serializers.IntegerField()
    vin = serializers.CharField(required=False, allow_blank=True, max_length=30)
    method = serializers.CharField(
        max_length=CODE_MAX, required=False, default=IdentificationMethod.MANUAL
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=300)
    version = serializers.IntegerField(required=False, allow_null=True)


class IdentificationSerializer(serializers.ModelSerializer):
    vehicle_model = VehicleModelSerializer()
    method = EnumField(IdentificationMethod)

    class Meta:
        model = VehicleIdentification
        fields = ["id", "loss_item", "vin", "vehicle_model", "method", "reason", "identified_at"]


# ------------------------------------------------------------------------ manual quotes


class ManualQuoteSerializer(serializers.ModelSerializer):
    status = EnumField(ManualQuoteStatus)
    price_type = EnumField(PriceType)
    vehicle_model = VehicleModelSerializer(allow_null=True)
    case = serializers.CharField(source="case.case_no", allow_null=True, default=None)
    requested_by = serializers.CharField(source="requested_by.full_name")
    answered_by = serializers.CharField(
        source="answered_by.full_name", allow_null=True, default=None
    )
    decided_by = serializers.CharField(source="decided_by.full_name", allow_null=True, default=None)
    overdue = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()

    class Meta:
        model = ManualQuote
        fields = [
            "id",
            "quote_no",
            "status",
            "part",
            "part_name",
            "oe_number",
            "vehicle_model",
            "vehicle_description",
            "vin",
            "case",
            "quantity",
            "price_type",
            "note",
            "requested_by",
            "requested_at",
            "deadline",
            "overdue",
            "price",
            "source",
            "answer_note",
            "answered_by",
            "answered_at",
            "decided_by",
            "decided_at",
            "decision_note",
            "photos",
        ]

    def get_overdue(self, quote) -> bool:
        from django.utils import timezone

        end = quote.answered_at or timezone.now()
        return end > quote.deadline

    def get_photos(self, quote) -> list[str]:
        """Download addresses of the photos (scoped, like case attachments; never /media/)."""
        request = self.context.get("request")
        urls = [
            reverse("parts-manual-quote-photo", kwargs={"pk": quote.pk, "photo_pk": p.pk})
            for p in quote.photos.all()
        ]
        return [request.build_absolute_uri(u) if request else u for u in urls]


class ManualQuoteInputSerializer(serializers.Serializer):
    part = serializers.IntegerField(required=False, allow_null=True)
    part_name = serializers.CharField(required=False, allow_blank=True, max_length=100)
    oe_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    vehicle_model = serializers.IntegerField(required=False, allow_null=True)
    vehicle_description = serializers.CharField(required=False, allow_blank=True, max_length=200)
    vin = serializers.CharField(required=False, allow_blank=True, max_length=30)
    case = serializers.CharField(max_length=CODE_MAX, required=False, allow_blank=True)
    query_line = serializers.IntegerField(required=False, allow_null=True)
    quantity = serializers.CharField(max_length=CODE_MAX, required=False, default="1")
    price_type = serializers.CharField(
        max_length=CODE_MAX, required=False, default=PriceType.DEALER_4S
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    deadline_hours = serializers.IntegerField(required=False, allow_null=True)
    photos = serializers.ListField(
        child=serializers.FileField(),
        required=False,
        help_text="JPEG、PNG、WebP 或 HEIC 图片，最多 9 张；按内容判断类型。",
    )


class AnswerInputSerializer(serializers.Serializer):
    price = serializers.CharField(max_length=CODE_MAX)
    source = serializers.CharField(max_length=200)
    oe_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class DecisionInputSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


# ------------------------------------------------------------------------- local prices


class LocalPriceSerializer(serializers.ModelSerializer):
    price_type = EnumField(PriceType)
    branch = serializers.CharField(source="branch.name")
    part_name = serializers.CharField(source="part.name")
    oe_number = serializers.CharField(source="part.oe_number")
    updated_by = serializers.CharField(source="updated_by.full_name")

    class Meta:
        model = LocalPriceOverride
        fields = [
            "id",
            "branch",
            "part",
            "part_name",
            "oe_number",
            "price_type",
            "price",
            "reason",
            "updated_by",
            "updated_at",
        ]


class LocalPriceInputSerializer(serializers.Serializer):
    part = serializers.IntegerField()
    price_type = serializers.CharField(max_length=CODE_MAX)
    price = serializers.CharField(max_length=CODE_MAX)
    reason = serializers.CharField(max_length=200)


class RemoveInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class PriceChangeSerializer(serializers.ModelSerializer):
    price_type = EnumField(PriceType)
    action = EnumField(PriceChangeAction)
    branch = serializers.CharField(source="branch.name")
    actor = serializers.CharField(source="actor.full_name")
    part_name = serializers.CharField(source="part.name")

    class Meta:
        model = PriceChange
        fields = [
            "id",
            "branch",
            "part",
            "part_name",
            "price_type",
            "action",
            "old_price",
            "new_price",
            "catalogue_price",
            "reason",
            "manual_quote",
            "actor",
            "created_at",
        ]


# -------------------------------------------------------------------- catalogue imports


class CatalogueImportSerializer(serializers.ModelSerializer):
    status = EnumField(ImportStatus)
    created_by = serializers.CharField(source="created_by.full_name")

    class Meta:
        model = CatalogueImport
        fields = [
            "id",
            "original_name",
            "file_format",
            "encoding",
            "status",
            "progress",
            "total_rows",
            "valid_rows",
            "rejected_rows",
            "created_parts",
            "updated_parts",
            "imported_prices",
            "row_errors",
            "preview",
            "error_message",
            "created_by",
            "created_at",
            "finished_at",
        ]


class ImportInputSerializer(serializers.Serializer):
    file = serializers.FileField()
