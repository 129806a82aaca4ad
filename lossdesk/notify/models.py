from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from lossdesk.core.limits import NOTE_MAX
from lossdesk.core.masking import mask_phone, reveal
from lossdesk.notify import rendering
from lossdesk.notify.backends import backend_label
from lossdesk.notify.choices import DeliveryOutcome, Recipient, SmsStatus
from lossdesk.notify.permissions import VIEW_SMS
from lossdesk.org.scoping import ScopedQuerySet


class SmsTemplate(models.Model):
    """The text sent for one event (调度通知、回访链接…), editable by the system admin.
    `variables` lists what the event supplies; the body may use only those."""

    code = models.SlugField("模板代码", max_length=50, unique=True)
    name = models.CharField("名称", max_length=50)
    body = models.TextField(
        "短信内容",
        max_length=NOTE_MAX,
        help_text="变量写作 {变量名}，只能使用「可用变量」中列出的变量。",
    )
    variables = models.CharField(
        "可用变量", max_length=200, help_text="本事件提供的变量，逗号分隔。"
    )
    active = models.BooleanField("启用", default=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "短信模板"
        verbose_name_plural = "短信模板"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    @property
    def variable_names(self) -> list[str]:
        return [v.strip() for v in self.variables.split(",") if v.strip()]

    def clean(self) -> None:
        try:
            used = rendering.placeholders(self.body or "")
        except rendering.TemplateSyntaxError as exc:
            raise ValidationError({"body": str(exc)}) from None
        unknown = [name for name in used if name not in self.variable_names]
        if unknown:
            raise ValidationError(
                {"body": f"未知变量：{'、'.join(unknown)}（可用：{self.variables}）。"}
            )


class SmsMessageQuerySet(ScopedQuerySet):
    """The outbox visibility: a message about a case is visible with the case
    (`Case.objects.for_user`, so delegated cases follow the case rules); one without a case
    belongs to the branch it was sent from and, for scope own, to the person who sent it."""

    scope_owners = ("created_by",)
    scope_permissions = {"view": VIEW_SMS}

    def scope_q(self, user) -> Q:
        from lossdesk.claims.models import Case

        cases = Case.objects.for_user(user).values("pk")
        return Q(case__in=cases) | (Q(case__isnull=True) & super().scope_q(user))


class SmsMessage(models.Model):
    """One outbound SMS (短信发件箱): rendered when queued, delivered by a background task
    after the sending transaction commits, retried with a growing delay.

    Variables in SECRET_PARAMS carry a token (the callback link): nobody in the office sees
    them, and once the message is sent only a redacted form is kept."""

    SECRET_PARAMS = ("url",)

    phone = models.CharField("手机号", max_length=20)
    recipient = models.CharField("接收人", max_length=10, choices=Recipient.choices)
    template = models.ForeignKey(
        SmsTemplate, models.PROTECT, related_name="messages", verbose_name="模板"
    )
    body = models.TextField("短信内容")
    params = models.JSONField("模板变量", default=dict, blank=True)
    case = models.ForeignKey(
        "claims.Case",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="sms_messages",
        verbose_name="案件",
    )
    branch = models.ForeignKey(
        "org.Branch",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="发送机构",
        db_index=False,  # leads the (branch, -created_at) index
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="触发人",
    )
    status = models.CharField(
        "状态", max_length=10, choices=SmsStatus.choices, default=SmsStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    backend = models.CharField("发送通道", max_length=100, blank=True)
    provider_message_id = models.CharField("回执编号", max_length=100, blank=True)
    error = models.CharField("最近错误", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True, db_index=True)
    next_attempt_at = models.DateTimeField("下次发送时间", null=True, blank=True)
    last_attempt_at = models.DateTimeField("最近发送时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送成功时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    failed_at = models.DateTimeField("失败时间", null=True, blank=True)

    objects = SmsMessageQuerySet.as_manager()

    class Meta:
        verbose_name = "短信"
        verbose_name_plural = "短信"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["branch", "-created_at"]),
            models.Index(fields=["provider_message_id"]),  # delivery receipts (exact match)
        ]
        permissions = [("resend_smsmessage", "重新发送短信")]

    def __str__(self) -> str:
        return f"{self.template.code} → {mask_phone(self.phone)}"

    @property
    def segments(self) -> int:
        return rendering.segments(self.body)

    @property
    def backend_label(self) -> str:
        return backend_label(self.backend)

    def phone_for(self, user) -> str:
        """The recipient's number as `user` may see it: customers' numbers masked without
        org.view_pii; staff numbers are work numbers and shown in full."""
        if self.recipient != Recipient.CUSTOMER:
            return self.phone
        return reveal(user, self.phone, masked=mask_phone(self.phone), **self._subject("phone"))

    def redacted_body(self) -> str:
        body = self.body
        for name in self.SECRET_PARAMS:
            value = str(self.params.get(name) or "")
            if value:
                body = body.replace(value, rendering.redact_link(value))
        return body

    def redact(self) -> None:
        """Forget the secrets of a sent message (the customer has the link now)."""
        self.body = self.redacted_body()
        self.params = {
            name: rendering.redact_link(value) if name in self.SECRET_PARAMS and value else value
            for name, value in self.params.items()
        }

    def body_for(self, user) -> str:
        """The text as `user` may see it: links with a token redacted for everybody, and
        without org.view_pii every mobile number masked (a surveyor's SMS carries the
        customer's number)."""
        body = self.redacted_body()
        return reveal(user, body, masked=rendering.mask_mobiles(body), **self._subject("body"))

    def _subject(self, field: str) -> dict:
        """Whose data a shown message reveals, for the access record."""
        return {
            "field": f"sms.{field}",
            "case_no": self.case.case_no if self.case_id else "",
            "person": self.get_recipient_display(),
        }


class SmsDeliveryLog(models.Model):
    """One send attempt or delivery receipt of a message. Append-only."""

    message = models.ForeignKey(
        SmsMessage, models.CASCADE, related_name="delivery_logs", verbose_name="短信"
    )
    attempt = models.PositiveSmallIntegerField("第几次")
    outcome = models.CharField("结果", max_length=12, choices=DeliveryOutcome.choices)
    backend = models.CharField("发送通道", max_length=100)
    provider_message_id = models.CharField("回执编号", max_length=100, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    response = models.JSONField("通道应答", default=dict, blank=True)
    duration_ms = models.PositiveIntegerField("耗时（毫秒）", default=0)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "短信发送记录"
        verbose_name_plural = "短信发送记录"
        ordering = ["message", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} #{self.attempt} {self.outcome}"

    @property
    def backend_label(self) -> str:
        return backend_label(self.backend)
