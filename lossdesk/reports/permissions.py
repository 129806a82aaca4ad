"""Who sees the statistics pages. Granted on post_migrate of the reports app to standard
positions that hold no reports permission yet (an administrator's later edits are left
alone). What each person counts is still limited by `Case.objects.for_user`."""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

VIEW_STATISTICS = "reports.view_statistics"

REPORTS_PERMISSIONS: dict[str, list[str]] = {
    "branch_manager": [VIEW_STATISTICS],
    "dispatcher": [VIEW_STATISTICS],
    "reviewer": [VIEW_STATISTICS],
    "finance": [VIEW_STATISTICS],
}


def grant_reports_permissions(sender=None, using="default", **kwargs) -> None:
    from django.contrib.auth.models import Permission

    from lossdesk.org.models import Position
    from lossdesk.org.positions import permissions_by_name

    create_permissions(global_apps.get_app_config("reports"), verbosity=0, using=using)
    for code, names in REPORTS_PERMISSIONS.items():
        position = Position.objects.using(using).filter(code=code).first()
        if position is None:
            continue
        if position.permissions.filter(content_type__app_label="reports").exists():
            continue
        position.permissions.add(*permissions_by_name(names, Permission, using))
