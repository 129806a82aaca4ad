"""Bodies of the billing API. A fee contract's terms are checked by the rules
(`lossdesk.rules.fees.parse_terms`), whose field paths become the error's fields under the
body's key ("contract.brackets.1.up_to"); the serializers below only document them."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from lossdesk.billing.choices import (
    AdjustmentDecision,
    AdjustmentStatus,
    FeeComponentChoices,
    FeeLineChoices,
    FeeModeChoices,
    FeeTrigger,
)
from lossdesk.billing.models import FeeContract
from lossdesk.calc.api import StrictSerializer, ratio
from lossdesk.core.limits import NOTE_MAX
from lossdesk.core.money_fields import AmountField
from lossdesk.org.api.base import EnumField
from lossdesk.org.models import Client
from lossdesk.rules.errors import RuleInputError, RuleInputErrors
from lossdesk.rules.fees import (
    MAX_BRACKETS,
    MAX_CASE_EVENTS,
    MAX_LOSS_ITEMS,
    FeeTerms,
    parse_terms,
)
from lossdesk.rules.money import PRICE, QUANTITY


def rule_errors(exc: RuleInputError, prefix: str = "") -> dict[str, list[str]]:
    """A rule's input error(s) as the error body's fields, each path under `prefix`."""
    found = exc.errors if isinstance(exc, RuleInputErrors) else [exc]
    fields: dict[str, list[str]] = {}
    for error in found:
        fields.setdefault(f"{prefix}{error.field}", []).append(error.message)
    return fields


# --------------------------------------------------------------------------- the terms


def _money(help_text: str, **kwargs) -> AmountField:
    return AmountField(required=False, help_text=help_text, **kwargs)


# "from" is a Python keyword: the bracket's fields are declared through type().
FeeBracketSerializer = type(
    "FeeBracketSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "One bracket: amounts above the previous `up_to` (0 for the first) up to "
        "and including its own.",
        "from": _money("可选：本档起点（不含），须等于上一档的 up_to（第一档为 0）。"),
        "up_to": AmountField(
            allow_null=True, help_text="本档上限（含）；最后一档填 null，表示以上全部。"
        ),
        "rate": ratio(help_text="本档费率，小数：0.03 即 3%，最多 6 位小数。"),
    },
)


class FeeTermsDocSerializer(serializers.Serializer):
    """The terms of a fee contract (documentation; the rules check the body)."""

    mode = EnumField(
        FeeModeChoices,
        help_text="收费方式：percentage 按核定金额比例（rate，可设 minimum、maximum）；"
        "progressive 超额累进与 flat_bracket 分档全额（brackets，可设 minimum、maximum）；"
        "per_case 按件固定（amount）。其他方式的字段不能填写。",
    )
    rate = ratio(required=False, help_text="percentage：费率，小数，0.03 即 3%。")
    minimum = _money("percentage / progressive / flat_bracket：每案最低收费。")
    maximum = _money("percentage / progressive / flat_bracket：每案最高收费。")
    brackets = FeeBracketSerializer(
        many=True,
        required=False,
        max_length=MAX_BRACKETS,
        help_text="progressive / flat_bracket：各档按金额从低到高，不能重叠、不能有空档，"
        "最后一档 up_to 为 null。",
    )
    amount = _money("per_case：每案固定收费。")
    per_item = _money("附加：每个损失标的收费（× loss_items）。")
    km_rate = _money("附加：远程查勘每公里收费（超过 km_threshold 的部分）。", kind=PRICE)
    km_threshold = _money("附加：远程查勘起算里程（公里），默认 0。", kind=QUANTITY)
    night_surcharge = _money(
        "附加：夜间或节假日查勘加收（查勘员到达现场的时刻在夜间时段内，或当天为非工作日）。"
    )
    night_from = serializers.RegexField(
        r"^([01]\d|2[0-3]):[0-5]\d$",
        required=False,
        help_text='夜间时段开始（含），"HH:MM"，默认 "22:00"；须同时填写 night_surcharge。',
    )
    night_to = serializers.RegexField(
        r"^([01]\d|2[0-3]):[0-5]\d$",
        required=False,
        help_text='夜间时段结束（不含），"HH:MM"，默认 "06:00"；早于开始即跨过午夜。',
    )
    rescue_fee = _money("附加：每协调一次救援收费（× rescues）。")
    resurvey_fee = _money("附加：每次复勘收费（× resurveys）。")
    cancellation_fee = _money("查勘开始后注销的案件只收此费（未填为 0）；查勘前注销不收费。")


@extend_schema_field(FeeTermsDocSerializer)
class FeeTermsField(serializers.Field):
    """A fee contract's terms: a JSON object checked by the rules; reads back canonical (every
    amount and rate a decimal string)."""

    default_error_messages = {"invalid": '须为对象，如 {{"mode": "percentage", …}}。'}

    def to_internal_value(self, data) -> FeeTerms:
        if not isinstance(data, dict):
            self.fail("invalid")
        try:
            return parse_terms(data)
        except RuleInputError as exc:
            raise serializers.ValidationError(rule_errors(exc)) from None

    def to_representation(self, value):
        return value.as_json() if isinstance(value, FeeTerms) else value


# ---------------------------------------------------------------------- the calculator


class FeeCaseSerializer(StrictSerializer):
    line = EnumField(FeeLineChoices, help_text="险种线：motor 车险、property 物损、injury 人伤。")
    approved_amount = AmountField(
        required=False,
        allow_null=True,
        help_text="核定金额（元）；注销的案件可不填。",
    )
    cancelled_after_survey = serializers.BooleanField(
        required=False, default=False, help_text="查勘开始后注销：只收注销费。"
    )
    cancelled = serializers.BooleanField(
        required=False,
        allow_null=True,
        help_text="已注销；不填时同 cancelled_after_survey。注销而非查勘后注销的不收费。",
    )
    distance_km = AmountField(
        kind=QUANTITY,
        required=False,
        allow_null=True,
        help_text="外勤里程（公里）：查勘员本次查勘往返行驶的里程。",
    )
    night = serializers.BooleanField(required=False, default=False, help_text="夜间或节假日查勘。")
    rescues = serializers.IntegerField(
        min_value=0,
        max_value=MAX_CASE_EVENTS,
        required=False,
        allow_null=True,
        help_text="协调救援的次数（默认 0）。",
    )
    resurveys = serializers.IntegerField(
        min_value=0,
        max_value=MAX_CASE_EVENTS,
        required=False,
        allow_null=True,
        help_text="复勘次数（默认 0）。",
    )
    loss_items = serializers.IntegerField(
        min_value=0,
        max_value=MAX_LOSS_ITEMS,
        required=False,
        allow_null=True,
        help_text="损失标的数；合同按标的收费（per_item）时必填。",
    )


class FeeCalcSerializer(StrictSerializer):
    contract = FeeTermsField(help_text="收费条款：与收费协议接口保存的 terms 相同。")
    case = FeeCaseSerializer(help_text="案件。")


class FeeComponentSerializer(serializers.Serializer):
    code = EnumField(FeeComponentChoices)
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    formula = serializers.CharField(help_text="算式与代入的数值。")


class FeeResultSerializer(serializers.Serializer):
    fee = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="公估费：各项之和，各项在其末尾四舍五入到分。"
    )
    components = FeeComponentSerializer(many=True, help_text="各收费项及其金额。")
    explanation = serializers.ListField(
        child=serializers.CharField(), help_text="计算过程：每项一行，最后一行为合计。"
    )
    contract = FeeTermsField(help_text="所用收费条款的规范写法（金额、费率均为字符串）。")


# ------------------------------------------------------------------------ fee contracts


class FeeContractSerializer(serializers.ModelSerializer):
    """A version of a client's fee contract. Writing makes a new version (`version` is
    numbered by the server); nothing is changed in place."""

    client = serializers.PrimaryKeyRelatedField(
        queryset=Client.objects.filter(active=True), help_text="委托方（启用中的）。"
    )
    client_name = serializers.CharField(source="client.name", read_only=True)
    line = EnumField(FeeLineChoices, help_text="险种线：motor 车险、property 物损、injury 人伤。")
    terms = FeeTermsField(help_text="收费条款（与 POST /api/v1/calc/fee 的 contract 相同）。")
    mode = EnumField(FeeModeChoices, read_only=True, help_text="收费方式（terms.mode）。")
    latest = serializers.BooleanField(
        read_only=True,
        help_text="是否为该委托方此险种线的最新版本；旧版本只读、继续适用于仅由其覆盖的日期。",
    )
    previous_version = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=0,
        help_text="可选：录入人看到的最新版本号（尚无则 0）；其间已有他人录入新版本时 409。",
    )
    created_by_name = serializers.CharField(source="created_by.full_name", read_only=True)

    class Meta:
        model = FeeContract
        fields = [
            "id",
            "client",
            "client_name",
            "line",
            "version",
            "effective_from",
            "effective_to",
            "mode",
            "terms",
            "note",
            "latest",
            "previous_version",
            "created_by",
            "created_by_name",
            "created_at",
        ]
        read_only_fields = ["version", "created_by", "created_at"]
        extra_kwargs = {"note": {"max_length": NOTE_MAX}}


# ------------------------------------------------------------------------- case fees


def _signed(help_text: str, **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=2, help_text=help_text, **kwargs)


class CaseFeeComponentSerializer(serializers.Serializer):
    line = EnumField(FeeLineChoices, help_text="险种线：motor 车险、property 物损、injury 人伤。")
    contract = serializers.IntegerField(
        source="contract_id", allow_null=True, help_text="所用收费协议的 id；无协议为 null。"
    )
    contract_version = serializers.IntegerField(allow_null=True, help_text="所用协议的版本。")
    terms = serializers.JSONField(allow_null=True, help_text="所用协议条款的快照。")
    inputs = serializers.JSONField(help_text="交给收费规则的 case（与 /calc/fee 的 case 相同）。")
    fee = AmountField(help_text="本险种线公估费。")
    components = serializers.JSONField(help_text="费用构成：code、label、amount、formula。")
    explanation = serializers.ListField(child=serializers.CharField())
    missing_contract = serializers.BooleanField(help_text="委托日无生效协议：按 0 计并提示。")


class FeeAdjustmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    amount = _signed("调整金额：正数调增，负数调减。")
    reason = serializers.CharField()
    status = EnumField(
        AdjustmentStatus, help_text="pending 待审批、approved 已批准、refused 已驳回。"
    )
    status_label = serializers.CharField(source="get_status_display")
    requested_by = serializers.CharField(source="requested_by.full_name")
    requested_at = serializers.DateTimeField()
    decided_by = serializers.CharField(source="decided_by.full_name", allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decision_note = serializers.CharField()


class CaseFeeSerializer(serializers.Serializer):
    case_no = serializers.CharField(source="case.case_no")
    trigger = EnumField(FeeTrigger, help_text="report_issued 出具报告时、cancelled 注销时计算。")
    on_date = serializers.DateField(help_text="委托日（报案日期），据此选用生效的收费协议。")
    computed_fee = AmountField(source="computed_total", help_text="按协议计算的公估费。")
    fee = AmountField(source="adjusted_total", help_text="计入已批准调整后的公估费。")
    pending_adjustment = _signed(
        "待审批调整金额合计（未计入 fee）。", source="pending_total", read_only=True
    )
    missing_contract = serializers.BooleanField(help_text="有险种线无生效收费协议。")
    receiving_branch = serializers.CharField(
        source="receiving_branch.name",
        allow_null=True,
        default=None,
        help_text="整案委托异地时的受托机构；未委托为 null。",
    )
    receiving_share = AmountField(
        help_text="受托机构按委托分成比例分得的计算公估费；未委托为 0.00。"
    )
    explanation = serializers.ListField(child=serializers.CharField())
    components = CaseFeeComponentSerializer(many=True, source="components.all")
    adjustments = FeeAdjustmentSerializer(many=True, source="adjustments.all")
    computed_by = serializers.CharField(source="computed_by.full_name")
    computed_at = serializers.DateTimeField()


class AdjustmentInputSerializer(serializers.Serializer):
    amount = _signed("调整金额（元）：正数调增，负数调减，不能为 0。")
    reason = serializers.CharField(max_length=NOTE_MAX, help_text="调整原因。")


class FeeAdjustmentDecisionSerializer(serializers.Serializer):
    decision = EnumField(AdjustmentDecision, help_text="approve 批准，refuse 驳回。")
    note = serializers.CharField(
        max_length=NOTE_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="审批意见；驳回时必填。",
    )
