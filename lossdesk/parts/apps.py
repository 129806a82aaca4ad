from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PartsConfig(AppConfig):
    name = "lossdesk.parts"
    label = "parts"
    verbose_name = "定损数据"

    def ready(self) -> None:
        from lossdesk.motor import services as motor_services
        from lossdesk.org.permissions import grant_missing_permissions, register_grants
        from lossdesk.parts import (
            fitment,
            signals,  # noqa: F401  (part counts of the names)
        )
        from lossdesk.parts.permissions import PARTS_ADMIN_PERMISSIONS, PARTS_PERMISSIONS

        register_grants(self.label, PARTS_PERMISSIONS, admin=PARTS_ADMIN_PERMISSIONS)
        post_migrate.connect(grant_missing_permissions, sender=self)
        if fitment.flag_sheet_lines not in motor_services.SHEET_LINE_CHECKS:
            motor_services.SHEET_LINE_CHECKS.append(fitment.flag_sheet_lines)
