"""Staff quality records. The point scale (items with their ranges) and the thresholds are
dated data the system administrator edits; everything else is written by `staff.services`."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from lossdesk.core.limits import NOTE_MAX, TEXT_MAX
from lossdesk.core.models import AppendOnlyModel, AppendOnlyQuerySet
from lossdesk.org.scoping import ScopedQuerySet
from lossdesk.quality.staff.choices import (
    ComplaintSource,
    ComplaintStatus,
    ConductResult,
    ConsequenceSubject,
    MisconductStatus,
    ReportStatus,
    Severity,
)

MAX_POINTS = 100  # the widest range an item may give


def post_choices() -> list[tuple[str, str]]:
    """The standard positions that do the firm's work (the administrators have no items)."""
    from lossdesk.org.positions import ADMIN_POSITIONS, STANDARD_POSITIONS

    return [(c, v[0]) for c, v in STANDARD_POSITIONS.items() if c not in ADMIN_POSITIONS]


class DatedQuerySet(models.QuerySet):
    def in_effect(self, day):
        return self.filter(effective_from__lte=day).filter(
            models.Q(effective_to__isnull=True) | models.Q(effective_to__gte=day)
        )


class Dated(models.Model):
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("失效日期", null=True, blank=True, help_text="空为长期有效。")

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True

    def dated_errors(self) -> dict:
        if self.effective_to and self.effective_from and self.effective_to < self.effective_from:
            return {"effective_to": "失效日期不能早于生效日期。"}
        return {}


class MisconductItem(Dated):
    """One kind of misconduct of a post (违规展业项目) with its point range; the registrar
    picks the points inside the range."""

    post = models.CharField("岗位", max_length=40, choices=post_choices)
    code = models.CharField("代码", max_length=40)
    title = models.CharField("违规项目", max_length=200)
    severity = models.CharField("情节", max_length=10, choices=Severity.choices)
    min_points = models.PositiveSmallIntegerField("最低扣分")
    max_points = models.PositiveSmallIntegerField("最高扣分")

    class Meta:
        verbose_name = "违规项目与扣分标准"
        verbose_name_plural = "违规项目与扣分标准"
        ordering = ["post", "severity", "code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "effective_from"], name="uniq_item_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_post_display()}·{self.title}（扣{self.min_points}–{self.max_points}分）"

    def clean(self) -> None:
        errors = self.dated_errors()
        low, high = self.min_points or 0, self.max_points or 0
        if not 1 <= low <= MAX_POINTS:
            errors["min_points"] = f"最低扣分须在 1 到 {MAX_POINTS} 之间。"
        if not low <= high <= MAX_POINTS:
            errors["max_points"] = f"最高扣分须在最低扣分到 {MAX_POINTS} 之间。"
        if errors:
            raise ValidationError(errors)


class PointThreshold(Dated):
    """A consequence of a person's points in one assessment period reaching `points`: for
    the person (e.g. 建议解除代理合同) or for their supervisor (通报批评…)."""

    points = models.PositiveSmallIntegerField("累计扣分达到")
    subject = models.CharField("承担人", max_length=12, choices=ConsequenceSubject.choices)
    consequence = models.CharField("处理措施", max_length=100)

    class Meta:
        verbose_name = "扣分处理标准"
        verbose_name_plural = "扣分处理标准"
        ordering = ["points", "subject", "pk"]

    def __str__(self) -> str:
        return f"≥{self.points}分 {self.get_subject_display()}：{self.consequence}"

    def clean(self) -> None:
        errors = self.dated_errors()
        if not 1 <= (self.points or 0) <= 1000:
            errors["points"] = "累计扣分须在 1 到 1000 之间。"
        if errors:
            raise ValidationError(errors)


class ByBranch(ScopedQuerySet):
    """A quality record belongs to the branch of the person it is about (when written) and
    is the person's own."""

    scope_owners = ("person",)


class MisconductRecordQuerySet(ByBranch):
    scope_permissions = {"view": "quality.view_misconductrecord"}


