from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BillingConfig(AppConfig):
    name = "lossdesk.billing"
    label = "billing"
    verbose_name = "收费与结算"

    def ready(self) -> None:
        from lossdesk.billing.permissions import BILLING_ADMIN_PERMISSIONS, BILLING_PERMISSIONS
        from lossdesk.org.permissions import grant_missing_permissions, register_grants

        register_grants(self.label, BILLING_PERMISSIONS, admin=BILLING_ADMIN_PERMISSIONS)
        post_migrate.connect(grant_missing_permissions, sender=self)
