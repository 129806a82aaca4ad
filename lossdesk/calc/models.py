"""Standards data the calculations read: dated, sourced and editable by administrators.

Each table is seeded from the rules package (migration 0002) and converted back into the
package's dataclasses by `calc.standards`; the calculations never read constants in code."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from lossdesk.calc.choices import VehicleClassChoices, VehicleUseChoices
from lossdesk.rules.standards import GENERAL_REGION

NOT_NEGATIVE = MinValueValidator(Decimal("0"))
AT_MOST_ONE = MaxValueValidator(Decimal("1"))
_VIN_CHARS = "A-HJ-NPR-Z0-9"


def _money(label: str, **extra) -> models.DecimalField:
    return models.DecimalField(
        label, max_digits=12, decimal_places=2, validators=[NOT_NEGATIVE], **extra
    )


class WmiEntry(models.Model):
    """世界制造厂识别代号 → manufacturer and country (RULES.md §5.4 plus our additions)."""

    wmi = models.CharField(
        "WMI",
        max_length=6,
        unique=True,
        validators=[
            RegexValidator(
                rf"^[{_VIN_CHARS}]{{3}}$|^[{_VIN_CHARS}]{{2}}9[{_VIN_CHARS}]{{3}}$",
                "WMI 为 3 位（数字和除 I、O、Q 以外的字母）；小厂（第3位为 9）可填 6 位："
                "WMI + VIN 第12–14位。",
            )
        ],
        help_text="VIN 前 3 位；小厂（第3位为 9）可填 6 位：WMI + VIN 第12–14位。",
    )
    manufacturer = models.CharField("制造厂（英文）", max_length=100)
    manufacturer_zh = models.CharField("制造厂（中文）", max_length=100, blank=True)
    country = models.CharField(
        "国家/地区", max_length=50, blank=True, help_text="留空时按 VIN 前两位推断。"
    )
    source = models.CharField("来源", max_length=300, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)

    class Meta:
        verbose_name = "WMI 制造厂代码"
        verbose_name_plural = "WMI 制造厂代码"
        ordering = ["wmi"]

    def __str__(self) -> str:
        return f"{self.wmi} {self.manufacturer_zh or self.manufacturer}"

    def save(self, *args, **kwargs) -> None:
        self.wmi = (self.wmi or "").strip().upper()
        super().save(*args, **kwargs)

    def clean_fields(self, exclude=None) -> None:
        self.wmi = (self.wmi or "").strip().upper()
        super().clean_fields(exclude)


class DepreciationTable(models.Model):
    """A table of monthly depreciation rates in force from a date (RULES.md §2.5)."""

    effective_from = models.DateField("生效日期", unique=True)
    name = models.CharField("名称", max_length=100)
    cap = models.DecimalField(
        "折旧上限",
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.8000"),
        validators=[NOT_NEGATIVE, AT_MOST_ONE],
        help_text="折旧金额不超过新车购置价的该比例，如 0.8000 = 80%。",
    )
    source = models.CharField("来源", max_length=300, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)

    class Meta:
        verbose_name = "折旧系数表"
        verbose_name_plural = "折旧系数表"
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.name}（{self.effective_from}起）"


class DepreciationRate(models.Model):
    """One cell of a depreciation table; a missing (class, use) pair is a "/" cell."""

    table = models.ForeignKey(
        DepreciationTable, models.CASCADE, related_name="rates", verbose_name="折旧系数表"
    )
    vehicle_class = models.CharField("车辆种类", max_length=30, choices=VehicleClassChoices)
    use = models.CharField("使用性质", max_length=30, choices=VehicleUseChoices)
    monthly_rate = models.DecimalField(
        "月折旧系数",
        max_digits=6,
        decimal_places=4,
        validators=[NOT_NEGATIVE, MaxValueValidator(Decimal("0.1"))],
        help_text="如 0.0060 = 每月 0.6%。",
    )
    source = models.CharField("来源", max_length=300, blank=True)

    class Meta:
        verbose_name = "月折旧系数"
        verbose_name_plural = "月折旧系数"
        ordering = ["table", "vehicle_class", "use"]
        constraints = [
            models.UniqueConstraint(
                fields=["table", "vehicle_class", "use"], name="uniq_depreciation_rate_cell"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_vehicle_class_display()} · {self.get_use_display()} {self.monthly_rate}"


class CtplLimitTable(models.Model):
    """交强险责任限额 in force for accidents from a date (RULES.md §1.1)."""

    effective_from = models.DateField("适用于此日起的事故", unique=True)
    name = models.CharField("名称", max_length=100)
    at_fault_death_disability = _money("有责·死亡伤残")
    at_fault_medical = _money("有责·医疗费用")
    at_fault_property = _money("有责·财产损失")
    not_at_fault_death_disability = _money("无责·死亡伤残")
    not_at_fault_medical = _money("无责·医疗费用")
    not_at_fault_property = _money("无责·财产损失")
    source = models.CharField("来源", max_length=300, blank=True)
    note = models.CharField("备注", max_length=300, blank=True)

    class Meta:
        verbose_name = "交强险责任限额表"
        verbose_name_plural = "交强险责任限额表"
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return self.name


class CompensationStandard(models.Model):
    """赔偿标准: one province's (or region's) statistics of one year, with their source.

    `data_year` is the statistical year; a case heard in year N normally uses year N − 1
    (法释〔2022〕14号 art. 22). `average_wage` is annual; the funeral allowance is half of it.

    A row applies to accidents from `effective_from` (usually 1 January of `data_year` + 1)
    to `effective_to`, or, when that is empty, until the next row of the same province and
    region starts (`rules.standards.periods`). Two rows of one province and region may not
    both be in force on a day (`clean`)."""

    province = models.CharField("省份", max_length=20)
    region = models.CharField(
        "地区",
        max_length=30,
        default=GENERAL_REGION,
        help_text="单列标准的城市（如 宁波、深圳）；其余为“一般地区”。",
    )
    data_year = models.PositiveSmallIntegerField(
        "统计年度",
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
        help_text="数据所属的统计年度（通常适用于次年审理的案件）。",
    )
    urban_disposable_income = _money("城镇居民人均可支配收入")
    urban_consumption = _money("城镇居民人均消费支出", null=True, blank=True)
    average_wage = _money(
        "职工年平均工资", null=True, blank=True, help_text="丧葬费基数（年额，丧葬费为其一半）。"
    )
    wage_label = models.CharField(
        "工资口径", max_length=100, blank=True, help_text="如 城镇非私营单位在岗职工平均工资。"
    )
    wage_year = models.PositiveSmallIntegerField("工资统计年度", null=True, blank=True)
    effective_from = models.DateField(
        "适用于此日起的事故",
        help_text="通常为统计年度次年的 1 月 1 日；以法院通知为准。",
    )
    effective_to = models.DateField(
        "适用至（含）",
        null=True,
        blank=True,
        help_text="留空：适用至同省份同地区下一条标准生效的前一天。",
    )
    source = models.CharField("来源", max_length=300)
    note = models.CharField("备注", max_length=300, blank=True)

    class Meta:
        verbose_name = "人身损害赔偿标准"
        verbose_name_plural = "人身损害赔偿标准"
        ordering = ["province", "-data_year", "region"]
        constraints = [
            models.UniqueConstraint(
                fields=["province", "region", "data_year"], name="uniq_compensation_standard"
            ),
            models.UniqueConstraint(
                fields=["province", "region", "effective_from"],
                name="uniq_compensation_standard_from",
                violation_error_message="同一省份、地区已有从该日起适用的标准。",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="compensation_standard_period",
                violation_error_message="适用至日期不能早于生效日期。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province} {self.region} {self.data_year}年数据"

    def clean(self) -> None:
        if self.average_wage is None and self.wage_label:
            raise ValidationError({"wage_label": "未填职工平均工资时不填工资口径。"})
        if self.effective_from is None or not self.province:
            return
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValidationError({"effective_to": "适用至日期不能早于生效日期。"})
        others = CompensationStandard.objects.filter(
            province=self.province, region=self.region
        ).exclude(pk=self.pk)
        for other in others:
            if other.effective_from < self.effective_from and (
                other.effective_to is not None and other.effective_to >= self.effective_from
            ):
                raise ValidationError(
                    {
                        "effective_from": f"与 {other}（适用至 {other.effective_to}）重叠："
                        "须晚于其适用至日期，或先缩短那一条。"
                    }
                )
            if (
                other.effective_from > self.effective_from
                and self.effective_to is not None
                and self.effective_to >= other.effective_from
            ):
                raise ValidationError(
                    {
                        "effective_to": f"与 {other}（{other.effective_from} 起）重叠："
                        "须早于其生效日期，或留空（自动适用至其生效前一天）。"
                    }
                )
