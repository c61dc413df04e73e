"""The secretariat keeps the contact details."""

from django.db import migrations

SECRETARIAT = "secretariat"
SECRETARIAT_CODENAMES = ["view_contactdetails", "add_contactdetails", "change_contactdetails"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make ours now.
    app_config = apps.get_app_config("about")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ((SECRETARIAT, SECRETARIAT_CODENAMES),):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="about", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name=SECRETARIAT):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="about")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("about", "0001_initial"),
        ("members", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
