"""Third-party property (三者物损): the survey of a property loss item, its assessment sheet
(物损定损单) and the negotiation with its owner (协商). Each hangs off one claims.LossItem of
kind "property"; the sheet's arithmetic is lossdesk.rules.property."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from lossdesk.claims.models import VersionedSheet
from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.property.choices import OfferParty, OwnerType, PropertyCategory, Treatment
from lossdesk.rules.money import fmt_pct
from lossdesk.rules.property import DEFAULT_FLOOR, DEPRECIATED

ZERO = Decimal("0.00")


class UsefulLife(models.Model):
    """A default useful life that pre-fills a sheet line (editable; seeded from
    rules.property.USEFUL_LIFE with its sources)."""

    key = models.SlugField("代码", max_length=40, unique=True)
    label = models.CharField("物品类别", max_length=60)
    years = models.DecimalField(
        "使用年限(年)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    source = models.CharField("依据", max_length=300, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "使用年限"
        verbose_name_plural = "使用年限表"
        ordering = ["label"]

    def __str__(self) -> str:
        return f"{self.label}（{self.years:g} 年）"


class DepreciationRule(models.Model):
    """The floor of the 成新率, dated: the firm's default (no client) or one client's, in
    force from `effective_from` until the next rule of the same client."""

    client = models.ForeignKey(
        "org.Client",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="委托方",
        help_text="不选为公司默认规则。",
    )
    effective_from = models.DateField("生效日期")
    floor = models.DecimalField(
        "成新率下限",
        max_digits=4,
        decimal_places=3,
        default=DEFAULT_FLOOR,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("1"))],
        help_text="如 0.10 表示 10%。",
    )
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "物损折旧规则"
        verbose_name_plural = "物损折旧规则"
        ordering = ["client", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "effective_from"], name="uniq_depreciation_rule_date"
            )
        ]

    def __str__(self) -> str:
        owner = self.client or "公司默认"
        return f"{owner} 自 {self.effective_from} 起：成新率下限 {self.floor:.0%}"


class PropertySurvey(models.Model):
    """What the surveyor found about one damaged property (物损查勘)."""

    loss_item = models.OneToOneField(
        "claims.LossItem", models.CASCADE, related_name="property_survey", verbose_name="损失标的"
    )
    category = models.CharField("物损类别", max_length=20, choices=PropertyCategory.choices)
    owner_type = models.CharField("物主类型", max_length=12, choices=OwnerType.choices)
    owner_name = models.CharField("物主", max_length=100)
    owner_phone = models.CharField("物主电话", max_length=20, blank=True)
    location = models.CharField("损失地点", max_length=200)
    description = models.TextField("损失情况", max_length=TEXT_MAX)
    surveyed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="查勘人"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "物损查勘"
        verbose_name_plural = "物损查勘"

    def __str__(self) -> str:
        return f"{self.loss_item} 物损查勘"


class PropertySheet(VersionedSheet):
    """The itemised assessment of one property loss item (物损定损单). The floor of the rule
    in force when it was saved is kept with it: the sheet and the PDF show what was used.
    Its version moves with every save, all through do_save_property_sheet."""

    loss_item = models.OneToOneField(
        "claims.LossItem", models.CASCADE, related_name="property_sheet", verbose_name="损失标的"
    )
    sheet_no = models.CharField("定损单号", max_length=24, unique=True, editable=False)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="定损人"
    )
    depreciation_floor = models.DecimalField("成新率下限", max_digits=4, decimal_places=3)
    depreciation_rule = models.CharField("折旧规则", max_length=300)
    remarks = models.TextField("定损说明", max_length=TEXT_MAX, blank=True)
    amounts_total = models.DecimalField("金额合计", max_digits=14, decimal_places=2, default=ZERO)
    salvage_total = models.DecimalField("残值合计", max_digits=14, decimal_places=2, default=ZERO)
    total = models.DecimalField("定损合计", max_digits=14, decimal_places=2, default=ZERO)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "物损定损单"
        verbose_name_plural = "物损定损单"

    def __str__(self) -> str:
        return self.sheet_no

    @property
    def document_no(self) -> str:
        return self.sheet_no


class PropertySheetLine(models.Model):
    sheet = models.ForeignKey(
        PropertySheet, models.CASCADE, related_name="lines", verbose_name="物损定损单"
    )
    seq = models.PositiveSmallIntegerField("序号")
    treatment = models.CharField("处理方式", max_length=12, choices=Treatment.choices)
    name = models.CharField("项目名称", max_length=100)
    specification = models.CharField("规格型号", max_length=100, blank=True)
    unit = models.CharField("单位", max_length=10, blank=True)
    quantity = models.DecimalField("数量", max_digits=8, decimal_places=2)
    unit_price = models.DecimalField("单价", max_digits=12, decimal_places=2)
    purchase_date = models.DateField("购置日期", null=True, blank=True)
    months_used = models.PositiveIntegerField("已使用月数", null=True, blank=True)
    useful_life_years = models.DecimalField(
        "使用年限(年)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    # 成新率 as the rule computed it (exact up to 10 places; 1 for lines not depreciated).
    depreciation_rate = models.DecimalField("成新率", max_digits=12, decimal_places=10)
    floored = models.BooleanField("按下限", default=False)
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2)
    salvage_value = models.DecimalField("残值", max_digits=12, decimal_places=2, default=ZERO)
    remarks = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "物损定损项目"
        verbose_name_plural = "物损定损项目"
        ordering = ["sheet", "seq"]

    def __str__(self) -> str:
        return f"{self.get_treatment_display()} {self.name}"

    @property
    def rate_label(self) -> str:
        """成新率 as a percentage to two decimals ("62.5%", "92.71%"), marked at the floor;
        a dash for the treatments that do not depreciate."""
        if self.treatment not in DEPRECIATED:
            return "—"
        text = fmt_pct(self.depreciation_rate.quantize(Decimal("0.0001")))
        return f"{text}（下限）" if self.floored else text


class Negotiation(models.Model):
    """The negotiation with the property's owner (协商): what they claim, what was agreed
    and the signed agreement (协议书, an attachment of the loss item)."""

    loss_item = models.OneToOneField(
        "claims.LossItem", models.CASCADE, related_name="negotiation", verbose_name="损失标的"
    )
    claimed_amount = models.DecimalField(
        "索赔金额", max_digits=14, decimal_places=2, null=True, blank=True
    )
    agreed_amount = models.DecimalField(
        "协商金额", max_digits=14, decimal_places=2, null=True, blank=True
    )
    agreed_on = models.DateField("协议日期", null=True, blank=True)
    # When the agreed amount was recorded (cycle time from report to agreement).
    agreed_at = models.DateTimeField("协商达成时间", null=True, blank=True, editable=False)
    above_assessed_reason = models.CharField("高于定损金额的原因", max_length=NOTE_MAX, blank=True)
    agreement = models.ForeignKey(
        "claims.Attachment",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="协议书",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="记录人"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "物损协商"
        verbose_name_plural = "物损协商"

    def __str__(self) -> str:
        return f"{self.loss_item} 协商"


class Offer(models.Model):
    """One offer or counter-offer in a negotiation: when, by which party, who spoke."""

    negotiation = models.ForeignKey(
        Negotiation, models.CASCADE, related_name="offers", verbose_name="协商"
    )
    offered_on = models.DateField("日期")
    party = models.CharField("提出方", max_length=10, choices=OfferParty.choices)
    speaker = models.CharField("发言人", max_length=50)
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2)
    note = models.CharField("说明", max_length=NOTE_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="记录人"
    )
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "协商报价"
        verbose_name_plural = "协商报价"
        ordering = ["negotiation", "offered_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_party_display()} {self.amount}"
