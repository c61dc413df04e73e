"""Create the groups member, board and secretariat with their permissions."""

from django.db import migrations

ROLE_APPS = ("members", "plan", "ebs", "ebm", "events")


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from members import roles

    # Permissions are normally made after all migrations (post_migrate); make them now
    # so the groups can be given them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    migrated_apps = {model._meta.app_label for model in apps.get_models()}

    def perms(names):
        result = []
        for name in names:
            app_label, codename = name.split(".")
            if app_label not in migrated_apps:
                # An app migrated after this one (audit) grants its permission to the
                # group in a migration of its own.
                continue
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is None:
                # A model added by a later migration of its app (plan.GoalAssessment)
                # grants its permission to the groups in that migration.
                continue
            result.append(permission)
        return result

    member, _ = Group.objects.get_or_create(name=roles.MEMBER)
    member.permissions.set(perms(roles.MEMBER_PERMISSIONS))

    board, _ = Group.objects.get_or_create(name=roles.BOARD)
    board_perms = perms(roles.BOARD_PERMISSIONS)
    board_perms += list(
        Permission.objects.filter(
            content_type__app_label__in=ROLE_APPS, codename__startswith="view_"
        )
    )
    board.permissions.set(board_perms)

    secretariat, _ = Group.objects.get_or_create(name=roles.SECRETARIAT)
    secretariat.permissions.set(
        list(Permission.objects.filter(content_type__app_label__in=ROLE_APPS))
        + perms(roles.SECRETARIAT_EXTRA_PERMISSIONS)
    )


def remove_roles(apps, schema_editor):
    from members import roles

    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[roles.MEMBER, roles.BOARD, roles.SECRETARIAT]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0001_initial"),
        ("plan", "0001_initial"),
        ("ebs", "0001_initial"),
        ("ebm", "0001_initial"),
        ("events", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
