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


class AppendOnlyQuerySet(models.QuerySet):
    """Rows written once and never changed or removed: the case timeline, audit records."""

    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only.")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only.")


class AppendOnlyModel(models.Model):
    """A model whose rows are only ever inserted; pair it with an AppendOnlyQuerySet."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise TypeError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only.")
