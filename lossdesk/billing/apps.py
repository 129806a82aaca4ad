from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BillingConfig(AppConfig):
    name = "lossdesk.billing"
    label = "billing"
    verbose_name = "收费与结算"

    def ready(self) -> None:
        from lossdesk.billing import registration
        from lossdesk.billing.permissions import BILLING_ADMIN_PERMISSIONS, BILLING_PERMISSIONS
        from lossdesk.org.permissions import grant_missing_permissions, register_grants

        register_grants(self.label, BILLING_PERMISSIONS, admin=BILLING_ADMIN_PERMISSIONS)
        post_migrate.connect(grant_missing_permissions, sender=self)
        registration.register()

        from lossdesk.billing import alert_rules

        alert_rules.register()  # the financial risk alerts, into quality's registry

        from lossdesk.billing.services import on_case_cancelled, on_report_issued
        from lossdesk.claims.signals import case_cancelled, report_issued

        # The fee is computed in the transaction that issues the report or cancels the case.
        report_issued.connect(on_report_issued, dispatch_uid="billing.fee.report_issued")
        case_cancelled.connect(on_case_cancelled, dispatch_uid="billing.fee.case_cancelled")
