from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate


class OrgConfig(AppConfig):
    name = "lossdesk.org"
    label = "org"
    verbose_name = "组织机构"

    def ready(self) -> None:
        from django.contrib.auth.models import Permission

        from lossdesk.org import security  # noqa: F401 - connects the security log
        from lossdesk.org.models import Position
        from lossdesk.org.positions import (
            ensure_standard_positions,
            permissions_changed,
            refuse_foreign_permissions,
        )

        post_migrate.connect(ensure_standard_positions, dispatch_uid="org.standard_positions")
        m2m_changed.connect(
            refuse_foreign_permissions,
            sender=Position.permissions.through,
            dispatch_uid="org.admin_position_permissions",
        )
        m2m_changed.connect(
            permissions_changed,
            sender=Position.permissions.through,
            dispatch_uid="org.position_permissions_changed",
        )
        post_delete.connect(
            permissions_changed, sender=Permission, dispatch_uid="org.permission_deleted"
        )
