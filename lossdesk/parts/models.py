"""The damage-data backend (定损数据): vehicle models and VIN rules, the parts catalogue with
prices by type and region, local price overrides and their audit, price queries, manual
quotes and catalogue imports.

Search goes through `PartName`, the dictionary of standard part names: the million parts of
a catalogue share a few thousand names, so a name fragment or a pinyin abbreviation is looked
up among the names (trigram-indexed) and the parts come by foreign key. See docs/parts.md."""

import re
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models

from lossdesk.core.models import AppendOnlyModel, AppendOnlyQuerySet
from lossdesk.org.scoping import ScopedQuerySet
from lossdesk.parts.choices import (
    NATIONWIDE,
    Category,
    FileFormat,
    IdentificationMethod,
    ImportStatus,
    ManualQuoteStatus,
    PaintType,
    PriceBand,
    PriceChangeAction,
    PriceQueryStatus,
    PriceType,
    Trade,
    price_band_for,
)
from lossdesk.parts.text import name_search_fields, normalize_oe

ZERO = Decimal("0.00")
MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(ZERO)]}


# ----------------------------------------------------------------------- vehicle models


class Make(models.Model):
    """A vehicle brand (品牌) and the WMI codes its vehicles carry."""

    name = models.CharField("品牌", max_length=50, unique=True)
    name_en = models.CharField("英文名", max_length=50, blank=True)
    manufacturer = models.CharField("主要厂商", max_length=100, blank=True)
    wmi_codes = models.CharField(
        "WMI",
        max_length=200,
        blank=True,
        validators=[RegexValidator(r"^([A-HJ-NPR-Z0-9]{3})(,[A-HJ-NPR-Z0-9]{3})*$")],
        help_text="VIN 前三位，多个用逗号分隔，如 LSV,LFV。",
    )

    class Meta:
        verbose_name = "品牌"
        verbose_name_plural = "品牌"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def wmi_list(self) -> list[str]:
        return [code for code in self.wmi_codes.split(",") if code]


class Series(models.Model):
    make = models.ForeignKey(Make, models.PROTECT, related_name="series", verbose_name="品牌")
    name = models.CharField("车系", max_length=50)
    name_en = models.CharField("英文名", max_length=50, blank=True)

    class Meta:
        verbose_name = "车系"
        verbose_name_plural = "车系"
        ordering = ["make__name", "name"]
        constraints = [models.UniqueConstraint(fields=["make", "name"], name="uniq_series_name")]

    def __str__(self) -> str:
        return f"{self.make.name} {self.name}"


class VehicleModel(models.Model):
    """One configuration of a series (车型): year, engine, body, trim, new-car price.
    `trim_level` orders the trims of a series (1 = base); a part that fits only a higher
    trim than the identified one is a 低配高选 case (parts.fitment)."""

    series = models.ForeignKey(Series, models.PROTECT, related_name="models", verbose_name="车系")
    code = models.CharField("车型代码", max_length=40, unique=True)
    name = models.CharField("车型名称", max_length=120)
    year = models.PositiveSmallIntegerField("年款")
    engine = models.CharField("发动机", max_length=30, blank=True)
    transmission = models.CharField("变速器", max_length=20, blank=True)
    body = models.CharField("车身", max_length=20, blank=True)
    trim = models.CharField("配置", max_length=30, blank=True)
    trim_level = models.PositiveSmallIntegerField("配置等级", default=1)
    new_car_price = models.DecimalField("新车购置价", **MONEY)
    price_band = models.CharField(
        "车型分级", max_length=8, choices=PriceBand.choices, editable=False
    )

    class Meta:
        verbose_name = "车型"
        verbose_name_plural = "车型"
        ordering = ["series__make__name", "series__name", "year", "trim_level", "code"]
        indexes = [models.Index(fields=["series", "year"])]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.price_band = price_band_for(self.new_car_price)
        super().save(*args, **kwargs)


