from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "lossdesk.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from lossdesk.audit import checks  # noqa: F401  (registers the retention check)
        from lossdesk.audit.collector import note_reveal
        from lossdesk.core import masking

        # Django may run ready() more than once (its docs warn of it in tests): listen once.
        if note_reveal not in masking.on_reveal:
            masking.on_reveal.append(note_reveal)

        # The auditor's right to read the records, declared in audit.permissions.
        from lossdesk.audit.permissions import AUDIT_ADMIN_PERMISSIONS
        from lossdesk.org.permissions import grant_missing_permissions, register_grants

        register_grants(self.label, {}, admin=AUDIT_ADMIN_PERMISSIONS)
        post_migrate.connect(grant_missing_permissions, sender=self)
