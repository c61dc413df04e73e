"""The secretariat sees the reminder log and the schedule, sends failed reminders again and
runs the reminders by hand (change), and keeps persons' language preferences."""

from django.db import migrations

SECRETARIAT = "secretariat"
CODENAMES = [
    "view_reminderlog",
    "change_reminderlog",
    "view_reminderrun",
    "view_contactpreference",
    "add_contactpreference",
    "change_contactpreference",
    "delete_contactpreference",
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make ours now.
    app_config = apps.get_app_config("reminders")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=SECRETARIAT)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="reminders", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=SECRETARIAT):
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label="reminders", codename__in=CODENAMES
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reminders", "0001_initial"),
        ("members", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
