"""Give an existing auditor position the right to read the access records. A new database
gets it from org.positions when post_migrate creates the standard positions."""

from django.db import migrations


def grant(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Position = apps.get_model("org", "Position")
    # Django creates permissions after all migrations; this one is needed now.
    content_type, _ = ContentType.objects.get_or_create(app_label="audit", model="piiaccess")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type,
        codename="view_piiaccess",
        defaults={"name": "Can view 个人信息访问记录"},
    )
    for position in Position.objects.filter(code="auditor"):
        position.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_pii_access"),
        ("org", "0002_dispatch_settings_and_skills"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
