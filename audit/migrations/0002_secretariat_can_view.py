"""Let the secretariat read the audit trail (members.roles.SECRETARIAT_EXTRA_PERMISSIONS
names it for new databases; this grants it where the group already exists)."""

from django.db import migrations

PERMISSION = ("audit", "view_auditentry")


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from members import roles

    # Permissions are normally made after all migrations (post_migrate).
    config = apps.get_app_config("audit")
    config.models_module = True
    create_permissions(config, verbosity=0)
    config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.get(
        content_type__app_label=PERMISSION[0], codename=PERMISSION[1]
    )
    for group in Group.objects.filter(name=roles.SECRETARIAT):
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    from members import roles

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=roles.SECRETARIAT):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label=PERMISSION[0], codename=PERMISSION[1]
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
        ("members", "0002_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
