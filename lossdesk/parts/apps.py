from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PartsConfig(AppConfig):
    name = "lossdesk.parts"
    label = "parts"
    verbose_name = "定损数据"

    def ready(self) -> None:
        from lossdesk.motor import services as motor_services
        from lossdesk.parts import (
            fitment,
            signals,  # noqa: F401  (part counts of the names)
        )
        from lossdesk.parts.permissions import grant_parts_permissions

        post_migrate.connect(grant_parts_permissions, sender=self)
        if fitment.flag_sheet_lines not in motor_services.SHEET_LINE_CHECKS:
            motor_services.SHEET_LINE_CHECKS.append(fitment.flag_sheet_lines)
