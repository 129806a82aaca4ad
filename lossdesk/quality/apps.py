from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QualityConfig(AppConfig):
    name = "lossdesk.quality"
    label = "quality"
    verbose_name = "品质与风控"

    def ready(self) -> None:
        from lossdesk.org.permissions import grant_missing_permissions, register_grants
        from lossdesk.quality import deadlines, registration
        from lossdesk.quality.permissions import QUALITY_ADMIN_PERMISSIONS, QUALITY_PERMISSIONS

        register_grants(self.label, QUALITY_PERMISSIONS, admin=QUALITY_ADMIN_PERMISSIONS)
        post_migrate.connect(grant_missing_permissions, sender=self)
        registration.register()
        deadlines.connect()
