from django.db import models


class SmsStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    DELIVERED = "delivered", "已送达"


class Recipient(models.TextChoices):
    """Who the message goes to. Only customers' numbers are personal data to be masked;
    staff numbers (surveyors, other staff) are work numbers."""

    CUSTOMER = "customer", "客户"
    SURVEYOR = "surveyor", "查勘员"
    STAFF = "staff", "员工"


class DeliveryOutcome(models.TextChoices):
    SENT = "sent", "发送成功"
    FAILED = "failed", "发送失败"
    DELIVERED = "delivered", "送达回执"
    UNDELIVERED = "undelivered", "未送达回执"


class TemplateCode(models.TextChoices):
    """The events that send an SMS; each has a row in SmsTemplate (seeded by migration)."""

    DISPATCH_TO_SURVEYOR = "dispatch_to_surveyor", "调度通知查勘员"
    DISPATCH_TO_CUSTOMER = "dispatch_to_customer", "调度通知客户"
    CALLBACK_LINK = "callback_link", "回访评价链接"
