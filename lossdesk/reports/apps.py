from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReportsConfig(AppConfig):
    name = "lossdesk.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from lossdesk.reports.permissions import grant_reports_permissions

        post_migrate.connect(grant_reports_permissions, sender=self)
