"""Risk alerts (业务风险预警): a rule of the registry (`alert_rules`) that fired on a case,
with the inputs it saw and a sentence explaining it, then worked to a decision. The rules'
parameters are data (`AlertRuleSetting`), edited by the administrator and checked by the
rule when saved."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from lossdesk.core.limits import NOTE_MAX
from lossdesk.quality.choices import (
    AlertStatus,
    DeadlineStage,
    DeadlineStatus,
    DeadlineUnit,
    NoticeKind,
)
from lossdesk.rules.working_time import Duration, Unit


class AlertRuleSetting(models.Model):
    """A rule's parameters and whether it runs; a rule without a row runs on its defaults."""

    rule = models.CharField("规则", max_length=40, unique=True)
    enabled = models.BooleanField("启用", default=True)
    params = models.JSONField("参数", default=dict, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "预警规则参数"
        verbose_name_plural = "预警规则参数"
        ordering = ["rule"]

    def __str__(self) -> str:
        return self.rule

    def clean(self) -> None:
        from lossdesk.quality.alert_rules import RULES, RuleParamError

        rule = RULES.get(self.rule)
        if rule is None:
            raise ValidationError({"rule": f"没有规则 {self.rule}。"})
        try:
            self.params = rule.parameters(self.params)
        except RuleParamError as exc:
            raise ValidationError({"params": f"{exc.name}：{exc.message}"}) from None


class Alert(models.Model):
    case = models.ForeignKey(
        "claims.Case", models.CASCADE, related_name="alerts", verbose_name="案件"
    )
    rule = models.CharField("规则", max_length=40)
    rule_version = models.PositiveSmallIntegerField("规则版本")
    inputs = models.JSONField("依据")
    explanation = models.CharField("说明", max_length=NOTE_MAX)
    status = models.CharField(
        "状态", max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    reason = models.CharField("处理意见", max_length=NOTE_MAX, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("预警时间", auto_now_add=True)

    class Meta:
        verbose_name = "风险预警"
        verbose_name_plural = "风险预警"
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)
        permissions = [("resolve_alert", "处理风险预警")]
        constraints = [
            # Evaluating twice makes no second alert of a rule's version on a case.
            models.UniqueConstraint(
                fields=["case", "rule", "rule_version"], name="uniq_alert_per_rule_version"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.rule} v{self.rule_version}"

    @property
    def rule_title(self) -> str:
        from lossdesk.quality.alert_rules import RULES

        rule = RULES.get(self.rule)
        return rule.title if rule else self.rule


# Case monitoring (案件监控): deadlines per stage as data, the holiday table, each case's
# deadlines and the reminders and escalations sent about them (docs/quality.md).

DUE_SOON = timedelta(hours=1)  # "due within the hour" on the board and in the API
DEADLINE_LIMITS = {  # the longest deadline a rule may set, per unit
    DeadlineUnit.MINUTES: 7 * 24 * 60,
    DeadlineUnit.HOURS: 30 * 24,
    DeadlineUnit.WORKING_DAYS: 60,
}


class CalendarDay(models.Model):
    """A day the administrator declares a working day or a day off, over the published
    calendar (chinese-calendar): corrections, and the years it does not cover yet."""

    day = models.DateField("日期", unique=True)
    working = models.BooleanField("上班", help_text="勾选为工作日（调休上班），不勾选为放假。")
    name = models.CharField("说明", max_length=50, blank=True, help_text="如：2027年春节")

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day} {'上班' if self.working else '放假'}"


class DeadlineRule(models.Model):
    """How long a stage may take (时限设置): for a client or all, a loss line or all, a
    branch or all (arrival deadlines differ by area); the most specific rule applies."""

    stage = models.CharField("环节", max_length=12, choices=DeadlineStage.choices)
    client = models.ForeignKey(
        "org.Client",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="委托方",
        help_text="空为所有委托方。",
    )
    line = models.CharField(
        "险种线", max_length=20, blank=True, help_text="motor / property / injury，空为所有。"
    )
    branch = models.ForeignKey(
        "org.Branch",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="承办机构",
        help_text="空为所有机构（如市区、郊县机构的到达时限不同）。",
    )
    amount = models.PositiveIntegerField("时限")
    unit = models.CharField("单位", max_length=12, choices=DeadlineUnit.choices)
    office_hours = models.BooleanField(
        "按工作时间计", default=False, help_text="分钟、小时只计工作日的办公时间。"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "时限设置"
        verbose_name_plural = "时限设置"
        ordering = ["stage", "client", "line", "branch"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.duration}"

    @property
    def duration(self) -> Duration:
        return Duration(self.amount, Unit(self.unit), self.office_hours)

    def clean(self) -> None:
        from lossdesk.claims import registry

        errors = {}
        lines = {line.name for line in registry.loss_lines()}
        if self.line and self.line not in lines:
            errors["line"] = f"没有险种线 {self.line}（可选：{'、'.join(sorted(lines))}）。"
        limit = DEADLINE_LIMITS.get(self.unit)
        if limit is not None and not 1 <= (self.amount or 0) <= limit:
            errors["amount"] = f"时限须在 1 到 {limit} {DeadlineUnit(self.unit).label}之间。"
        if self.office_hours and self.unit == DeadlineUnit.WORKING_DAYS:
            errors["office_hours"] = "工作日本身按工作时间计，无需勾选。"
        same = DeadlineRule.objects.filter(
            stage=self.stage, client=self.client, line=self.line, branch=self.branch
        ).exclude(pk=self.pk)
        if self.stage and same.exists():
            errors["stage"] = "同一委托方、险种线和机构的该环节已有时限设置。"
        if errors:
            raise ValidationError(errors)


class CaseDeadlineQuerySet(models.QuerySet):
    def for_user(self, user) -> "CaseDeadlineQuerySet":
        from lossdesk.claims.models import Case

        return self.filter(case__in=Case.objects.for_user(user).values("pk"))

    def open(self) -> "CaseDeadlineQuerySet":
        return self.filter(met_at__isnull=True)

    def with_status(self, now) -> "CaseDeadlineQuerySet":
        return self.annotate(status=status_expression(now))


def status_expression(now) -> models.Case:
    """DeadlineStatus of a deadline row at `now`, as SQL."""
    return models.Case(
        models.When(met_at__gt=models.F("due_at"), then=models.Value(DeadlineStatus.MET_LATE)),
        models.When(met_at__isnull=False, then=models.Value(DeadlineStatus.MET)),
        models.When(due_at__lt=now, then=models.Value(DeadlineStatus.OVERDUE)),
        models.When(due_at__lt=now + DUE_SOON, then=models.Value(DeadlineStatus.DUE_SOON)),
        default=models.Value(DeadlineStatus.ON_TIME),
        output_field=models.CharField(),
    )


class CaseDeadline(models.Model):
    """A stage of a case against its deadline, kept up to date from the case's records when
    they change (quality.deadlines) so the board is a plain aggregate."""

    case = models.ForeignKey(
        "claims.Case", models.CASCADE, related_name="deadlines", verbose_name="案件"
    )
    stage = models.CharField("环节", max_length=12, choices=DeadlineStage.choices)
    # The request a documents deadline is about (one deadline per request).
    document_request = models.OneToOneField(
        "claims.DocumentRequest",
        models.CASCADE,
        null=True,
        blank=True,
        related_name="deadline",
        verbose_name="资料补充",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="责任人",
    )
    rule = models.ForeignKey(
        DeadlineRule,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="时限设置",
    )
    allowed = models.CharField("时限", max_length=50)
    started_at = models.DateTimeField("开始时间")
    due_at = models.DateTimeField("到期时间")
    met_at = models.DateTimeField("完成时间", null=True, blank=True)
    remind_at = models.DateTimeField("提醒时间")
    reminded_at = models.DateTimeField("已提醒", null=True, blank=True)
    escalated_at = models.DateTimeField("已升级", null=True, blank=True)

    objects = CaseDeadlineQuerySet.as_manager()

    class Meta:
        verbose_name = "案件时限"
        verbose_name_plural = "案件时限"
        ordering = ["due_at", "pk"]
        default_permissions = ("view",)
        permissions = [("receive_escalation", "接收超时升级通知")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "stage"],
                condition=models.Q(document_request__isnull=True),
                name="uniq_case_deadline_per_stage",
            )
        ]
        indexes = [
            # The board and the job look only at deadlines not met yet.
            models.Index(
                fields=["due_at"], condition=models.Q(met_at__isnull=True), name="deadline_open_due"
            ),
            models.Index(fields=["stage", "started_at"], name="deadline_stage_started"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.get_stage_display()}"

    def status_at(self, now) -> str:
        if self.met_at is not None:
            return DeadlineStatus.MET_LATE if self.met_at > self.due_at else DeadlineStatus.MET
        if self.due_at < now:
            return DeadlineStatus.OVERDUE
        return DeadlineStatus.DUE_SOON if self.due_at < now + DUE_SOON else DeadlineStatus.ON_TIME


class DeadlineNotice(models.Model):
    """An in-app notice (站内提醒) about a deadline: the reminder to the person responsible
    before it, the escalation to the branch's supervisors after it. At most one of each kind
    per deadline and recipient, however often the job runs."""

    deadline = models.ForeignKey(
        CaseDeadline, models.CASCADE, related_name="notices", verbose_name="案件时限"
    )
    kind = models.CharField("类型", max_length=12, choices=NoticeKind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="+", verbose_name="接收人"
    )
    message = models.CharField("内容", max_length=NOTE_MAX)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    class Meta:
        verbose_name = "时限提醒"
        verbose_name_plural = "时限提醒"
        ordering = ["-created_at", "-pk"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "kind", "recipient"], name="uniq_deadline_notice"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.deadline}"


# Staff quality (品质管理): its models live in quality/staff/models.py.
from lossdesk.quality.staff.models import (  # noqa: E402, F401
    Award,
    Complaint,
    ConductEvaluation,
    Consequence,
    MisconductEvidence,
    MisconductItem,
    MisconductRecord,
    PointThreshold,
    QualityEvent,
    WhistleblowerReport,
)
