"""Give the standard branch-manager positions the import-mapping permission (editing a
client's Excel layout used to need only report registration). Positions created from now on
get it from org.positions.STANDARD_POSITIONS; other positions get it from the security
administrator."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Position = apps.get_model("org", "Position")
    permission = Permission.objects.filter(
        content_type__app_label="intake", codename="change_importmapping"
    ).first()
    if permission is None:
        return
    for position in Position.objects.filter(code="branch_manager"):
        position.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_lean_indexes"),
        ("org", "0002_dispatch_settings_and_skills"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
