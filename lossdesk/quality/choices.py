from django.db import models


class AlertStatus(models.TextChoices):
    OPEN = "open", "待处理"
    CONFIRMED = "confirmed", "已确认"
    DISMISSED = "dismissed", "已排除"


class AlertDecision(models.TextChoices):
    """What resolving an alert makes of it (its status after)."""

    CONFIRMED = AlertStatus.CONFIRMED.value, "确认"
    DISMISSED = AlertStatus.DISMISSED.value, "排除"