class VinRule(models.Model):
    """WMI + VDS pattern (positions 4–8, `*` = any) + model-year range → a model."""

    wmi = models.CharField(
        "WMI", max_length=3, db_index=True, validators=[RegexValidator(r"^[A-HJ-NPR-Z0-9]{3}$")]
    )
    vds_pattern = models.CharField(
        "VDS 模式",
        max_length=5,
        validators=[RegexValidator(r"^[A-HJ-NPR-Z0-9*]{5}$")],
        help_text="VIN 第4–8位，* 表示任意字符。",
    )
    year_from = models.PositiveSmallIntegerField("起始年款")
    year_to = models.PositiveSmallIntegerField("截止年款")
    model = models.ForeignKey(
        VehicleModel, models.CASCADE, related_name="vin_rules", verbose_name="车型"
    )
    priority = models.SmallIntegerField("优先级", default=0)
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "VIN 规则"
        verbose_name_plural = "VIN 规则"
        ordering = ["wmi", "-priority", "vds_pattern"]

    def __str__(self) -> str:
        return f"{self.wmi}{self.vds_pattern} {self.year_from}–{self.year_to} → {self.model}"

    def vds_matches(self, vds: str) -> bool:
        return len(vds) == 5 and all(
            p in ("*", c) for p, c in zip(self.vds_pattern, vds, strict=True)
        )

    @property
    def specificity(self) -> int:
        return sum(1 for ch in self.vds_pattern if ch != "*")


