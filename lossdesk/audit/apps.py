from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "lossdesk.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from lossdesk.audit import checks  # noqa: F401  (registers the retention check)
