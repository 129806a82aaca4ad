from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from lossdesk.core.limits import TEXT_MAX
from lossdesk.core.validators import validate_phone, validate_plate, validate_vin
from lossdesk.intake.choices import (
    ACTIVE_DELEGATION_STATUSES,
    ACTIVE_DISPATCH_STATUSES,
    CallbackMethod,
    CallbackStatus,
    DelegationStatus,
    DispatchAlertKind,
    DispatchStatus,
    ImportRowStatus,
    ImportStatus,
    ReportChannel,
)
from lossdesk.org.scoping import ScopedQuerySet

# Phones and PCs drift a little; a report stamped a minute "ahead" is not in the future.
CLOCK_SKEW = timedelta(minutes=2)


class Report(models.Model):
    """First notice of loss as received from a client (报案). Registering one opens a case."""

    report_no = models.CharField("报案号", max_length=20, unique=True, editable=False)
    client = models.ForeignKey(
        "org.Client", models.PROTECT, related_name="reports", verbose_name="委托方"
    )
    client_branch = models.ForeignKey(
        "org.ClientBranch", models.PROTECT, null=True, blank=True, verbose_name="委托方分支机构"
    )
    client_claim_no = models.CharField("委托方赔案号", max_length=50)
    policy_no_ctpl = models.CharField("交强险保单号", max_length=50, blank=True)
    policy_no_commercial = models.CharField("商业险保单号", max_length=50, blank=True)
    plate = models.CharField("车牌号", max_length=12, validators=[validate_plate])
    vin = models.CharField("VIN", max_length=17, blank=True, validators=[validate_vin])
    reporter_name = models.CharField("报案人", max_length=50)
    reporter_phone = models.CharField(
        "报案人电话",
        max_length=20,
        validators=[validate_phone],
        help_text="手机或带区号的固定电话（如 0571-88886666）；短信只发手机。",
    )
    driver_name = models.CharField("驾驶员", max_length=50, blank=True)
    driver_phone = models.CharField(
        "驾驶员电话", max_length=20, blank=True, validators=[validate_phone]
    )
    accident_time = models.DateTimeField("出险时间")
    accident_place = models.CharField("出险地点", max_length=200)
    description = models.TextField("出险经过", max_length=TEXT_MAX, blank=True)
    reported_at = models.DateTimeField("报案时间")
    third_party_vehicles = models.PositiveSmallIntegerField("三者车数量", default=0)
    third_party_plates = models.CharField(
        "三者车车牌", max_length=200, blank=True, help_text="多个车牌用逗号分隔。"
    )
    property_loss = models.BooleanField("涉及三者物损", default=False)
    injured_persons = models.PositiveSmallIntegerField("伤者人数", default=0)
    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="reports", verbose_name="承办机构"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="登记人"
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    channel = models.CharField(
        "报案渠道", max_length=10, choices=ReportChannel.choices, default=ReportChannel.UI
    )
    # Where the accident happened, when the client or the hotline knows it (WGS-84).
    accident_lat = models.DecimalField(
        "出险地纬度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    accident_lng = models.DecimalField(
        "出险地经度",
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    # Same plate or VIN with an accident within 72 hours of another report (疑似重复报案).
    possible_duplicate_of = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="疑似重复报案",
    )

    class Meta:
        verbose_name = "报案"
        verbose_name_plural = "报案"
        ordering = ["-reported_at"]
        # Plain b-tree indexes for the duplicate check's exact matches (db_index=True would
        # add a second, pattern-matching index per column that no query uses; every index
        # costs each registration its upkeep).
        indexes = [models.Index(fields=["plate"]), models.Index(fields=["vin"])]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "client_claim_no"], name="uniq_report_client_claim_no"
            )
        ]

    def __str__(self) -> str:
        return self.report_no

    def clean(self) -> None:
        errors = {}
        now = timezone.now()
        if self.accident_time and self.accident_time > now + CLOCK_SKEW:
            errors["accident_time"] = "出险时间不能晚于当前时间。"
        if self.reported_at and self.reported_at > now + CLOCK_SKEW:
            errors["reported_at"] = "报案时间不能晚于当前时间。"
        if self.accident_time and self.reported_at and self.accident_time > self.reported_at:
            errors.setdefault("accident_time", "出险时间不能晚于报案时间。")
        if self.third_party_plates and len(self.third_party_plates.split(",")) > (
            self.third_party_vehicles or 0
        ):
            errors["third_party_plates"] = "三者车车牌数多于三者车数量。"
        for plate in filter(None, self.third_party_plates.split(",")):
            try:
                validate_plate(plate)
            except ValidationError as exc:
                errors["third_party_plates"] = f"{plate}：{exc.messages[0]}"
        if (self.accident_lat is None) != (self.accident_lng is None):
            errors["accident_lng" if self.accident_lng is None else "accident_lat"] = (
                "经纬度须同时填写。"
            )
        if errors:
            raise ValidationError(errors)


