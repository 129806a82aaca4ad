from django.db import models


class NumberSequence(models.Model):
    """Counter behind report_no and case_no. One row per prefix and day, bumped under a row
    lock inside the caller's transaction, so numbers are unique; a rolled-back transaction
    rolls its bump back too, and a gap only appears if a later step deletes a row."""

    key = models.CharField(max_length=40, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"
