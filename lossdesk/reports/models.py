from django.db import models


class Statistics(models.Model):
    """No table: the holder of the statistics permission (statistics are read from the
    business tables with SQL aggregates)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_statistics", "查看统计报表")]
        verbose_name = "统计报表"
        verbose_name_plural = "统计报表"

    def __str__(self) -> str:
        return "统计报表"
