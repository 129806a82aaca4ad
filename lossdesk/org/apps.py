from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OrgConfig(AppConfig):
    name = "lossdesk.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from lossdesk.org.positions import ensure_standard_positions

        post_migrate.connect(ensure_standard_positions, dispatch_uid="org.standard_positions")
