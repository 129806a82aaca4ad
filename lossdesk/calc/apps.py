from django.apps import AppConfig
from django.db.models.signals import post_migrate

# Every staff member may use the calculators (login only); editing the standards data needs
# the model permissions below, which the system administrator's position receives once.
STANDARDS_EDITORS = ("system_admin",)
STANDARDS_MODELS = (
    "wmientry",
    "depreciationtable",
    "depreciationrate",
    "ctpllimittable",
    "compensationstandard",
)


def grant_standards_permissions(sender=None, using="default", **kwargs) -> None:
    """post_migrate: give the standard editors' positions the calc.* model permissions.

    Permission rows of a new app only exist after migrate, so this cannot be a migration.
    Idempotent: a position that already holds any calc permission is left as it is, so an
    administrator's later edits of the position survive every migrate."""
    if sender is None or sender.label != "calc":
        return
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Permission

    from lossdesk.org.models import Position

    create_permissions(sender, verbosity=0, using=using, apps=global_apps)
    perms = list(
        Permission.objects.using(using).filter(
            content_type__app_label="calc", content_type__model__in=STANDARDS_MODELS
        )
    )
    for position in Position.objects.using(using).filter(code__in=STANDARDS_EDITORS):
        if not position.permissions.filter(content_type__app_label="calc").exists():
            position.permissions.add(*perms)


class CalcConfig(AppConfig):
    name = "lossdesk.calc"
    label = "calc"
    verbose_name = "理算与标准"

    def ready(self) -> None:
        post_migrate.connect(grant_standards_permissions, dispatch_uid="calc.standards_perms")