class LabourReference(models.Model):
    """A labour-hour reference (工时参考) for one model class, trade and work item."""

    price_band = models.CharField("车型分级", max_length=8, choices=PriceBand.choices)
    trade = models.CharField("工种", max_length=12, choices=Trade.choices)
    item = models.CharField("作业项目", max_length=60)
    hours = models.DecimalField("工时", max_digits=6, decimal_places=2)
    hourly_rate = models.DecimalField("工时单价(元)", **MONEY)
    region = models.CharField("地区", max_length=20, default=NATIONWIDE)
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "工时参考"
        verbose_name_plural = "工时参考"
        ordering = ["price_band", "trade", "item"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_band", "trade", "item", "region"], name="uniq_labour_reference"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_price_band_display()} {self.item}"


class PaintReference(models.Model):
    """A paint price per panel (喷漆参考，元/幅) for one model class and paint type."""

    price_band = models.CharField("车型分级", max_length=8, choices=PriceBand.choices)
    panel = models.CharField("部位", max_length=40)
    paint_type = models.CharField("漆种", max_length=10, choices=PaintType.choices)
    price = models.DecimalField("单幅价格(元)", **MONEY)
    region = models.CharField("地区", max_length=20, default=NATIONWIDE)
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "喷漆参考"
        verbose_name_plural = "喷漆参考"
        ordering = ["price_band", "panel", "paint_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["price_band", "panel", "paint_type", "region"],
                name="uniq_paint_reference",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_price_band_display()} {self.panel} {self.get_paint_type_display()}"


# ------------------------------------------------------------------------- the catalogue


class PartName(models.Model):
    """A standard part name (标准名称) with its aliases and their pinyin: the search
    dictionary. `search_text`, `pinyin` and `initials` hold the name and every alias,
    space-separated with a leading space, so "% qbxg%" finds a word that starts with qbxg."""

    name = models.CharField("标准名称", max_length=100, unique=True)
    aliases = models.CharField("别名", max_length=300, blank=True, help_text="以空格分隔。")
    category = models.CharField(
        "类别", max_length=12, choices=Category.choices, default=Category.OTHER
    )
    search_text = models.CharField(max_length=410, editable=False)
    pinyin = models.CharField("全拼", max_length=1000, editable=False)
    initials = models.CharField("拼音首字母", max_length=420, editable=False)
    name_pinyin = models.CharField(max_length=400, editable=False)
    name_initials = models.CharField(max_length=100, editable=False)
    part_count = models.PositiveIntegerField("配件数", default=0, editable=False)

    class Meta:
        verbose_name = "标准名称"
        verbose_name_plural = "标准名称"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.aliases = " ".join(dict.fromkeys(a for a in self.aliases.split() if a != self.name))
        self.refresh_search_fields()
        super().save(*args, **kwargs)

    @property
    def alias_list(self) -> list[str]:
        return self.aliases.split()

    def refresh_search_fields(self) -> None:
        for field, value in name_search_fields(self.name, self.alias_list).items():
            setattr(self, field, value)


class Part(models.Model):
    """A catalogue part (配件): one OE number of one make."""

    # Both foreign keys are served by the composite indexes below (db_index=False saves two
    # indexes on a million rows).
    make = models.ForeignKey(
        Make, models.PROTECT, related_name="parts", verbose_name="品牌", db_index=False
    )
    standard_name = models.ForeignKey(
        PartName, models.PROTECT, related_name="parts", verbose_name="标准名称", db_index=False
    )
    name = models.CharField("配件名称", max_length=100)
    oe_number = models.CharField("OE号", max_length=40)
    oe_normalized = models.CharField("OE号（规范化）", max_length=40, db_index=True)
    category = models.CharField("类别", max_length=12, choices=Category.choices)
    unit = models.CharField("单位", max_length=6, default="件")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "配件"
        verbose_name_plural = "配件"
        ordering = ["make", "oe_normalized"]
        constraints = [
            models.UniqueConstraint(fields=["make", "oe_normalized"], name="uniq_part_make_oe")
        ]
        # the parts of a standard name, in the order the search lists them
        indexes = [
            models.Index(fields=["standard_name", "make", "oe_normalized"], name="part_name_order")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.oe_number}"

    def save(self, *args, **kwargs) -> None:
        self.oe_normalized = normalize_oe(self.oe_number)
        super().save(*args, **kwargs)


class PartFitment(models.Model):
    """A part fits a vehicle model; `note` says under which configuration (e.g. LED 大灯版).

    `standard_name` repeats the part's standard name so that a search restricted to a model
    reads only the fitments of the matching names from one index (model, name, part); it is
    set on save and kept in step when a part changes its name (parts.signals, imports)."""

    part = models.ForeignKey(Part, models.CASCADE, related_name="fitments", verbose_name="配件")
    model = models.ForeignKey(
        VehicleModel, models.CASCADE, related_name="fitments", verbose_name="车型", db_index=False
    )
    standard_name = models.ForeignKey(
        PartName, models.CASCADE, related_name="+", verbose_name="标准名称", db_index=False
    )
    note = models.CharField("适用说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "适用车型"
        verbose_name_plural = "适用车型"
        constraints = [
            models.UniqueConstraint(fields=["model", "part"], name="uniq_fitment_model_part")
        ]
        indexes = [
            models.Index(fields=["model", "standard_name", "part"], name="fitment_model_name")
        ]

    def __str__(self) -> str:
        return f"{self.part_id} → {self.model_id}"

    def save(self, *args, **kwargs) -> None:
        if self.standard_name_id is None and self.part_id is not None:
            self.standard_name_id = (
                self.part.standard_name_id
                if self.part.standard_name_id
                else Part.objects.values_list("standard_name_id", flat=True).get(pk=self.part_id)
            )
        super().save(*args, **kwargs)


class PartPrice(models.Model):
    """A catalogue price of one type in one region (a province or 全国) from a date."""

    part = models.ForeignKey(
        Part, models.CASCADE, related_name="prices", verbose_name="配件", db_index=False
    )
    price_type = models.CharField("价格类型", max_length=8, choices=PriceType.choices)
    region = models.CharField("地区", max_length=20, default=NATIONWIDE)
    price = models.DecimalField("价格", **MONEY)
    effective_from = models.DateField("生效日期")
    source = models.CharField("来源", max_length=100, blank=True)

    class Meta:
        verbose_name = "配件价格"
        verbose_name_plural = "配件价格"
        ordering = ["part", "price_type", "region", "-effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["part", "price_type", "region", "effective_from"],
                name="uniq_part_price",
            )
        ]

    def __str__(self) -> str:
        return f"{self.part_id} {self.price_type} {self.region} {self.price}"


class LocalPriceOverrideQuerySet(ScopedQuerySet):
    scope_owners = ("updated_by",)
    scope_permissions = {"view": "parts.view_localpriceoverride"}


class LocalPriceOverride(models.Model):
    """A branch's own price for a part (本地价), shown beside the catalogue price, never
    instead of it. Every change goes through parts.services and leaves a PriceChange."""

    branch = models.ForeignKey("org.Branch", models.PROTECT, related_name="+", verbose_name="机构")
    part = models.ForeignKey(Part, models.CASCADE, related_name="local_prices", verbose_name="配件")
    price_type = models.CharField("价格类型", max_length=8, choices=PriceType.choices)
    price = models.DecimalField("本地价", **MONEY)
    reason = models.CharField("原因", max_length=200)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="维护人"
    )
    updated_at = models.DateTimeField("维护时间", auto_now=True)

    objects = LocalPriceOverrideQuerySet.as_manager()

    class Meta:
        verbose_name = "本地价格"
        verbose_name_plural = "本地价格"
        ordering = ["branch", "part", "price_type"]
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "part", "price_type"], name="uniq_local_price"
            )
        ]

    def __str__(self) -> str:
        return f"{self.branch} {self.part_id} {self.price_type} {self.price}"