class DispatchQuerySet(models.QuerySet):
    def active(self) -> "DispatchQuerySet":
        return self.filter(status__in=ACTIVE_DISPATCH_STATUSES)


class Dispatch(models.Model):
    """One assignment of a case's survey to a surveyor. A re-dispatch supersedes the last
    one, so the history of who was sent when stays."""

    case = models.ForeignKey(
        "claims.Case", models.CASCADE, related_name="dispatches", verbose_name="案件"
    )
    surveyor = models.ForeignKey(  # indexed first in (surveyor, status, arrived_at)
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="dispatches",
        verbose_name="查勘员",
        db_index=False,
    )
    # None when the system dispatched (branch with automatic dispatch on).
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="调度员",
    )
    auto = models.BooleanField("系统自动调度", default=False)
    status = models.CharField(
        "状态", max_length=12, choices=DispatchStatus.choices, default=DispatchStatus.PENDING
    )
    note = models.CharField("调度说明", max_length=200, blank=True)
    # The recommendation the dispatcher saw: the top candidate, the chosen surveyor's score
    # and reasons, and why the top candidate was passed over (required when it was).
    recommended_surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="推荐查勘员",
    )
    score = models.DecimalField("推荐得分", max_digits=5, decimal_places=1, null=True, blank=True)
    reasons = models.JSONField("推荐理由", default=list, blank=True)
    override_reason = models.CharField("未选推荐人员的原因", max_length=200, blank=True)
    dispatched_at = models.DateTimeField("调度时间")
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到达时间", null=True, blank=True)
    # Dispatch-to-arrival (KPI), stored at arrival so statistics are plain SQL aggregates.
    dispatch_to_arrival_minutes = models.PositiveIntegerField(
        "调度到达用时（分钟）", null=True, blank=True
    )
    declined_at = models.DateTimeField("拒单时间", null=True, blank=True)
    decline_reason = models.CharField("拒单原因", max_length=200, blank=True)
    timed_out_at = models.DateTimeField("超时时间", null=True, blank=True)

    objects = DispatchQuerySet.as_manager()

    class Meta:
        verbose_name = "调度"
        verbose_name_plural = "调度"
        ordering = ["-dispatched_at"]
        indexes = [
            models.Index(fields=["surveyor", "status", "arrived_at"]),
            models.Index(fields=["status", "dispatched_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.surveyor_id}"

    @property
    def overridden(self) -> bool:
        return bool(
            self.recommended_surveyor_id and self.recommended_surveyor_id != self.surveyor_id
        )


class DispatchAlert(models.Model):
    """A flag for the dispatcher: a surveyor declined or did not accept in time and the case
    is back in the dispatch queue. Resolved when the case is dispatched again (or ends)."""

    case = models.ForeignKey(
        "claims.Case", models.CASCADE, related_name="dispatch_alerts", verbose_name="案件"
    )
    dispatch = models.ForeignKey(
        Dispatch, models.CASCADE, related_name="alerts", verbose_name="调度"
    )
    kind = models.CharField("类型", max_length=12, choices=DispatchAlertKind.choices)
    message = models.CharField("说明", max_length=300)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)

    class Meta:
        verbose_name = "调度提醒"
        verbose_name_plural = "调度提醒"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["case", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


def shift_bounds(day, start_time, end_time) -> tuple[datetime, datetime]:
    """A shift's start and end as aware local datetimes; an end not after the start is on
    the next day."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(day, start_time, tzinfo=tz)
    end = datetime.combine(day, end_time, tzinfo=tz)
    if end <= start:
        end += timedelta(days=1)
    return start, end


class RosterShift(models.Model):
    """One surveyor on duty in one zone for one shift (排班表). A shift whose end is not
    after its start runs past midnight into the next day."""

    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="shifts", verbose_name="查勘员"
    )
    branch = models.ForeignKey(
        "org.Branch", models.CASCADE, related_name="shifts", verbose_name="机构", editable=False
    )
    zone = models.CharField("值班区域", max_length=50, help_text="例：西湖区；与出险地点匹配。")
    date = models.DateField("日期")
    start_time = models.TimeField("开始时间")
    end_time = models.TimeField("结束时间")

    class Meta:
        verbose_name = "排班"
        verbose_name_plural = "排班表"
        ordering = ["date", "start_time", "surveyor"]
        indexes = [models.Index(fields=["branch", "date"])]
        constraints = [
            models.UniqueConstraint(
                fields=["surveyor", "date", "start_time"], name="uniq_roster_shift_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.surveyor} {self.date} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.surveyor_id and not self.branch_id:
            self.branch_id = self.surveyor.branch_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.surveyor_id and not self.surveyor.branch_id:
            raise ValidationError({"surveyor": "该员工没有所属机构。"})

    def bounds(self) -> tuple[datetime, datetime]:
        """Start and end as aware datetimes in the local time zone."""
        return shift_bounds(self.date, self.start_time, self.end_time)

    def covers(self, moment: datetime) -> bool:
        start, end = self.bounds()
        return start <= moment < end


class DelegationQuerySet(ScopedQuerySet):
    # A delegation is scoped by the branch it is addressed to; nobody owns it, so scope own
    # sees those addressed to the user's branch.
    scope_branch = "to_branch"


class Delegation(models.Model):
    """A case (optionally naming one loss item) handed to a branch in another region
    (委托异地). While it is requested or accepted both branches see the case; the receiving
    branch's share of the fee is fixed when it is requested (LOSSDESK_DELEGATION_FEE_SHARE)."""

    case = models.ForeignKey(
        "claims.Case", models.CASCADE, related_name="delegations", verbose_name="案件"
    )
    loss_item = models.ForeignKey(
        "claims.LossItem",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="delegations",
        verbose_name="损失标的",
        help_text="为空表示整案委托。",
    )
    from_branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="delegations_out", verbose_name="委托机构"
    )
    to_branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="delegations_in", verbose_name="受托机构"
    )
    status = models.CharField(
        "状态",
        max_length=10,
        choices=DelegationStatus.choices,
        default=DelegationStatus.REQUESTED,
    )
    fee_share = models.DecimalField(
        "受托机构分成比例",
        max_digits=3,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    note = models.CharField("委托说明", max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="委托人"
    )
    requested_at = models.DateTimeField("委托时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="接收/拒绝人",
    )
    decided_at = models.DateTimeField("接收/拒绝时间", null=True, blank=True)
    decision_note = models.CharField("接收/拒绝说明", max_length=300, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="撤回/退回人",
    )
    ended_at = models.DateTimeField("撤回/退回时间", null=True, blank=True)
    end_reason = models.CharField("撤回/退回原因", max_length=300, blank=True)

    objects = DelegationQuerySet.as_manager()

    class Meta:
        verbose_name = "委托异地"
        verbose_name_plural = "委托异地"
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["to_branch", "status"]),
            models.Index(fields=["from_branch", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=ACTIVE_DELEGATION_STATUSES),
                name="uniq_active_delegation_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.from_branch_id}→{self.to_branch_id} {self.status}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_DELEGATION_STATUSES


class Callback(models.Model):
    """The satisfaction follow-up after a case closes (客户回访): by phone from the call
    centre, or by an SMS link to a public page. Only a hash of the link's token is kept."""

    case = models.OneToOneField(
        "claims.Case", models.CASCADE, related_name="callback", verbose_name="案件"
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="callbacks",
        verbose_name="查勘员",
    )
    method = models.CharField("回访方式", max_length=10, choices=CallbackMethod.choices)
    status = models.CharField(
        "状态", max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.PENDING
    )
    phone = models.CharField("客户电话", max_length=20)
    customer_name = models.CharField("客户姓名", max_length=50, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    token_expires_at = models.DateTimeField("链接有效期至", null=True, blank=True)
    sent_at = models.DateTimeField("短信发送时间", null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        "满意度评分",
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField("客户意见", max_length=TEXT_MAX, blank=True)
    result_note = models.CharField("回访记录", max_length=500, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="回访人",
    )
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "客户回访"
        verbose_name_plural = "客户回访"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="callback_rating_1_to_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.status}"


class ImportMapping(models.Model):
    """How one client's Excel file is laid out: which column header holds which report
    field (报案批量导入的列映射)."""

    client = models.OneToOneField(
        "org.Client", models.CASCADE, related_name="import_mapping", verbose_name="委托方"
    )
    sheet_name = models.CharField("工作表", max_length=50, blank=True, help_text="为空取第一个。")
    header_row = models.PositiveSmallIntegerField(
        "表头行号", default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    columns = models.JSONField("列映射", default=dict, help_text="报案字段 → 表头文字。")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "报案导入列映射"
        verbose_name_plural = "报案导入列映射"

    def __str__(self) -> str:
        return f"{self.client} 导入映射"


def import_path(instance: "ImportBatch", filename: str) -> str:
    import uuid

    return f"imports/{timezone.localdate():%Y%m}/{uuid.uuid4().hex}.xlsx"


class ImportBatchQuerySet(ScopedQuerySet):
    scope_owners = ("uploaded_by",)


class ImportBatch(models.Model):
    """One uploaded Excel file of reports: previewed, then imported in the background."""

    client = models.ForeignKey(
        "org.Client", models.PROTECT, related_name="+", verbose_name="委托方"
    )
    branch = models.ForeignKey(
        "org.Branch", models.PROTECT, related_name="+", verbose_name="承办机构"
    )
    file = models.FileField("文件", upload_to=import_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    columns = models.JSONField("列映射（上传时）", default=dict)
    sheet_name = models.CharField("工作表", max_length=50, blank=True)
    header_row = models.PositiveSmallIntegerField("表头行号", default=1)
    status = models.CharField(
        "状态", max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    total_rows = models.PositiveIntegerField("数据行数", default=0)
    processed_rows = models.PositiveIntegerField("已处理", default=0)  # while it runs
    imported_rows = models.PositiveIntegerField("已导入", default=0)
    skipped_rows = models.PositiveIntegerField("已存在跳过", default=0)
    failed_rows = models.PositiveIntegerField("有错误", default=0)
    error = models.CharField("文件错误", max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="上传人"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = "报案导入批次"
        verbose_name_plural = "报案导入批次"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_status_display()})"


class ImportRow(models.Model):
    """The outcome of one data row of an import: its Excel line number and errors."""

    batch = models.ForeignKey(ImportBatch, models.CASCADE, related_name="rows", verbose_name="批次")
    line_no = models.PositiveIntegerField("行号")
    status = models.CharField("结果", max_length=10, choices=ImportRowStatus.choices)
    client_claim_no = models.CharField("委托方赔案号", max_length=50, blank=True)
    case = models.ForeignKey(
        "claims.Case", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    errors = models.JSONField("错误", default=dict, blank=True)

    class Meta:
        verbose_name = "导入行"
        verbose_name_plural = "导入行"
        ordering = ["batch", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "line_no"], name="uniq_import_row_line")
        ]

    def __str__(self) -> str:
        return f"{self.batch_id}:{self.line_no} {self.status}"
