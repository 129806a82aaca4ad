from django.db import models


class Severity(models.TextChoices):
    """How grave an item is; each item's point range follows its scale (扣1–3, 3–8, 5–10分)."""

    MINOR = "minor", "一般"
    SERIOUS = "serious", "较重"
    GRAVE = "grave", "严重"


class MisconductStatus(models.TextChoices):
    REGISTERED = "registered", "已登记"
    REPLIED = "replied", "已答复"
    APPEALED = "appealed", "申诉中"
    UPHELD = "upheld", "维持"
    REDUCED = "reduced", "减分"
    CANCELLED = "cancelled", "撤销"
    FINAL = "final", "已生效"


class AppealDecision(models.TextChoices):
    """What the committee member makes of an appeal (the entry's status after)."""

    UPHELD = MisconductStatus.UPHELD.value, "维持原扣分"
    REDUCED = MisconductStatus.REDUCED.value, "减少扣分"
    CANCELLED = MisconductStatus.CANCELLED.value, "撤销登记"


class ConsequenceSubject(models.TextChoices):
    PERSON = "person", "本人"
    SUPERVISOR = "supervisor", "直接主管"


class ConductResult(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    QUALIFIED = "qualified", "合格"
    BASIC = "basic", "基本合格"
    UNQUALIFIED = "unqualified", "不合格"


class ComplaintSource(models.TextChoices):
    CUSTOMER = "customer", "客户"
    INSURER = "insurer", "保险公司"


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", "已受理"
    SUBSTANTIATED = "substantiated", "投诉属实"
    UNSUBSTANTIATED = "unsubstantiated", "投诉不属实"


class ComplaintConclusion(models.TextChoices):
    SUBSTANTIATED = ComplaintStatus.SUBSTANTIATED.value, "属实"
    UNSUBSTANTIATED = ComplaintStatus.UNSUBSTANTIATED.value, "不属实"


class ReportStatus(models.TextChoices):
    RECEIVED = "received", "已受理"
    REWARDED = "rewarded", "查实并奖励"
    VERIFIED = "verified", "查实不奖励"
    UNFOUNDED = "unfounded", "查无实据"


class CreditKind(models.TextChoices):
    AWARD = "award", "奖励"
    VIOLATION = "violation", "违规"
    COMPLAINT = "complaint", "投诉"
