"""Enumerations of the parts catalogue (定损数据)."""

from decimal import Decimal
from enum import StrEnum

from django.db import models

from lossdesk.core.statemachine import StateMachine

NATIONWIDE = "全国"


class Category(models.TextChoices):
    BODY = "body", "车身覆盖件"
    LAMPS = "lamps", "灯具"
    GLASS = "glass", "玻璃"
    MECHANICAL = "mechanical", "机械件"
    ELECTRICAL = "electrical", "电器件"
    INTERIOR = "interior", "内饰件"
    CHASSIS = "chassis", "底盘件"
    COOLING = "cooling", "冷却系统"
    OTHER = "other", "其他"


class PriceType(models.TextChoices):
    """Parts-price types (RULES.md §6.2): 4S/OEM > market > brand > remanufactured."""

    DEALER_4S = "4s", "4S店价（原厂）"
    MARKET = "market", "市场价（原厂件）"
    BRAND = "brand", "品牌件价"
    REMANUFACTURED = "reman", "再制造件价"


# The order used when a price type is asked for but missing: the next cheaper one is never
# offered silently, so this is only the display order.
PRICE_TYPE_ORDER = [t.value for t in PriceType]


class PriceBand(models.TextChoices):
    """Model class by new-car price (RULES.md §6.1): each band has its own labour table."""

    UNDER_6 = "lt6", "6万以下"
    FROM_6_TO_15 = "6to15", "6–15万"
    FROM_15_TO_30 = "15to30", "15–30万"
    FROM_30_TO_60 = "30to60", "30–60万"
    OVER_60 = "gt60", "60万以上"


PRICE_BAND_LIMITS = [
    (Decimal("60000"), PriceBand.UNDER_6),
    (Decimal("150000"), PriceBand.FROM_6_TO_15),
    (Decimal("300000"), PriceBand.FROM_15_TO_30),
    (Decimal("600000"), PriceBand.FROM_30_TO_60),
]


def price_band_for(new_car_price: Decimal | None) -> str:
    if new_car_price is None:
        return ""
    for limit, band in PRICE_BAND_LIMITS:
        if new_car_price < limit:
            return band
    return PriceBand.OVER_60


class Trade(models.TextChoices):
    """Labour trades (工种)."""

    PANEL = "panel", "钣金"
    MECHANICAL = "mechanical", "机修"
    ELECTRICAL = "electrical", "电工"
    PAINT = "paint", "喷漆"


class PaintType(models.TextChoices):
    PLAIN = "plain", "素色漆"
    METALLIC = "metallic", "金属漆"
    PEARL = "pearl", "珍珠漆"


class IdentificationMethod(models.TextChoices):
    VIN = "vin", "VIN 识别"
    MANUAL = "manual", "手工选择"


class PriceQueryStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    APPLIED = "applied", "已生成定损单"


class QueryAction(StrEnum):
    APPLY = "apply"


# Applying again replaces the lines an earlier application took from the query.
PRICE_QUERY_STATES = StateMachine(
    "询价单",
    PriceQueryStatus,
    {
        QueryAction.APPLY: (
            {PriceQueryStatus.DRAFT, PriceQueryStatus.APPLIED},
            PriceQueryStatus.APPLIED,
        )
    },
    {QueryAction.APPLY: "生成定损单"},
)


class ManualQuoteStatus(models.TextChoices):
    OPEN = "open", "待报价"
    ANSWERED = "answered", "已报价"
    APPROVED = "approved", "已审批入库"
    REJECTED = "rejected", "已驳回"


class QuoteAction(StrEnum):
    ANSWER = "answer"
    APPROVE = "approve"
    REJECT = "reject"


# The price desk answers (and may correct its answer) until a second person decides.
MANUAL_QUOTE_STATES = StateMachine(
    "报价单",
    ManualQuoteStatus,
    {
        QuoteAction.ANSWER: (
            {ManualQuoteStatus.OPEN, ManualQuoteStatus.ANSWERED},
            ManualQuoteStatus.ANSWERED,
        ),
        QuoteAction.APPROVE: ({ManualQuoteStatus.ANSWERED}, ManualQuoteStatus.APPROVED),
        QuoteAction.REJECT: ({ManualQuoteStatus.ANSWERED}, ManualQuoteStatus.REJECTED),
    },
    {QuoteAction.ANSWER: "报价", QuoteAction.APPROVE: "审批入库", QuoteAction.REJECT: "驳回"},
)


class PriceChangeAction(models.TextChoices):
    SET = "set", "新增本地价"
    UPDATE = "update", "修改本地价"
    REMOVE = "remove", "删除本地价"


class ImportStatus(models.TextChoices):
    VALIDATING = "validating", "校验中"
    PREVIEWED = "previewed", "待确认"
    IMPORTING = "importing", "导入中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class ImportAction(StrEnum):
    PREVIEW = "preview"
    CONFIRM = "confirm"
    FINISH = "finish"
    FAIL = "fail"
    CANCEL = "cancel"


# A catalogue import is checked in the background (validating) into a preview; the user
# confirms or cancels it, and the background writer finishes it; either background step
# fails it (the import writes all or nothing).
CATALOGUE_IMPORT_STATES = StateMachine(
    "目录导入",
    ImportStatus,
    {
        ImportAction.PREVIEW: ({ImportStatus.VALIDATING}, ImportStatus.PREVIEWED),
        ImportAction.CONFIRM: ({ImportStatus.PREVIEWED}, ImportStatus.IMPORTING),
        ImportAction.FINISH: ({ImportStatus.IMPORTING}, ImportStatus.DONE),
        ImportAction.FAIL: ({ImportStatus.VALIDATING, ImportStatus.IMPORTING}, ImportStatus.FAILED),
        ImportAction.CANCEL: (
            {ImportStatus.VALIDATING, ImportStatus.PREVIEWED},
            ImportStatus.CANCELLED,
        ),
    },
    {
        ImportAction.PREVIEW: "生成预览",
        ImportAction.CONFIRM: "确认导入",
        ImportAction.FINISH: "完成导入",
        ImportAction.FAIL: "导入失败",
        ImportAction.CANCEL: "取消导入",
    },
)


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "Excel (XLSX)"
