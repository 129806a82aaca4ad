from django.conf import settings
from django.db import models


class Valuation(models.Model):
    """A one-figure assessment document for a property loss item."""

    loss_item = models.OneToOneField(
        "claims.LossItem", models.CASCADE, related_name="valuation", verbose_name="损失标的"
    )
    number = models.CharField("估损单号", max_length=20)
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name="估损人"
    )
    total = models.DecimalField("估损金额", max_digits=14, decimal_places=2)

    def __str__(self) -> str:
        return self.number

    @property
    def document_no(self) -> str:
        return self.number