class MisconductRecord(models.Model):
    """违规展业登记: an item of misconduct by one person, its points, the person's reply and
    appeal, the committee's decision; only final entries count towards the points."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="被登记人"
    )
    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="+", verbose_name="所属机构"
    )
    item = models.ForeignKey(
        MisconductItem, models.PROTECT, related_name="records", verbose_name="违规项目"
    )
    occurred_on = models.DateField("违规日期")
    period = models.CharField("考核期", max_length=6, db_index=True)
    case = models.ForeignKey(
        "claims.Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="相关案件",
    )
    description = models.CharField("违规事实", max_length=TEXT_MAX)
    points = models.PositiveSmallIntegerField("扣分")
    final_points = models.PositiveSmallIntegerField("生效扣分", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=12, choices=MisconductStatus.choices, default=MisconductStatus.REGISTERED
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="登记人"
    )
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    reply = models.CharField("本人答复", max_length=TEXT_MAX, blank=True)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    appeal_reason = models.CharField("申诉理由", max_length=TEXT_MAX, blank=True)
    appealed_at = models.DateTimeField("申诉时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="裁决人",
    )
    decided_at = models.DateTimeField("裁决时间", null=True, blank=True)
    decision_reason = models.CharField("裁决理由", max_length=NOTE_MAX, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="确认人",
    )
    finalized_at = models.DateTimeField("生效时间", null=True, blank=True)

    objects = MisconductRecordQuerySet.as_manager()

    class Meta:
        verbose_name = "违规展业登记"
        verbose_name_plural = "违规展业登记"
        ordering = ["-registered_at", "-pk"]
        default_permissions = ("view", "add")
        permissions = [("decide_misconduct_appeal", "品质管理：裁决申诉")]
        indexes = [models.Index(fields=["person", "period", "status"])]

    def __str__(self) -> str:
        return f"违规登记 {self.pk}"

    @property
    def counted_points(self) -> int:
        return self.final_points if self.status == MisconductStatus.FINAL else 0


def evidence_path(instance: "MisconductEvidence", filename: str) -> str:
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"quality/misconduct/{instance.record_id}/{uuid.uuid4().hex}{suffix}"


class MisconductEvidence(models.Model):
    """A file proving an entry (photo or PDF), sniffed like every upload (core.uploads)."""

    record = models.ForeignKey(
        MisconductRecord, models.CASCADE, related_name="evidence", verbose_name="违规登记"
    )
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "违规证据"
        verbose_name_plural = "违规证据"
        ordering = ["record", "pk"]
        default_permissions = ()

    def __str__(self) -> str:
        return self.original_name


class ConsequenceQuerySet(ByBranch):
    scope_permissions = {"view": "quality.view_misconductrecord"}


class Consequence(models.Model):
    """A threshold crossed (扣分处理): raised once per threshold, period, person whose points
    crossed it (`about`) and the person who bears it (themself or each supervisor)."""

    threshold = models.ForeignKey(
        PointThreshold, models.PROTECT, related_name="+", verbose_name="处理标准"
    )
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="扣分人"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="承担人"
    )
    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="+", verbose_name="所属机构"
    )
    period = models.CharField("考核期", max_length=6)
    points = models.PositiveSmallIntegerField("累计扣分")
    raised_at = models.DateTimeField("触发时间", auto_now_add=True)

    objects = ConsequenceQuerySet.as_manager()

    class Meta:
        verbose_name = "扣分处理"
        verbose_name_plural = "扣分处理"
        ordering = ["-raised_at", "-pk"]
        default_permissions = ()
        constraints = [
            models.UniqueConstraint(
                fields=["threshold", "about", "person", "period"], name="uniq_consequence"
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.threshold.consequence}"


class EvaluationQuerySet(ByBranch):
    scope_permissions = {"view": "quality.view_conductevaluation"}


class ConductEvaluation(models.Model):
    """品行评定: a person's half-yearly conduct result, given by their supervisor."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="被评定人"
    )
    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="+", verbose_name="所属机构"
    )
    period = models.CharField("考核期", max_length=6)
    result = models.CharField("评定结果", max_length=12, choices=ConductResult.choices)
    points = models.PositiveSmallIntegerField("评定时累计扣分")
    comment = models.CharField("评语", max_length=NOTE_MAX)
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="评定人"
    )
    evaluated_at = models.DateTimeField("评定时间", auto_now_add=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = "品行评定"
        verbose_name_plural = "品行评定"
        ordering = ["-period", "person"]
        default_permissions = ("view", "add")
        constraints = [
            models.UniqueConstraint(fields=["person", "period"], name="uniq_evaluation_period")
        ]

    def __str__(self) -> str:
        return f"{self.person} {self.period} {self.get_result_display()}"


class AwardQuerySet(ByBranch):
    scope_permissions = {"view": "quality.view_award"}


class Award(models.Model):
    """An award in a person's credit record (诚信档案): a commendation, a reward."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="受奖人"
    )
    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="+", verbose_name="所属机构"
    )
    awarded_on = models.DateField("奖励日期")
    title = models.CharField("奖励", max_length=100)
    reason = models.CharField("事由", max_length=NOTE_MAX)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        verbose_name = "奖励"
        verbose_name_plural = "奖励"
        ordering = ["-awarded_on", "-pk"]
        default_permissions = ("view", "add")

    def __str__(self) -> str:
        return f"{self.person} {self.title}"


class ComplaintQuerySet(ScopedQuerySet):
    scope_owners = ("staff",)
    scope_permissions = {"view": "quality.view_complaint"}


class Complaint(models.Model):
    """投诉 from a customer or an insurer, about a case and/or a person, handled to a
    conclusion; a substantiated one may register a misconduct entry."""

    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="+", verbose_name="受理机构"
    )
    source = models.CharField("投诉来源", max_length=10, choices=ComplaintSource.choices)
    complainant = models.CharField("投诉人", max_length=50)
    client = models.ForeignKey(
        "org.Client",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="投诉保险公司",
    )
    case = models.ForeignKey(
        "claims.Case",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="相关案件",
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="被投诉人",
    )
    received_at = models.DateTimeField("受理时间")
    summary = models.CharField("投诉内容", max_length=TEXT_MAX)
    status = models.CharField(
        "状态", max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    conclusion = models.CharField("处理结论", max_length=NOTE_MAX, blank=True)
    misconduct = models.OneToOneField(
        MisconductRecord,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaint",
        verbose_name="违规登记",
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="受理人"
    )
    concluded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="办结人",
    )
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = "投诉"
        verbose_name_plural = "投诉"
        ordering = ["-received_at", "-pk"]
        default_permissions = ("view", "add")
        permissions = [("conclude_complaint", "投诉：办结")]

    def __str__(self) -> str:
        return f"投诉 {self.pk}"


class ReportQuerySet(ScopedQuerySet):
    scope_owners = ("reporter",)
    scope_permissions = {"view": "quality.view_whistleblowerreport"}


class WhistleblowerReport(models.Model):
    """举报: a report of misconduct, checked and decided with its reward."""

    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="+", verbose_name="受理机构"
    )
    reporter_name = models.CharField("举报人", max_length=50, blank=True, help_text="空为匿名。")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="举报人（本公司员工）",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="被举报人",
    )
    content = models.CharField("举报内容", max_length=TEXT_MAX)
    received_at = models.DateTimeField("受理时间")
    status = models.CharField(
        "状态", max_length=10, choices=ReportStatus.choices, default=ReportStatus.RECEIVED
    )
    reward = models.DecimalField("奖励金额", max_digits=12, decimal_places=2, null=True, blank=True)
    decision_reason = models.CharField("查处意见", max_length=NOTE_MAX, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="受理人"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="决定人",
    )
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "举报"
        verbose_name_plural = "举报"
        ordering = ["-received_at", "-pk"]
        default_permissions = ("view", "add")
        permissions = [("decide_report_reward", "举报：查处与奖励")]

    def __str__(self) -> str:
        return f"举报 {self.pk}"


class QualityEvent(AppendOnlyModel):
    """The staff-quality audit trail: who did what to which record, when. Append-only."""

    kind = models.CharField("记录类型", max_length=20)
    object_id = models.PositiveBigIntegerField("记录编号")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        related_name="+",
        verbose_name="涉及人员",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, null=True, related_name="+", verbose_name="操作人"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)
    message = models.CharField("说明", max_length=NOTE_MAX)
    data = models.JSONField("变更", default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = "品质管理记录"
        verbose_name_plural = "品质管理记录"
        ordering = ["kind", "object_id", "created_at", "pk"]
        default_permissions = ()
        indexes = [models.Index(fields=["kind", "object_id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id}"
