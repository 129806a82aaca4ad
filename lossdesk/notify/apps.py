from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save


class NotifyConfig(AppConfig):
    name = "lossdesk.notify"
    label = "notify"
    verbose_name = "短信"

    def ready(self) -> None:
        from lossdesk.notify.models import SmsTemplate
        from lossdesk.notify.permissions import NOTIFY_ADMIN_PERMISSIONS, NOTIFY_PERMISSIONS
        from lossdesk.notify.services import clear_template_cache
        from lossdesk.org.permissions import grant_missing_permissions, register_grants

        register_grants(self.label, NOTIFY_PERMISSIONS, admin=NOTIFY_ADMIN_PERMISSIONS)
        post_migrate.connect(grant_missing_permissions, sender=self)
        post_save.connect(clear_template_cache, sender=SmsTemplate)
        post_delete.connect(clear_template_cache, sender=SmsTemplate)
