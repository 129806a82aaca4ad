from django.apps import AppConfig
from django.db.models.signals import post_migrate


class IntakeConfig(AppConfig):
    name = "lossdesk.intake"
    label = "intake"
    verbose_name = "报案调度"

    def ready(self) -> None:
        from lossdesk.intake import registration
        from lossdesk.intake.permissions import INTAKE_PERMISSIONS
        from lossdesk.org.permissions import grant_missing_permissions, register_grants

        register_grants(self.label, INTAKE_PERMISSIONS)
        post_migrate.connect(grant_missing_permissions, sender=self)
        registration.register()
