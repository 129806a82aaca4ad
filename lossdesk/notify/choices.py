from enum import StrEnum

from django.db import models

from lossdesk.core.statemachine import StateMachine


class SmsStatus(models.TextChoices):
    QUEUED = "queued", "待发送"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    DELIVERED = "delivered", "已送达"


class SmsAction(StrEnum):
    SEND = "send"
    RETRY = "retry"
    GIVE_UP = "give_up"
    DELIVER = "deliver"
    UNDELIVER = "undeliver"
    RESEND = "resend"


# A queued message is tried until it is sent or its attempts run out; the provider's receipt
# settles a sent one; staff queue a failed one again.
SMS_STATES = StateMachine(
    "短信",
    SmsStatus,
    {
        SmsAction.SEND: ({SmsStatus.QUEUED}, SmsStatus.SENT),
        SmsAction.RETRY: ({SmsStatus.QUEUED}, None),
        SmsAction.GIVE_UP: ({SmsStatus.QUEUED}, SmsStatus.FAILED),
        SmsAction.DELIVER: ({SmsStatus.SENT}, SmsStatus.DELIVERED),
        SmsAction.UNDELIVER: ({SmsStatus.SENT}, SmsStatus.FAILED),
        SmsAction.RESEND: ({SmsStatus.FAILED}, SmsStatus.QUEUED),
    },
    {
        SmsAction.SEND: "发送",
        SmsAction.RETRY: "稍后重试",
        SmsAction.GIVE_UP: "停止重试",
        SmsAction.DELIVER: "送达回执",
        SmsAction.UNDELIVER: "未送达回执",
        SmsAction.RESEND: "重新发送",
    },
)


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
    DEADLINE_REMINDER = "deadline_reminder", "案件时限到期提醒"
    DEADLINE_ESCALATION = "deadline_escalation", "案件超时升级"
