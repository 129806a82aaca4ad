from django.db import models


class DispatchStatus(models.TextChoices):
    PENDING = "pending", "待接单"
    ACCEPTED = "accepted", "已接单"
    ARRIVED = "arrived", "已到达"
    SUPERSEDED = "superseded", "已改派"
    CANCELLED = "cancelled", "已取消"


ACTIVE_DISPATCH_STATUSES = (DispatchStatus.PENDING, DispatchStatus.ACCEPTED, DispatchStatus.ARRIVED)
