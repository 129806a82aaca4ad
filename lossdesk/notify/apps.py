from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NotifyConfig(AppConfig):
    name = "lossdesk.notify"
    label = "notify"
    verbose_name = "短信"

    def ready(self) -> None:
        from lossdesk.notify.permissions import grant_notify_permissions

        post_migrate.connect(grant_notify_permissions, sender=self)
