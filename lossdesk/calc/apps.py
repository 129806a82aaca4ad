from django.apps import AppConfig
from django.db.models.signals import post_migrate

# calc's name for its post_migrate receiver (its tests call the grant directly).
from lossdesk.org.permissions import grant_missing_permissions as grant_standards_permissions


class CalcConfig(AppConfig):
    name = "lossdesk.calc"
    label = "calc"
    verbose_name = "理算与标准"

    def ready(self) -> None:
        from lossdesk.calc.permissions import CALC_ADMIN_PERMISSIONS
        from lossdesk.org.permissions import register_grants

        register_grants(self.label, {}, admin=CALC_ADMIN_PERMISSIONS)
        post_migrate.connect(grant_standards_permissions, sender=self)
