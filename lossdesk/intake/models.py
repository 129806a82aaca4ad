from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from lossdesk.core.validators import validate_mobile, validate_plate, validate_vin
from lossdesk.intake.choices import DispatchStatus

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
    plate = models.CharField("车牌号", max_length=12, validators=[validate_plate], db_index=True)
    vin = models.CharField(
        "VIN", max_length=17, blank=True, validators=[validate_vin], db_index=True
    )
    reporter_name = models.CharField("报案人", max_length=50)
    reporter_phone = models.CharField(
        "报案人电话", max_length=20, validators=[validate_mobile], db_index=True
    )
    driver_name = models.CharField("驾驶员", max_length=50, blank=True)
    driver_phone = models.CharField(
        "驾驶员电话", max_length=20, blank=True, validators=[validate_mobile], db_index=True
    )
    accident_time = models.DateTimeField("出险时间")
    accident_place = models.CharField("出险地点", max_length=200)
    description = models.TextField("出险经过", blank=True)
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

    class Meta:
        verbose_name = "报案"
        verbose_name_plural = "报案"
        ordering = ["-reported_at"]
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
        if errors:
            raise ValidationError(errors)


class Dispatch(models.Model):
    """One assignment of a case's survey to a surveyor. A re-dispatch supersedes the last
    one, so the history of who was sent when stays."""

    case = models.ForeignKey(
        "claims.Case", models.CASCADE, related_name="dispatches", verbose_name="案件"
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="dispatches", verbose_name="查勘员"
    )
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="调度员"
    )
    status = models.CharField(
        "状态", max_length=12, choices=DispatchStatus.choices, default=DispatchStatus.PENDING
    )
    note = models.CharField("调度说明", max_length=200, blank=True)
    dispatched_at = models.DateTimeField("调度时间")
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到达时间", null=True, blank=True)

    class Meta:
        verbose_name = "调度"
        verbose_name_plural = "调度"
        ordering = ["-dispatched_at"]
        indexes = [models.Index(fields=["surveyor", "status"])]

    def __str__(self) -> str:
        return f"{self.case_id} → {self.surveyor_id}"
