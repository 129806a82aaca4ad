"""Which standard position may do what with SMS. Granted on post_migrate of the notify app
to standard positions that hold no notify permission yet (an administrator's later edits of
a position are left alone), the way lossdesk.parts.permissions does it."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

VIEW_SMS = "notify.view_smsmessage"
RESEND_SMS = "notify.resend_smsmessage"
EDIT_TEMPLATES = ["notify.view_smstemplate", "notify.change_smstemplate"]

NOTIFY_PERMISSIONS: dict[str, list[str]] = {
    "system_admin": [VIEW_SMS, *EDIT_TEMPLATES],
    "auditor": [VIEW_SMS],
    "branch_manager": [VIEW_SMS, RESEND_SMS],
    "dispatcher": [VIEW_SMS, RESEND_SMS],
    "reviewer": [VIEW_SMS],
}


def grant_notify_permissions(sender=None, using="default", **kwargs) -> None:
    from django.contrib.auth.models import Permission

    from lossdesk.org.models import Position
    from lossdesk.org.positions import permissions_by_name

    create_permissions(global_apps.get_app_config("notify"), verbosity=0, using=using)
    for code, names in NOTIFY_PERMISSIONS.items():
        position = Position.objects.using(using).filter(code=code).first()
        if position is None:
            continue
        if position.permissions.filter(content_type__app_label="notify").exists():
            continue
        position.permissions.add(*permissions_by_name(names, Permission, using))