class PriceChangeQuerySet(AppendOnlyQuerySet, ScopedQuerySet):
    scope_owners = ("actor",)
    scope_permissions = {"view": "parts.view_pricechange"}


class PriceChange(AppendOnlyModel):
    """Audit of local prices: who changed which price, from what to what, why. Append-only."""

    branch = models.ForeignKey("org.Branch", models.PROTECT, related_name="+", verbose_name="机构")
    part = models.ForeignKey(Part, models.PROTECT, related_name="+", verbose_name="配件")
    price_type = models.CharField("价格类型", max_length=8, choices=PriceType.choices)
    action = models.CharField("操作", max_length=8, choices=PriceChangeAction.choices)
    old_price = models.DecimalField("原价", max_digits=12, decimal_places=2, null=True)
    new_price = models.DecimalField("新价", max_digits=12, decimal_places=2, null=True)
    catalogue_price = models.DecimalField(
        "目录价", max_digits=12, decimal_places=2, null=True, blank=True
    )
    reason = models.CharField("原因", max_length=200)
    manual_quote = models.ForeignKey(
        "ManualQuote",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="人工报价",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="操作人"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)

    objects = PriceChangeQuerySet.as_manager()

    class Meta:
        verbose_name = "本地价格变更记录"
        verbose_name_plural = "本地价格变更记录"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.branch_id} {self.part_id} {self.action}"


# ---------------------------------------------------------------- identification, queries


class VehicleIdentification(models.Model):
    """The model chosen for a vehicle loss item (车辆定型): the fitment check of its sheet
    lines compares against it."""

    loss_item = models.OneToOneField(
        "claims.LossItem", models.CASCADE, related_name="identification", verbose_name="损失标的"
    )
    vin = models.CharField("VIN", max_length=17, blank=True)
    vehicle_model = models.ForeignKey(
        VehicleModel, models.PROTECT, related_name="+", verbose_name="车型"
    )
    method = models.CharField("定型方式", max_length=8, choices=IdentificationMethod.choices)
    reason = models.CharField("依据", max_length=300, blank=True)
    identified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="定型人"
    )
    identified_at = models.DateTimeField("定型时间", auto_now=True)

    class Meta:
        verbose_name = "车辆定型"
        verbose_name_plural = "车辆定型"

    def __str__(self) -> str:
        return f"{self.loss_item_id} {self.vehicle_model}"


class PriceQueryQuerySet(ScopedQuerySet):
    scope_owners = ("created_by",)
    scope_permissions = {"view": "parts.view_pricequery"}

    def shown(self):
        """With what a query's page and the API show: the vehicle, the case, its author,
        the sheet it went into, and its branches with their parents (the price region)."""
        return self.select_related(
            "vehicle_model__series__make",
            "case",
            "created_by",
            "applied_sheet",
            "branch__parent",
            "price_branch__parent",
        )


