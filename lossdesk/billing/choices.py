"""The billing app's choices, on the rules' enums so a page, the API and the arithmetic
share one list."""

from django.db import models

from lossdesk.rules.commissions import CommissionRole
from lossdesk.rules.fees import LINE_LABELS, MODE_LABELS, FeeLine, FeeMode


class FeeLineChoices(models.TextChoices):
    """The line a fee contract is made for: the claims loss lines (motor, property, injury)."""

    MOTOR = FeeLine.motor.value, LINE_LABELS[FeeLine.motor]
    PROPERTY = FeeLine.property.value, LINE_LABELS[FeeLine.property]
    INJURY = FeeLine.injury.value, LINE_LABELS[FeeLine.injury]


class FeeModeChoices(models.TextChoices):
    PERCENTAGE = FeeMode.percentage.value, MODE_LABELS[FeeMode.percentage]
    PROGRESSIVE = FeeMode.progressive.value, MODE_LABELS[FeeMode.progressive]
    FLAT_BRACKET = FeeMode.flat_bracket.value, MODE_LABELS[FeeMode.flat_bracket]
    PER_CASE = FeeMode.per_case.value, MODE_LABELS[FeeMode.per_case]


class FeeComponentChoices(models.TextChoices):
    BASE = "base", "基本费"
    PER_ITEM = "per_item", "标的费"
    DISTANCE = "distance", "远程查勘费"
    NIGHT = "night", "夜间/节假日加收"
    RESCUE = "rescue", "救援协调费"
    RESURVEY = "resurvey", "复勘费"
    CANCELLATION = "cancellation", "注销费"


class FeeTrigger(models.TextChoices):
    """What made a case's fee computed: the adjusting report or the cancellation."""

    REPORT_ISSUED = "report_issued", "出具公估报告"
    CANCELLED = "cancelled", "案件注销"


class AdjustmentStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REFUSED = "refused", "已驳回"


class AdjustmentDecision(models.TextChoices):
    APPROVE = "approve", "批准"
    REFUSE = "refuse", "驳回"


class StatementStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SENT = "sent", "已发送"
    CONFIRMED = "confirmed", "已确认"
    DISPUTED = "disputed", "有异议"
    VOIDED = "voided", "已作废"


class StatementAction(models.TextChoices):
    """A status change of a statement (its API action and page button)."""

    SEND = "send", "发送委托方"
    CONFIRM = "confirm", "委托方确认"
    DISPUTE = "dispute", "委托方有异议"
    VOID = "void", "作废"


class ReconciliationCategory(models.TextChoices):
    MATCHED = "matched", "一致"
    AMOUNT_DIFFERS = "amount_differs", "金额不符"
    ONLY_OURS = "only_ours", "仅我方有"
    ONLY_THEIRS = "only_theirs", "仅委托方有"


class CommissionRoleChoices(models.TextChoices):
    """The role a person had on a case, which picks the commission rule (rules.commissions)."""

    SURVEYOR = CommissionRole.surveyor.value, "查勘员"
    ASSESSOR = CommissionRole.assessor.value, "定损员"
    REVIEWER = CommissionRole.reviewer.value, "审核员"
    DISPATCHER = CommissionRole.dispatcher.value, "调度员"


class CommissionRunStatus(models.TextChoices):
    """draft → approved (the month locks); a draft re-run is superseded by the fresh run."""

    DRAFT = "draft", "待审批"
    APPROVED = "approved", "已审批"
    SUPERSEDED = "superseded", "已重算作废"
