"""Risk alerts (业务风险预警): a rule of the registry (`alert_rules`) that fired on a case,
with the inputs it saw and a sentence explaining it, then worked to a decision. The rules'
parameters are data (`AlertRuleSetting`), edited by the administrator and checked by the
rule when saved."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from lossdesk.core.limits import NOTE_MAX
from lossdesk.quality.choices import AlertStatus


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