class PriceQuery(models.Model):
    """A saved parts-price look-up (询价单) for a vehicle; it can become the lines of an
    assessment sheet (parts.services.do_apply_price_query)."""

    query_no = models.CharField("询价单号", max_length=24, unique=True, editable=False)
    # The author's branch: whose query it is (the scope rule reads it).
    branch = models.ForeignKey("org.Branch", models.PROTECT, related_name="+", verbose_name="机构")
    # Whose prices its lines carry (decision 0032): the case's price branch for a query of a
    # case, else the author's; empty on queries saved before, which were the author's.
    price_branch = models.ForeignKey(
        "org.Branch",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="价格地区机构",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="询价人"
    )
    vehicle_model = models.ForeignKey(
        VehicleModel, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="车型"
    )
    vin = models.CharField("VIN", max_length=17, blank=True)
    case = models.ForeignKey(
        "claims.Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="price_queries",
        verbose_name="案件",
    )
    loss_item = models.ForeignKey(
        "claims.LossItem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="price_queries",
        verbose_name="损失标的",
    )
    status = models.CharField(
        "状态", max_length=10, choices=PriceQueryStatus.choices, default=PriceQueryStatus.DRAFT
    )
    note = models.CharField("备注", max_length=200, blank=True)
    applied_sheet = models.ForeignKey(
        "motor.AssessmentSheet",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="生成的定损单",
    )
    applied_at = models.DateTimeField("生成时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PriceQueryQuerySet.as_manager()

    class Meta:
        verbose_name = "询价单"
        verbose_name_plural = "询价单"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.query_no

    @property
    def current_lines(self):
        return self.lines.filter(active=True)


class PriceQueryLine(models.Model):
    """One part of a price query with the price chosen and where it came from (a catalogue
    price, the branch's local price or a manual quote), frozen when the line was saved."""

    query = models.ForeignKey(
        PriceQuery, models.CASCADE, related_name="lines", verbose_name="询价单"
    )
    seq = models.PositiveSmallIntegerField("序号")
    part = models.ForeignKey(
        Part, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="配件"
    )
    name = models.CharField("配件名称", max_length=100)
    oe_number = models.CharField("OE号", max_length=40, blank=True)
    price_type = models.CharField("价格类型", max_length=8, choices=PriceType.choices)
    quantity = models.DecimalField(
        "数量", max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField("单价", max_digits=12, decimal_places=2, null=True, blank=True)
    catalogue_price = models.DecimalField(
        "目录价", max_digits=12, decimal_places=2, null=True, blank=True
    )
    source = models.CharField("价格来源", max_length=200, blank=True)
    catalogue_price_ref = models.ForeignKey(
        PartPrice, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    local_price_ref = models.ForeignKey(
        LocalPriceOverride, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    manual_quote = models.ForeignKey(
        "ManualQuote",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="query_lines",
        verbose_name="人工报价",
    )
    fitment_warning = models.CharField("适配提示", max_length=300, blank=True)
    # Re-saving a query supersedes its lines instead of deleting them, so the sheet lines
    # taken from the old version still point at this query when it is applied again.
    active = models.BooleanField("当前版本", default=True)

    class Meta:
        verbose_name = "询价明细"
        verbose_name_plural = "询价明细"
        ordering = ["query", "seq"]

    def __str__(self) -> str:
        return f"{self.query_id}#{self.seq} {self.name}"


class ManualQuoteQuerySet(ScopedQuerySet):
    scope_owners = ("requested_by",)
    scope_permissions = {"view": "parts.view_manualquote"}


class ManualQuote(models.Model):
    """A price asked of the price desk when the catalogue has none (人工报价)."""

    quote_no = models.CharField("报价单号", max_length=24, unique=True, editable=False)
    branch = models.ForeignKey("org.Branch", models.PROTECT, related_name="+", verbose_name="机构")
    part = models.ForeignKey(
        Part, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="配件"
    )
    part_name = models.CharField("配件名称", max_length=100)
    oe_number = models.CharField("OE号", max_length=40, blank=True)
    vehicle_model = models.ForeignKey(
        VehicleModel, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="车型"
    )
    vehicle_description = models.CharField("车辆描述", max_length=200, blank=True)
    vin = models.CharField("VIN", max_length=17, blank=True)
    case = models.ForeignKey(
        "claims.Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="manual_quotes",
        verbose_name="案件",
    )
    quantity = models.DecimalField("数量", max_digits=8, decimal_places=2, default=Decimal("1"))
    price_type = models.CharField(
        "价格类型", max_length=8, choices=PriceType.choices, default=PriceType.DEALER_4S
    )
    note = models.CharField("询价说明", max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="询价人"
    )
    requested_at = models.DateTimeField("询价时间", auto_now_add=True)
    deadline = models.DateTimeField("报价时限")
    status = models.CharField(
        "状态", max_length=10, choices=ManualQuoteStatus.choices, default=ManualQuoteStatus.OPEN
    )
    price = models.DecimalField("报价", max_digits=12, decimal_places=2, null=True, blank=True)
    source = models.CharField("价格来源", max_length=200, blank=True)
    answer_note = models.CharField("报价说明", max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="报价员",
    )
    answered_at = models.DateTimeField("报价时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="审批人",
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=500, blank=True)
    local_price = models.ForeignKey(
        LocalPriceOverride,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="入库本地价",
    )

    objects = ManualQuoteQuerySet.as_manager()

    class Meta:
        verbose_name = "人工报价"
        verbose_name_plural = "人工报价"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["status", "deadline"])]
        permissions = [
            ("answer_manualquote", "人工报价：报价"),
            ("approve_manualquote", "人工报价：审批入库"),
        ]

    def __str__(self) -> str:
        return self.quote_no


def quote_photo_path(instance: "ManualQuotePhoto", filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"parts/quotes/{instance.quote.quote_no}/{uuid.uuid4().hex}{suffix}"


class ManualQuotePhoto(models.Model):
    quote = models.ForeignKey(
        ManualQuote, models.CASCADE, related_name="photos", verbose_name="人工报价"
    )
    file = models.FileField("照片", upload_to=quote_photo_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    # Sniffed from the content (core.uploads); blank on photos stored before, which are
    # then served as a download of bytes.
    content_type = models.CharField("类型", max_length=100, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "询价照片"
        verbose_name_plural = "询价照片"
        ordering = ["quote", "id"]

    def __str__(self) -> str:
        return self.original_name


# ---------------------------------------------------------------------- catalogue imports


def import_path(instance: "CatalogueImport", filename: str) -> str:
    suffix = re.sub(r"[^a-z0-9.]", "", PurePath(filename).suffix.lower())[:10]
    return f"parts/imports/{uuid.uuid4().hex}{suffix}"


class CatalogueImportQuerySet(ScopedQuerySet):
    scope_owners = ("created_by",)
    scope_permissions = {"view": "parts.view_catalogueimport"}


class CatalogueImport(models.Model):
    """One upload of a catalogue file: validated in the background (preview and row errors),
    then imported in one transaction once confirmed."""

    file = models.FileField("文件", upload_to=import_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    file_format = models.CharField("格式", max_length=8, choices=FileFormat.choices)
    encoding = models.CharField("编码", max_length=20, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=ImportStatus.choices, default=ImportStatus.VALIDATING
    )
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    valid_rows = models.PositiveIntegerField("有效行数", default=0)
    rejected_rows = models.PositiveIntegerField("错误行数", default=0)
    created_parts = models.PositiveIntegerField("新增配件", default=0)
    updated_parts = models.PositiveIntegerField("更新配件", default=0)
    imported_prices = models.PositiveIntegerField("导入价格", default=0)
    row_errors = models.JSONField("行错误", default=list, blank=True)
    preview = models.JSONField("预览", default=list, blank=True)
    error_message = models.CharField("错误", max_length=500, blank=True)
    branch = models.ForeignKey("org.Branch", models.PROTECT, related_name="+", verbose_name="机构")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="上传人"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = CatalogueImportQuerySet.as_manager()

    class Meta:
        verbose_name = "目录导入"
        verbose_name_plural = "目录导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def imported_rows(self) -> int:
        return self.created_parts + self.updated_parts
