"""Forms of the calculator pages. They parse what was typed into numbers, dates and lists;
the rules package (through `calc.calculations`) checks everything else, exactly as for the
API, and its errors are put back on the field they name."""

from decimal import Decimal

from django import forms

from lossdesk.calc.choices import (
    AddonKindChoices,
    InjuryOutcomeChoices,
    LiabilityLevelChoices,
    LossKindChoices,
    VehicleClassChoices,
    VehicleUseChoices,
)
from lossdesk.calc.models import CompensationStandard
from lossdesk.core.money_fields import AmountFormField

ZERO = Decimal(0)
ONE = Decimal(1)
CUSTOM_RATIO = "custom"


def money(label: str, required: bool = False, help_text: str = "") -> AmountFormField:
    return AmountFormField(label=label, required=required, help_text=help_text)


def ratio(label: str, help_text: str = "", **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=ZERO,
        max_value=ONE,
        max_digits=7,
        decimal_places=6,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        **kwargs,
    )


def count(label: str, minimum: int = 0, maximum: int = 36500, **kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=minimum, max_value=maximum, **kwargs
    )


def date_field(label: str, required: bool = False, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class RateListField(forms.CharField):
    """ "0.05, 0.10" → [Decimal("0.05"), Decimal("0.10")], each between 0 and 1."""

    def __init__(self, *, max_length: int = 100, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_python(self, value):
        text = super().to_python(value)
        rates = []
        for part in text.replace("，", ",").replace("、", ",").split(","):
            part = part.strip().rstrip("%")
            if not part:
                continue
            try:
                rate = Decimal(part)
            except ArithmeticError:
                raise forms.ValidationError(f"“{part}”不是数字。") from None
            if not rate.is_finite() or not ZERO <= rate <= ONE:
                raise forms.ValidationError("每个比例须在 0 到 1 之间（如 0.05 表示 5%）。")
            rates.append(rate)
        return rates


class VinForm(forms.Form):
    vin = forms.CharField(
        label="VIN（车架号）",
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
        help_text="17 位，不含 I、O、Q；大小写均可。",
    )


class ActualValueForm(forms.Form):
    new_price = money("新车购置价（元）", required=True)
    vehicle_class = forms.ChoiceField(label="车辆种类", choices=VehicleClassChoices.choices)
    use = forms.ChoiceField(label="使用性质", choices=VehicleUseChoices.choices)
    months = count("已使用月数", maximum=1200, help_text="或不填，改填初次登记日期与出险日期。")
    first_registration = date_field("初次登记日期")
    accident_date = date_field("出险日期", help_text="按当日有效的折旧系数表计算；不填按今天。")
    repair_cost = money("修复费用", help_text="填写后同时做推定全损测试。")
    salvage_value = money("残值")
    sum_insured = money("保险金额")

    def to_data(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v is not None}


class CtplForm(forms.Form):
    accident_date = date_field("出险日期", required=True, help_text="按当日有效的交强险限额表。")
    no_fault_proxy = forms.BooleanField(label="适用无责代赔", required=False)


class CtplVehicleForm(forms.Form):
    id = forms.CharField(label="车辆标识", max_length=30, help_text="如 A、B 或车牌号。")
    at_fault = forms.BooleanField(label="有责", required=False)


class CtplLossForm(forms.Form):
    victim = forms.CharField(label="受害方", max_length=50)
    kind = forms.ChoiceField(label="损失类别", choices=[("", "—"), *LossKindChoices.choices])
    amount = money("核定损失金额", required=True)
    vehicle_id = forms.CharField(label="所乘车辆", max_length=30, required=False)


CtplVehicleFormSet = forms.formset_factory(CtplVehicleForm, extra=4, max_num=30)
CtplLossFormSet = forms.formset_factory(CtplLossForm, extra=6, max_num=100)


def liability_field() -> forms.ChoiceField:
    """事故责任 by level (with its default ratio) or "按下方比例" with a typed ratio."""
    return forms.ChoiceField(
        label="事故责任",
        required=False,
        choices=[
            ("", "—"),
            *(
                (value, f"{label}（默认 {pct}）")
                for (value, label), pct in zip(
                    LiabilityLevelChoices.choices, ("100%", "70%", "50%", "30%", "0"), strict=True
                )
            ),
            (CUSTOM_RATIO, "按下方比例"),
        ],
    )


def liability_value(level: str | None, ratio: Decimal | None) -> str | Decimal | None:
    """The level's name, or the typed ratio when "按下方比例" (or nothing) is chosen."""
    return level if level and level != CUSTOM_RATIO else ratio


class CommercialForm(forms.Form):
    tp_assessed_loss = money("核定的第三者损失")
    tp_ctpl_item_limits = money(
        "交强险分项赔偿限额之和", help_text="应扣除的交强险分项限额（限额，不是实赔额）。"
    )
    tp_liability = liability_field()
    tp_liability_ratio = ratio("责任比例", help_text="0 到 1，如 0.6；选“按下方比例”时使用。")
    tp_policy_limit = money("每次事故赔偿限额")
    tp_liability_deductible_rate = ratio("事故责任免赔率", help_text="不填按 0。")
    tp_absolute_deductible_rates = RateListField(
        label="绝对免赔率", required=False, help_text="多项用逗号分隔，如 0.05, 0.10。"
    )
    od_sum_insured = money("保险金额")
    od_repair_cost = money("实际修复费用", help_text="部分损失必填。")
    od_total_loss = forms.BooleanField(label="全部损失（含推定全损）", required=False)
    od_actual_value = money("出险时实际价值", help_text="全损时与保险金额取低者。")
    od_recovered_from_third_party = money("已从第三方获得的赔偿")
    od_liability_deductible_rate = ratio("事故责任免赔率", help_text="不填按 0。")
    od_absolute_deductible_rates = RateListField(
        label="绝对免赔率", required=False, help_text="多项用逗号分隔。"
    )
    od_absolute_deductible_amount = money("绝对免赔额")
    od_salvage = money("残值")

    def part(self, prefix: str) -> dict | None:
        """The cleaned fields of one section without their prefix; None when it is empty."""
        values = {
            name.removeprefix(prefix): value
            for name, value in self.cleaned_data.items()
            if name.startswith(prefix) and not _is_empty(value)
        }
        return values or None

    def to_data(self) -> dict:
        data: dict = {}
        third_party = self.part("tp_")
        if third_party is not None:
            level = third_party.pop("liability", None)
            ratio = liability_value(level, third_party.get("liability_ratio"))
            if ratio is not None:
                third_party["liability_ratio"] = ratio
            data["third_party"] = third_party
        own_damage = self.part("od_")
        if own_damage is not None:
            data["own_damage"] = own_damage
        return data


def _is_empty(value) -> bool:
    # Not `value in (None, "", [], False)`: Decimal("0") == False would count as empty.
    return value is None or value is False or (isinstance(value, str | list) and not value)


class StandardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return (
            f"{obj.province} {obj.region} {obj.data_year}年数据（{obj.effective_from:%Y-%m-%d} 起）"
        )


class InjuryForm(forms.Form):
    TABLE, INLINE = "table", "inline"

    age = forms.IntegerField(label="年龄", min_value=0, max_value=150, help_text="定残或死亡时。")
    outcome = forms.ChoiceField(label="后果", choices=InjuryOutcomeChoices.choices)
    standard_mode = forms.ChoiceField(
        label="赔偿标准",
        choices=[(TABLE, "按省份年度选用"), (INLINE, "直接填写数值")],
        initial=TABLE,
        widget=forms.RadioSelect,
    )
    standard = StandardChoiceField(
        label="省份 · 地区 · 统计年度",
        queryset=CompensationStandard.objects.order_by("province", "-data_year", "region"),
        required=False,
        empty_label="— 请选择 —",
    )
    std_urban_disposable_income = money("城镇居民人均可支配收入")
    std_urban_consumption = money("城镇居民人均消费支出")
    std_average_wage = money("职工年平均工资", help_text="丧葬费基数（年额）。")
    std_label = forms.CharField(label="标准说明", max_length=100, required=False)
    disability_grades = forms.CharField(
        label="伤残等级",
        required=False,
        max_length=60,
        help_text="1（最重）到 10；多处伤残用逗号分隔，如 9,10,10。",
    )
    medical_amount = money("医疗费")
    lost_income_days = count("误工天数")
    daily_income = money("误工日收入")
    annual_income = money("误工年收入", help_text="按 ÷365 折算日收入；与日收入只填一项。")
    lost_income_amount = money("误工实际损失", help_text="已证明的实际损失，填写后优先采用。")
    nursing_days = count("护理天数")
    nursing_daily_rate = money("护理日费用")
    nursing_carers = count("护理人数", minimum=1, maximum=10, initial=1)
    transport_amount = money("交通费")
    hospital_days = count("住院天数")
    hospital_food_daily = money("住院伙食补助标准（元/天）")
    nutrition_days = count("营养期天数")
    nutrition_daily = money("营养费标准（元/天）")
    assistive_devices_amount = money("残疾辅助器具费")
    mental_distress_amount = money("精神损害抚慰金")
    appraisal_fee_amount = money("鉴定费")
    addon_kind = forms.ChoiceField(
        label="多处伤残附加规则",
        choices=AddonKindChoices.choices,
        initial=AddonKindChoices.TENTH_OF_GRADE,
        required=False,
    )
    addon_fixed_rate = ratio("每处固定附加比例", help_text="如 0.05。")
    addon_grade_table = forms.CharField(
        label="附加指数表",
        required=False,
        max_length=200,
        help_text="等级:比例，如 2-5:0.10, 6-10:0.05。",
    )
    addon_extras_cap = ratio("附加合计上限", help_text="不填按默认 0.10（10%）。")

    ADDON_FIELDS = ("addon_kind", "addon_fixed_rate", "addon_grade_table", "addon_extras_cap")
    ITEM_FIELDS = (
        "medical_amount",
        "lost_income_days",
        "daily_income",
        "annual_income",
        "lost_income_amount",
        "nursing_days",
        "nursing_daily_rate",
        "nursing_carers",
        "transport_amount",
        "hospital_days",
        "hospital_food_daily",
        "nutrition_days",
        "nutrition_daily",
        "assistive_devices_amount",
        "mental_distress_amount",
        "appraisal_fee_amount",
    )

    def clean_disability_grades(self) -> list[int]:
        text = self.cleaned_data["disability_grades"]
        grades = []
        for part in text.replace("，", ",").replace("、", ",").replace(" ", ",").split(","):
            part = part.strip().removesuffix("级")
            if not part:
                continue
            if not part.isdigit() or not 1 <= int(part) <= 10:
                raise forms.ValidationError("伤残等级须为 1 到 10 的整数，多处用逗号分隔。")
            grades.append(int(part))
        return grades

    def clean_addon_grade_table(self) -> dict[str, Decimal]:
        text = self.cleaned_data["addon_grade_table"]
        table: dict[str, Decimal] = {}
        for part in text.replace("，", ",").split(","):
            if not part.strip():
                continue
            grades, _, value = part.partition(":")
            low, _, high = grades.strip().partition("-")
            try:
                rate = Decimal(value.strip())
                first, last = int(low), int(high or low)
            except (ArithmeticError, ValueError):
                raise forms.ValidationError("格式为 等级:比例，如 2-5:0.10, 6-10:0.05。") from None
            if not (1 <= first <= last <= 10) or not rate.is_finite() or not ZERO <= rate <= ONE:
                raise forms.ValidationError("等级须在 1 到 10 之间，比例须在 0 到 1 之间。")
            for grade in range(first, last + 1):
                table[str(grade)] = rate
        return table

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("standard_mode")
        if mode == self.TABLE and not cleaned.get("standard"):
            self.add_error("standard", "请选择赔偿标准，或改为直接填写数值。")
        if mode == self.INLINE and cleaned.get("std_urban_disposable_income") is None:
            self.add_error("std_urban_disposable_income", "直接填写标准时必填。")
        return cleaned

    def to_data(self, dependants: list[dict]) -> dict:
        c = self.cleaned_data
        data: dict = {"outcome": c["outcome"]}
        if "age" in self.fields:  # the injury page takes the age from the ID number
            data["age"] = c["age"]
        if c["standard_mode"] == self.TABLE:
            row = c["standard"]
            data["standard"] = {
                "province": row.province,
                "year": row.data_year,
                "region": row.region,
            }
        else:
            data["standard"] = {
                "urban_disposable_income": c["std_urban_disposable_income"],
                "urban_consumption": c["std_urban_consumption"],
                "average_wage": c["std_average_wage"],
                "label": c["std_label"] or "页面填写的标准",
            }
        if c["disability_grades"]:
            data["disability_grades"] = c["disability_grades"]
        if dependants:
            data["dependants"] = dependants
        data.update({name: c[name] for name in self.ITEM_FIELDS if c.get(name) is not None})
        default_kind = AddonKindChoices.TENTH_OF_GRADE.value
        if (c["addon_kind"] or default_kind) != default_kind or any(
            c[name] not in (None, {}) for name in self.ADDON_FIELDS[1:]
        ):
            rule: dict = {"kind": c["addon_kind"] or default_kind}
            if c["addon_fixed_rate"] is not None:
                rule["fixed_rate"] = c["addon_fixed_rate"]
            if c["addon_grade_table"]:
                rule["grade_table"] = c["addon_grade_table"]
            if c["addon_extras_cap"] is not None:
                rule["extras_cap"] = c["addon_extras_cap"]
            data["addon_rule"] = rule
        return data


class DependantForm(forms.Form):
    age = forms.IntegerField(label="年龄", min_value=0, max_value=150)
    supporters = forms.IntegerField(
        label="扶养人数",
        min_value=1,
        max_value=50,
        initial=1,
        required=False,
        help_text="含受害人；不填按 1。",
    )
    unable_to_work = forms.BooleanField(label="丧失劳动能力且无其他生活来源", required=False)

    def has_changed(self) -> bool:
        # A row is blank until an age or the checkbox is filled: the pre-filled "1 supporter"
        # (or clearing it) alone does not make a dependant.
        return bool({"age", "unable_to_work"} & set(self.changed_data))


DependantFormSet = forms.formset_factory(DependantForm, extra=3, max_num=20)


class InjurySplitForm(forms.Form):
    """The calculator page's accident date and CTPL / 三者险 split inputs, beside (not in)
    `InjuryForm`, which the injury line's page reuses with these taken from the case.
    Rendered with the prefix "split"."""

    AT_FAULT, NOT_AT_FAULT = "at_fault", "not_at_fault"

    accident_date = date_field(
        "出险日期",
        help_text="按表选用的赔偿标准须在当日适用；计算交强险与三者险分摊时必填。",
    )
    at_fault = forms.ChoiceField(
        label="本车交强险",
        required=False,
        choices=[("", "— 不计算分摊 —"), (AT_FAULT, "有责"), (NOT_AT_FAULT, "无责")],
        help_text="选择后按出险日期的交强险分项限额计算分摊。",
    )
    own_occupant = forms.BooleanField(
        label="受害人为本车驾驶人或乘车人", required=False, help_text="交强险与三者险均不赔付。"
    )
    liability = liability_field()
    liability_ratio = ratio("责任比例", help_text="0 到 1，如 0.6；选“按下方比例”时使用。")
    commercial_limit = money("三者险每次事故赔偿限额", help_text="不填不设上限。")
    liability_deductible_rate = ratio("事故责任免赔率", help_text="不填按 0。")
    absolute_deductible_rates = RateListField(
        label="绝对免赔率", required=False, help_text="多项用逗号分隔，如 0.05, 0.10。"
    )
    SPLIT_FIELDS = (
        "own_occupant",
        "liability",
        "liability_ratio",
        "commercial_limit",
        "liability_deductible_rate",
        "absolute_deductible_rates",
    )

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("prefix", "split")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("at_fault") and any(
            not _is_empty(cleaned.get(name)) for name in self.SPLIT_FIELDS
        ):
            self.add_error("at_fault", "计算分摊请选择本车交强险有责或无责。")
        return cleaned

    def to_data(self) -> dict:
        """`accident_date` and `split` as the API body has them (absent when not given)."""
        c = self.cleaned_data
        data: dict = {}
        if c["accident_date"] is not None:
            data["accident_date"] = c["accident_date"]
        if not c["at_fault"]:
            return data
        split: dict = {
            "at_fault": c["at_fault"] == self.AT_FAULT,
            "third_party": not c["own_occupant"],
        }
        ratio = liability_value(c["liability"], c["liability_ratio"])
        if ratio is not None:
            split["liability_ratio"] = ratio
        for name in (
            "commercial_limit",
            "liability_deductible_rate",
            "absolute_deductible_rates",
        ):
            if not _is_empty(c[name]):
                split[name] = c[name]
        data["split"] = split
        return data
