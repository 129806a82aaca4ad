from django.apps import AppConfig
from django.db.models.signals import post_migrate


class QualityConfig(AppConfig):
    name = "lossdesk.quality"
    label = "quality"
    verbose_name = "品质与风控"

    def ready(self) -> None:
        from lossdesk.core.calendar import register_corrections
        from lossdesk.org.permissions import grant_missing_permissions, register_grants
        from lossdesk.quality import deadlines, registration
        from lossdesk.quality.models import CalendarDay
        from lossdesk.quality.permissions import QUALITY_ADMIN_PERMISSIONS, QUALITY_PERMISSIONS

        register_grants(self.label, QUALITY_PERMISSIONS, admin=QUALITY_ADMIN_PERMISSIONS)
        post_migrate.connect(grant_missing_permissions, sender=self)
        registration.register()
        # The administrator's 节假日调整 correct the one calendar (decision 0019), so billing's
        # holiday surcharge sees them as the deadlines do.
        register_corrections(lambda: dict(CalendarDay.objects.values_list("day", "working")))
        deadlines.connect()
