from django.db import models


class NumberSequence(models.Model):
    """The running counter per number prefix on SQLite (core.numbering); PostgreSQL uses a
    sequence per prefix instead, so this table stays empty there."""

    key = models.CharField(max_length=40, unique=True)
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "编号序列"
        verbose_name_plural = "编号序列"

    def __str__(self) -> str:
        return f"{self.key}={self.last_value}"
