"""The calculation API: VIN decoding and the settlement calculators.

Request serializers check shapes and types (and document the bodies in the OpenAPI
schema); the rules package checks the rest and its `RuleInputError` becomes the project's
400 error body naming the dotted field. Any logged-in staff member may calculate. Numbers
may be sent as strings (preferred) or JSON numbers, which are read through their decimal
text, never as binary floats. Nothing is stored."""

from collections.abc import Callable, Mapping
from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from lossdesk.calc import calculations
from lossdesk.calc.choices import (
    AddonKindChoices,
    InjuryOutcomeChoices,
    LossKindChoices,
    VehicleClassChoices,
    VehicleUseChoices,
)
from lossdesk.core.errors import ErrorCode, ServiceError
from lossdesk.core.money_fields import AmountField
from lossdesk.org.api.base import EnumField, error_responses
from lossdesk.rules.commercial import LiabilityLevel
from lossdesk.rules.errors import RuleInputError

ZERO = Decimal(0)
ONE = Decimal(1)
ERRORS = error_responses(400, 401)


def run(calculation: Callable, *args):
    """Call a calculation; a rule's input error is a 400 naming the field, with the same
    code as the serializer's field errors (`invalid`), so a client handles both alike."""
    try:
        return calculation(*args)
    except RuleInputError as exc:
        raise ServiceError(
            exc.message, code=ErrorCode.INVALID, fields={exc.field: [exc.message]}
        ) from exc


# ---------------------------------------------------------------------------- fields


def money(**kwargs) -> AmountField:
    return AmountField(**kwargs)


def ratio(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=None, decimal_places=None, min_value=ZERO, max_value=ONE, **kwargs
    )


def optional_money(help_text: str = "") -> AmountField:
    return money(required=False, allow_null=True, help_text=help_text)


def days(help_text: str) -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=0, max_value=36500, required=False, allow_null=True, help_text=help_text
    )


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "enum": [level.value for level in LiabilityLevel]},
            {"type": "string", "format": "decimal", "example": "0.7"},
        ],
        "description": "责任比例：级别名（full 全责 100%、major 主责 70%、equal 同责 50%、"
        "minor 次责 30%、none 无责 0）或 0 到 1 之间的小数。",
    }
)
class LiabilityRatioField(serializers.Field):
    default_error_messages = {
        "invalid": "须为 full、major、equal、minor、none 之一，或 0 到 1 之间的小数。",
    }

    def to_internal_value(self, data):
        if isinstance(data, str) and data.strip() in LiabilityLevel.__members__:
            return data.strip()
        if isinstance(data, bool) or not isinstance(data, str | int | float | Decimal):
            self.fail("invalid")
        try:
            value = Decimal(str(data).strip())
        except ArithmeticError:
            self.fail("invalid")
        if not value.is_finite() or not ZERO <= value <= ONE:
            self.fail("invalid")
        return value

    def to_representation(self, value):
        return str(value)


