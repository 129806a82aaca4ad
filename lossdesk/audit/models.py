"""Personal-data access records (个人信息访问记录): one row per response (or background job)
and per case or person whose phone, ID number or medical data was shown in full. Append-only;
only `purge_expired` removes rows, and only those older than the retention."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from lossdesk.audit.choices import AccessAction
from lossdesk.audit.conf import retention
from lossdesk.core.models import AppendOnlyModel, AppendOnlyQuerySet


class PiiAccessQuerySet(AppendOnlyQuerySet):
    def expired(self, now=None):
        return self.filter(at__lt=(now or timezone.now()) - retention())

    def purge_expired(self, now=None) -> int:
        """Delete the records older than the retention; never a younger one."""
        deleted, _ = models.QuerySet.delete(self.expired(now))
        return deleted


class PiiAccess(AppendOnlyModel):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="访问人"
    )
    at = models.DateTimeField("时间", default=timezone.now)
    # Text, not a key: the record outlives and sits below the case kernel.
    case_no = models.CharField("案件号", max_length=20, blank=True)
    person = models.CharField("个人", max_length=100, blank=True)
    action = models.CharField(
        "方式", max_length=10, choices=AccessAction.choices, default=AccessAction.SHOWN
    )
    fields = models.JSONField("字段", default=list)
    source = models.CharField(
        "来源", max_length=200, help_text="页面或接口的路由名，或后台任务名。"
    )
    path = models.CharField("路径", max_length=300, blank=True)
    ip = models.GenericIPAddressField("客户端 IP", null=True, blank=True)

    objects = PiiAccessQuerySet.as_manager()

    class Meta:
        verbose_name = "个人信息访问记录"
        verbose_name_plural = "个人信息访问记录"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["at"]),
            models.Index(fields=["case_no", "at"]),
            models.Index(fields=["user", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.case_no or self.person} {','.join(self.fields)}"
