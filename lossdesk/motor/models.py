from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from lossdesk.claims.models import VersionedSheet
from lossdesk.core.limits import TEXT_MAX
from lossdesk.motor.choices import LineKind

ZERO = Decimal("0.00")


class AssessmentSheet(VersionedSheet):
    """The itemised assessment of one vehicle loss item (定损单). Totals are stored for
    lists and reports and recomputed from the lines by every save (motor.rules); its
    version moves with every save, all through do_save_assessment_sheet."""

    loss_item = models.OneToOneField(
        "claims.LossItem", models.CASCADE, related_name="sheet", verbose_name="损失标的"
    )
    sheet_no = models.CharField("定损单号", max_length=24, unique=True, editable=False)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="定损人"
    )
    repair_shop = models.ForeignKey(
        "org.RepairShop", models.PROTECT, null=True, blank=True, verbose_name="修理厂"
    )
    vehicle_model = models.CharField("车型", max_length=100, blank=True)
    remarks = models.TextField("定损说明", max_length=TEXT_MAX, blank=True)
    parts_total = models.DecimalField("换件金额", max_digits=14, decimal_places=2, default=ZERO)
    repair_total = models.DecimalField("修复金额", max_digits=14, decimal_places=2, default=ZERO)
    paint_total = models.DecimalField("喷漆金额", max_digits=14, decimal_places=2, default=ZERO)
    labour_total = models.DecimalField("工时金额", max_digits=14, decimal_places=2, default=ZERO)
    materials_total = models.DecimalField("辅料金额", max_digits=14, decimal_places=2, default=ZERO)
    sublet_total = models.DecimalField("外修金额", max_digits=14, decimal_places=2, default=ZERO)
    salvage_total = models.DecimalField("残值", max_digits=14, decimal_places=2, default=ZERO)
    total = models.DecimalField("定损合计", max_digits=14, decimal_places=2, default=ZERO)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "定损单"
        verbose_name_plural = "定损单"

    def __str__(self) -> str:
        return self.sheet_no

    @property
    def document_no(self) -> str:
        """The number claims shows for a loss item's assessment document."""
        return self.sheet_no


class AssessmentLine(models.Model):
    sheet = models.ForeignKey(
        AssessmentSheet, models.CASCADE, related_name="lines", verbose_name="定损单"
    )
    seq = models.PositiveSmallIntegerField("序号")
    kind = models.CharField("类别", max_length=10, choices=LineKind.choices)
    name = models.CharField("项目名称", max_length=100)
    part_no = models.CharField("配件编号(OE)", max_length=40, blank=True)
    quantity = models.DecimalField(
        "数量", max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField(
        "单价", max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    amount = models.DecimalField("金额", max_digits=14, decimal_places=2)
    salvage_value = models.DecimalField(
        "残值", max_digits=12, decimal_places=2, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    remarks = models.CharField("备注", max_length=200, blank=True)
    # Where the price came from (parts app): the catalogue part, the price type and a
    # readable source, the price-query line it was taken from, and the fitment check's flag
    # when the part does not fit the identified vehicle model (shown to the reviewer).
    part = models.ForeignKey(
        "parts.Part",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="目录配件",
    )
    price_type = models.CharField("价格类型", max_length=8, blank=True)
    price_source = models.CharField("价格来源", max_length=200, blank=True)
    price_query_line = models.ForeignKey(
        "parts.PriceQueryLine",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="sheet_lines",
        verbose_name="询价明细",
    )
    fitment_warning = models.CharField("适配提示", max_length=300, blank=True)

    class Meta:
        verbose_name = "定损项目"
        verbose_name_plural = "定损项目"
        ordering = ["sheet", "seq"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"