class StrictSerializer(serializers.Serializer):
    """Refuses keys it does not know, so a misspelt optional field is an error, not ignored."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({key: ["未知字段。"] for key in unknown})
        return super().to_internal_value(data)


# ---------------------------------------------------------------------- explanation


class CalcStandardUsedSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, help_text="所用标准（表）的名称。")
    label = serializers.CharField(required=False)
    effective_from = serializers.DateField(
        required=False, help_text="生效日期（赔偿标准：适用于此日起的事故）。"
    )
    effective_to = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="赔偿标准：适用事故的最后一天（本条的适用至日期，或下一条生效的前一天）；"
        "null 为仍适用。",
    )
    in_force = serializers.CharField(
        required=False, help_text="赔偿标准适用的事故日期，如“2024-01-01 起”。"
    )
    source = serializers.CharField(help_text="来源（文件号、网址）。")


class CalcExplainedSerializer(serializers.Serializer):
    standard = CalcStandardUsedSerializer(help_text="所用标准及其来源；各接口另有专门字段。")
    inputs = serializers.DictField(help_text="实际采用的输入（金额为字符串）。")
    explanation = serializers.ListField(
        child=serializers.CharField(), help_text="计算过程：公式与代入的数值，逐行。"
    )
    rounding = serializers.CharField(help_text="取整规则。")
    defaults_used = serializers.ListField(
        child=serializers.CharField(), help_text="调用方未指定、按默认值处理的可配置项。"
    )


# ------------------------------------------------------------------------------- VIN


class VinResultSerializer(serializers.Serializer):
    vin = serializers.CharField()
    check_digit_ok = serializers.BooleanField()
    check_digit = serializers.CharField(help_text="VIN 第9位实际的字符。")
    expected_check_digit = serializers.CharField()
    wmi = serializers.CharField()
    manufacturer = serializers.CharField(allow_null=True)
    manufacturer_zh = serializers.CharField(allow_null=True)
    country = serializers.CharField(allow_null=True)
    model_year = serializers.IntegerField(allow_null=True)
    small_maker = serializers.BooleanField()
    wmi_entry = serializers.DictField(allow_null=True, help_text="命中的 WMI 表记录及其来源。")
    explanation = serializers.ListField(child=serializers.CharField())


class VinView(APIView):
    @extend_schema(
        tags=["calc"],
        summary="VIN 解码：校验位、WMI 制造厂、国家、年款",
        description="17 位、字符合法的 VIN 一律 200；校验位不对时 check_digit_ok 为 false。"
        "长度或字符不合法为 400。制造厂取自本系统可维护的 WMI 表。",
        parameters=[OpenApiParameter("vin", OpenApiTypes.STR, OpenApiParameter.PATH)],
        responses={200: VinResultSerializer, **ERRORS},
    )
    def get(self, request, vin: str):
        return Response(run(calculations.vin, vin))


# ----------------------------------------------------------------------- actual value


class ActualValueSerializer(StrictSerializer):
    new_price = money(help_text="新车购置价（元）。")
    vehicle_class = EnumField(VehicleClassChoices, help_text="车辆种类。")
    use = EnumField(VehicleUseChoices, help_text="使用性质。")
    months = serializers.IntegerField(
        min_value=0,
        max_value=1200,
        required=False,
        allow_null=True,
        help_text="已使用整月数；或不填而给出 first_registration 与 accident_date。",
    )
    first_registration = serializers.DateField(
        required=False, allow_null=True, help_text="初次登记日期。"
    )
    accident_date = serializers.DateField(
        required=False, allow_null=True, help_text="出险日期：选用当日有效的折旧系数表。"
    )
    repair_cost = optional_money("修复费用：填写时同时做推定全损测试。")
    salvage_value = optional_money("残值（全损时被保险人保留的部分）。")
    sum_insured = optional_money("保险金额：低于实际价值时全损按保险金额。")


class TotalLossResultSerializer(serializers.Serializer):
    is_constructive_total_loss = serializers.BooleanField()
    basis = serializers.DecimalField(max_digits=14, decimal_places=2)
    payable_on_total_loss = serializers.DecimalField(max_digits=14, decimal_places=2)
    explanation = serializers.ListField(child=serializers.CharField())


class ActualValueResultSerializer(CalcExplainedSerializer):
    monthly_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    months = serializers.IntegerField()
    depreciation_rate = serializers.DecimalField(max_digits=6, decimal_places=4)
    capped = serializers.BooleanField(help_text="折旧率是否达到上限（80%）。")
    depreciation = serializers.DecimalField(max_digits=14, decimal_places=2)
    actual_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    total_loss = TotalLossResultSerializer(allow_null=True)


class ActualValueView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["calc"],
        summary="折旧、实际价值与推定全损测试",
        request=ActualValueSerializer,
        responses={200: ActualValueResultSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "9座以下家庭自用，38个月",
                value={
                    "new_price": "200000",
                    "vehicle_class": "passenger_under_10",
                    "use": "private",
                    "months": 38,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        return calculate(ActualValueSerializer, calculations.actual_value, request)


# ------------------------------------------------------------------------------ CTPL


class CtplVehicleSerializer(StrictSerializer):
    id = serializers.CharField(max_length=30, help_text="车辆标识，如 A、B 或车牌。")
    at_fault = serializers.BooleanField(help_text="有责 true / 无责 false。")


class CtplLossSerializer(StrictSerializer):
    victim = serializers.CharField(
        max_length=50, help_text="受害方：车辆标识（该车车损），或其他名称（行人、路产）。"
    )
    kind = EnumField(LossKindChoices, help_text="损失类别。")
    amount = money(help_text="核定损失金额。")
    vehicle_id = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        allow_null=True,
        help_text="非车辆受害人所乘（所载）车辆的标识：该车交强险不赔。",
    )


class CtplSerializer(StrictSerializer):
    accident_date = serializers.DateField(help_text="出险日期：选用当日有效的交强险限额表。")
    vehicles = CtplVehicleSerializer(many=True)
    losses = CtplLossSerializer(many=True)
    no_fault_proxy = serializers.BooleanField(
        required=False, help_text="是否适用无责代赔（默认 false）。"
    )


class CtplPaymentSerializer(serializers.Serializer):
    payer = serializers.CharField()
    victim = serializers.CharField()
    kind = EnumField(LossKindChoices)
    kind_label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class CtplShortfallSerializer(serializers.Serializer):
    victim = serializers.CharField()
    kind = EnumField(LossKindChoices)
    kind_label = serializers.CharField()
    loss = serializers.DecimalField(max_digits=14, decimal_places=2)
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    unpaid = serializers.DecimalField(max_digits=14, decimal_places=2)


class CtplMutualCheckSerializer(serializers.Serializer):
    applies = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())


class CtplResultSerializer(CalcExplainedSerializer):
    payments = CtplPaymentSerializer(many=True, help_text="交强险赔付（已按限额压缩）。")
    proxy_payments = CtplPaymentSerializer(
        many=True, help_text="无责代赔：由有责车自身保险人赔付。"
    )
    first_pass = CtplPaymentSerializer(many=True, help_text="压缩前的初次分摊。")
    totals = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2),
        help_text="每辆车交强险赔付合计。",
    )
    total_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    shortfalls = CtplShortfallSerializer(many=True, help_text="交强险未赔足的部分。")
    mutual_self_settlement = CtplMutualCheckSerializer(help_text="互碰自赔条件检查。")


class CtplView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["calc"],
        summary="交强险分摊（多车、限额压缩、无责代赔、互碰自赔检查）",
        request=CtplSerializer,
        responses={200: CtplResultSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "三车事故，A 全责",
                value={
                    "accident_date": "2024-05-01",
                    "vehicles": [
                        {"id": "A", "at_fault": True},
                        {"id": "B", "at_fault": False},
                        {"id": "C", "at_fault": False},
                    ],
                    "losses": [
                        {"victim": "A", "kind": "property", "amount": "3000"},
                        {"victim": "B", "kind": "property", "amount": "1200"},
                        {"victim": "C", "kind": "property", "amount": "1000"},
                    ],
                    "no_fault_proxy": False,
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        return calculate(CtplSerializer, calculations.ctpl, request)


# ------------------------------------------------------------------------ commercial


class CommercialThirdPartySerializer(StrictSerializer):
    assessed_loss = money(help_text="核定的第三者损失金额。")
    ctpl_item_limits = money(help_text="应扣除的交强险分项赔偿限额之和（限额，不是实赔额）。")
    liability_ratio = LiabilityRatioField()
    policy_limit = money(help_text="三者险每次事故赔偿限额。")
    liability_deductible_rate = ratio(
        required=False,
        allow_null=True,
        help_text="事故责任免赔率（2014 版条款 5/10/15/20%）；不填按 0。",
    )
    absolute_deductible_rates = serializers.ListField(
        child=ratio(), required=False, help_text="各项绝对免赔率，相加后使用。"
    )


class CommercialOwnDamageSerializer(StrictSerializer):
    sum_insured = money(help_text="保险金额。")
    repair_cost = optional_money("实际修复费用（部分损失必填）。")
    total_loss = serializers.BooleanField(required=False, help_text="是否全部损失（默认 false）。")
    actual_value = optional_money("出险时实际价值：全损时与保险金额取低者。")
    recovered_from_third_party = optional_money("已从第三方获得的赔偿。")
    liability_deductible_rate = ratio(
        required=False, allow_null=True, help_text="事故责任免赔率；不填按 0。"
    )
    absolute_deductible_rates = serializers.ListField(child=ratio(), required=False)
    absolute_deductible_amount = optional_money("绝对免赔额。")
    salvage = optional_money("残值（被保险人保留的配件或车辆残骸的价值）。")


class CommercialSerializer(StrictSerializer):
    third_party = CommercialThirdPartySerializer(required=False, allow_null=True)
    own_damage = CommercialOwnDamageSerializer(required=False, allow_null=True)


class CommercialThirdPartyResultSerializer(serializers.Serializer):
    base = serializers.DecimalField(max_digits=14, decimal_places=2)
    liable_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    liability_ratio = serializers.DecimalField(max_digits=7, decimal_places=6)
    liability_level = serializers.CharField(allow_null=True)
    limit_applies = serializers.BooleanField()
    payout = serializers.DecimalField(max_digits=14, decimal_places=2)
    explanation = serializers.ListField(child=serializers.CharField())


class CommercialOwnDamageResultSerializer(serializers.Serializer):
    total_loss = serializers.BooleanField()
    basis = serializers.DecimalField(max_digits=14, decimal_places=2)
    payout = serializers.DecimalField(max_digits=14, decimal_places=2)
    capped_at_sum_insured = serializers.BooleanField()
    explanation = serializers.ListField(child=serializers.CharField())


class CommercialResultSerializer(CalcExplainedSerializer):
    third_party = CommercialThirdPartyResultSerializer(allow_null=True)
    own_damage = CommercialOwnDamageResultSerializer(allow_null=True)
    total = serializers.DecimalField(max_digits=14, decimal_places=2)


class CommercialView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["calc"],
        summary="商业三者险与车损险赔款",
        description="三者险：(核定损失 − 交强险分项限额) × 责任比例 × (1 − 事故责任免赔率) × "
        "(1 − Σ绝对免赔率)，以每次事故赔偿限额为限；车损险按 2014 版示范条款第19条，"
        "扣残值，全损以保险金额与实际价值的较低者为基数。至少填写 third_party 或 "
        "own_damage 之一。",
        request=CommercialSerializer,
        responses={200: CommercialResultSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "三者险主责，超限额",
                value={
                    "third_party": {
                        "assessed_loss": "300000",
                        "ctpl_item_limits": "0",
                        "liability_ratio": "major",
                        "policy_limit": "150000",
                        "liability_deductible_rate": "0.15",
                    }
                },
                request_only=True,
            )
        ],
    )
    def post(self, request):
        return calculate(CommercialSerializer, calculations.commercial, request)


# ---------------------------------------------------------------------------- injury


class InjuryStandardSerializer(StrictSerializer):
    province = serializers.CharField(max_length=20, required=False, help_text="按表选用：省份。")
    year = serializers.IntegerField(
        min_value=1990,
        max_value=2100,
        required=False,
        help_text="按表选用：统计年度；不填时按 accident_date 选用当日适用的标准。",
    )
    region = serializers.CharField(
        max_length=30, required=False, help_text="按表选用：地区（默认 一般地区）。"
    )
    urban_disposable_income = optional_money("直接填写：城镇居民人均可支配收入。")
    urban_consumption = optional_money("直接填写：城镇居民人均消费支出。")
    average_wage = optional_money("直接填写：职工年平均工资（丧葬费基数）。")
    wage_label = serializers.CharField(max_length=100, required=False, allow_blank=True)
    label = serializers.CharField(max_length=100, required=False, allow_blank=True)
    source = serializers.CharField(max_length=300, required=False, allow_blank=True)


class InjuryDependantSerializer(StrictSerializer):
    age = serializers.IntegerField(min_value=0, max_value=150)
    supporters = serializers.IntegerField(
        min_value=1, max_value=50, required=False, help_text="扶养人数（含受害人），默认 1。"
    )
    unable_to_work = serializers.BooleanField(
        required=False, help_text="丧失劳动能力又无其他生活来源（默认 false）。"
    )


class InjuryAddonRuleSerializer(StrictSerializer):
    kind = EnumField(AddonKindChoices, required=False)
    fixed_rate = ratio(required=False, help_text="kind=per_extra_fixed 时每处的附加比例。")
    grade_table = serializers.DictField(
        child=ratio(), required=False, help_text='kind=grade_table 时：{"2": "0.10", …}。'
    )
    extras_cap = ratio(required=False, allow_null=True, help_text="附加合计上限；null 不设上限。")
    total_cap = ratio(required=False, help_text="总系数上限，默认 1。")
    grade_one_absorbs = serializers.BooleanField(required=False)


class InjurySerializer(StrictSerializer):
    age = serializers.IntegerField(min_value=0, max_value=150, help_text="定残或死亡时的年龄。")
    outcome = EnumField(InjuryOutcomeChoices)
    standard = InjuryStandardSerializer(
        help_text='按表 {"province": "江苏", "year": 2024[, "region": "一般地区"]}，'
        '或直接填写 {"urban_disposable_income": …, "urban_consumption": …, '
        '"average_wage": …}。'
    )
    disability_grades = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=10),
        required=False,
        help_text="伤残等级（1 最重 … 10），多处伤残各列一项。",
    )
    dependants = InjuryDependantSerializer(many=True, required=False)
    medical_amount = optional_money("医疗费（核定金额）。")
    lost_income_days = days("误工天数。")
    daily_income = optional_money("误工：日收入。")
    annual_income = optional_money("误工：年收入（÷365）。")
    lost_income_amount = optional_money("误工：已证明的实际损失。")
    nursing_days = days("护理天数。")
    nursing_daily_rate = optional_money("护理：每人每日费用。")
    nursing_carers = serializers.IntegerField(
        min_value=1, max_value=10, required=False, allow_null=True, help_text="护理人数，默认 1。"
    )
    transport_amount = optional_money("交通费（核定金额）。")
    hospital_days = days("住院天数。")
    hospital_food_daily = optional_money("住院伙食补助：每日标准。")
    nutrition_days = days("营养期天数。")
    nutrition_daily = optional_money("营养费：每日标准。")
    assistive_devices_amount = optional_money("残疾辅助器具费（核定金额）。")
    mental_distress_amount = optional_money("精神损害抚慰金（核定金额）。")
    appraisal_fee_amount = optional_money(
        "鉴定费（伤残等鉴定的费用；交强险不赔，计入三者险基数）。"
    )
    addon_rule = InjuryAddonRuleSerializer(
        required=False, allow_null=True, help_text="多处伤残附加规则；不填按默认。"
    )


class InjurySplitSerializer(StrictSerializer):
    at_fault = serializers.BooleanField(
        help_text="本车交强险有责 true / 无责 false：选用有责或无责分项限额。"
    )
    third_party = serializers.BooleanField(
        required=False,
        help_text="受害人是否为本车的第三者（默认 true）；本车驾驶人、乘车人为 false，"
        "交强险与三者险均不赔付。",
    )
    liability_ratio = LiabilityRatioField(
        required=False,
        allow_null=True,
        help_text="三者险事故责任比例；本车有责时必填，无责时不填按 0。",
    )
    commercial_limit = optional_money("三者险每次事故赔偿限额；不填不设上限。")
    liability_deductible_rate = ratio(
        required=False,
        allow_null=True,
        help_text="三者险事故责任免赔率（2014 版条款 5/10/15/20%）；不填按 0。",
    )
    absolute_deductible_rates = serializers.ListField(
        child=ratio(),
        required=False,
        max_length=10,
        help_text="三者险各项绝对免赔率，相加后使用。",
    )


class InjuryCalculatorSerializer(InjurySerializer):
    """The calculator's body: the injury inputs plus the accident date and the split. The
    injury line's sheet body (`InjurySerializer`'s other subclass) takes those from the
    case instead."""

    accident_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="出险日期：按表选用的赔偿标准须在当日适用（只填省份不填年度时选用当日适用的"
        "标准）；填写 split 时必填，选用当日有效的交强险限额。",
    )
    split = InjurySplitSerializer(
        required=False,
        allow_null=True,
        help_text="交强险分项与商业三者险分摊（可选）；填写时结果含 split。",
    )


class InjuryItemResultSerializer(serializers.Serializer):
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    formula = serializers.CharField()


class InjurySplitItemSerializer(serializers.Serializer):
    label = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class InjurySplitPartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=["medical", "death_disability"], help_text="交强险分项：医疗费用 / 死亡伤残。"
    )
    label = serializers.CharField()
    items = serializers.DictField(child=InjurySplitItemSerializer(), help_text="该分项的各项。")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="分项合计。")
    limit = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="交强险分项限额（有责或无责）。"
    )
    ctpl_paid = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="交强险赔付 = min(分项合计, 分项限额)。"
    )
    excess = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="超出分项限额的部分，计入三者险基数。"
    )


class InjurySplitCtplSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="出险日期适用的交强险限额表。")
    effective_from = serializers.DateField()
    source = serializers.CharField()
    at_fault = serializers.BooleanField()
    limits = serializers.DictField(
        child=serializers.DecimalField(max_digits=14, decimal_places=2),
        help_text="所用分项限额：medical、death_disability。",
    )


class InjurySplitUncoveredSerializer(serializers.Serializer):
    items = serializers.DictField(child=InjurySplitItemSerializer())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)


class InjurySplitCommercialSerializer(serializers.Serializer):
    base = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="三者险基数 = 各分项超出交强险分项限额部分之和 + 交强险不赔项目。",
    )
    liability_ratio = serializers.DecimalField(
        max_digits=None, decimal_places=None, help_text="所用责任比例（0 到 1）。"
    )
    liability_level = serializers.CharField(allow_null=True)
    liable_amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="基数 × 责任比例。"
    )
    limit = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, help_text="每次事故赔偿限额；null 不设。"
    )
    limit_applies = serializers.BooleanField()
    liability_deductible_rate = serializers.DecimalField(max_digits=None, decimal_places=None)
    absolute_deductible_rate = serializers.DecimalField(
        max_digits=None, decimal_places=None, help_text="各项绝对免赔率之和。"
    )
    payout = serializers.DecimalField(max_digits=14, decimal_places=2, help_text="三者险赔款。")


class InjurySplitResultSerializer(serializers.Serializer):
    accident_date = serializers.DateField()
    ctpl = InjurySplitCtplSerializer()
    third_party = serializers.BooleanField()
    parts = InjurySplitPartSerializer(many=True, help_text="医疗费用、死亡伤残两个分项。")
    uncovered = InjurySplitUncoveredSerializer(help_text="交强险不赔的项目（鉴定费）。")
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    ctpl_total = serializers.DecimalField(max_digits=14, decimal_places=2)
    commercial = InjurySplitCommercialSerializer()
    insurance_total = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text="交强险 + 三者险。"
    )
    unpaid = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        help_text="保险未赔：合计 − 交强险 − 三者险（由被保险人、其他责任方或受害人承担）。",
    )
    explanation = serializers.ListField(child=serializers.CharField())
    rounding = serializers.CharField()
    defaults_used = serializers.ListField(child=serializers.CharField())


class InjuryResultSerializer(CalcExplainedSerializer):
    items = serializers.DictField(
        child=InjuryItemResultSerializer(),
        help_text="medical、lost_income、nursing、transport、hospital_food、nutrition、"
        "disability_compensation、assistive_devices、funeral、death_compensation、"
        "dependant_living、mental_distress 中适用且有输入的各项。",
    )
    total = serializers.DecimalField(max_digits=14, decimal_places=2)
    split = InjurySplitResultSerializer(
        allow_null=True, help_text="交强险与商业三者险分摊；请求未填 split 时为 null。"
    )
    compensation_years = serializers.IntegerField()
    disability_coefficient = serializers.DecimalField(
        max_digits=5, decimal_places=4, allow_null=True
    )


class InjuryView(APIView):
    parser_classes = [JSONParser]

    @extend_schema(
        tags=["calc"],
        summary="人身损害赔偿（法释〔2022〕14号），可选交强险与三者险分摊",
        description="填写 accident_date 时，按表选用的赔偿标准须在出险日期适用，否则 400 "
        "（standard 字段说明该标准适用的日期和当日适用的标准）。填写 split 时按出险日期的交强险"
        "限额逐分项计算：医疗费用（医疗费、住院伙食补助费、营养费）与死亡伤残（其余各项）各取 "
        "min(分项合计, 分项限额)；三者险基数为各分项超出限额部分之和加鉴定费，× 责任比例 × "
        "(1 − 免赔率)，以每次事故赔偿限额为限（2014 版条款第35条）。",
        request=InjuryCalculatorSerializer,
        responses={200: InjuryResultSerializer, **ERRORS},
        examples=[
            OpenApiExample(
                "江苏 2024 年标准，十级伤残",
                value={
                    "age": 35,
                    "outcome": "disability",
                    "standard": {"province": "江苏", "year": 2024},
                    "disability_grades": [10],
                },
                request_only=True,
            ),
            OpenApiExample(
                "出险日期适用的标准，主责，含交强险与三者险分摊",
                value={
                    "age": 35,
                    "outcome": "disability",
                    "accident_date": "2025-03-01",
                    "standard": {"province": "江苏"},
                    "disability_grades": [10],
                    "medical_amount": "25000.00",
                    "appraisal_fee_amount": "1500.00",
                    "split": {
                        "at_fault": True,
                        "liability_ratio": "major",
                        "commercial_limit": "1000000.00",
                    },
                },
                request_only=True,
            ),
        ],
    )
    def post(self, request):
        return calculate(InjuryCalculatorSerializer, calculations.injury, request)


def calculate(serializer_class, calculation: Callable, request) -> Response:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return Response(run(calculation, serializer.validated_data))
