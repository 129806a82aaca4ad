"""A rescue (救援) done for a case: towing, a jump start, a tyre change… recorded by the
surveyor on site, with its photos among the case's attachments. Seen through its case:
`Rescue.objects.filter(case__in=Case.objects.for_user(user))`, never by itself."""

from django.conf import settings
from django.db import models

from lossdesk.core.limits import NOTE_MAX
from lossdesk.field.choices import RescueType


class Rescue(models.Model):
    case = models.ForeignKey(
        "claims.Case", models.CASCADE, related_name="rescues", verbose_name="案件"
    )
    type = models.CharField("救援类型", max_length=20, choices=RescueType.choices)
    # org keeps no tow firms yet (only repair shops): the firm is named as written.
    firm = models.CharField("救援单位", max_length=100)
    start_place = models.CharField("起点", max_length=200)
    end_place = models.CharField("终点", max_length=200, blank=True)
    distance_km = models.DecimalField("里程(公里)", max_digits=8, decimal_places=2)
    fee = models.DecimalField("救援费用", max_digits=14, decimal_places=2)
    started_at = models.DateTimeField("开始时间")
    ended_at = models.DateTimeField("结束时间")
    note = models.CharField("说明", max_length=NOTE_MAX, blank=True)
    photos = models.ManyToManyField(
        "claims.Attachment", blank=True, related_name="rescues", verbose_name="照片"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="记录人"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "救援记录"
        verbose_name_plural = "救援记录"
        ordering = ["started_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_at__gte=models.F("started_at")),
                name="rescue_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(fee__gte=0) & models.Q(distance_km__gte=0),
                name="rescue_fee_distance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} · {self.firm}"
