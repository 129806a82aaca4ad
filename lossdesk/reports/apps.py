from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ReportsConfig(AppConfig):
    name = "lossdesk.reports"
    label = "reports"
    verbose_name = "统计报表"

    def ready(self) -> None:
        from lossdesk.core.scores import register_person_scores
        from lossdesk.org.permissions import grant_missing_permissions, register_grants
        from lossdesk.reports import casefacts, closing, kpis, rollups
        from lossdesk.reports.permissions import REPORTS_PERMISSIONS

        register_grants(self.label, REPORTS_PERMISSIONS)
        post_migrate.connect(grant_missing_permissions, sender=self)
        rollups.connect()
        casefacts.connect()
        closing.register()
        register_person_scores(kpis.person_scores)
