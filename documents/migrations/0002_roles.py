"""The secretariat keeps the documents; the board (and the secretariat) read the
board's documents."""

from django.db import migrations

SECRETARIAT = "secretariat"
BOARD = "board"
SECRETARIAT_CODENAMES = [
    "view_document",
    "add_document",
    "change_document",
    "delete_document",
    "view_board_document",
]
BOARD_CODENAMES = ["view_board_document"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations; make ours now.
    app_config = apps.get_app_config("documents")
    app_config.models_module = True
    create_permissions(app_config, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ((SECRETARIAT, SECRETARIAT_CODENAMES), (BOARD, BOARD_CODENAMES)):
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="documents", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name__in=[SECRETARIAT, BOARD]):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="documents")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0001_initial"),
        ("members", "0002_roles"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
