"""The follow-up's starting data: the default statuses, a short name for any status made
before, the default reporting periods for every plan that has none, and the permissions
on report requests for the board (view) and the secretariat (everything)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from plan.defaults import DEFAULT_STATUSES, default_periods

    Status = apps.get_model("plan", "Status")
    Plan = apps.get_model("plan", "Plan")
    ReportingPeriod = apps.get_model("plan", "ReportingPeriod")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    for status in Status.objects.filter(slug__isnull=True):
        status.slug = f"status-{status.pk}"
        status.save(update_fields=["slug"])

    for order, (slug, name_sv, name_en, colour, progress, delayed) in enumerate(
        DEFAULT_STATUSES, start=1
    ):
        if Status.objects.filter(slug=slug).exists():
            continue
        Status.objects.create(
            slug=slug,
            name=name_sv,
            name_sv=name_sv,
            name_en=name_en,
            colour=colour,
            default_progress=progress,
            is_delayed=delayed,
            order=order,
        )

    for plan in Plan.objects.filter(periods__isnull=True):
        for values in default_periods(plan.year):
            ReportingPeriod.objects.create(plan=plan, name=values["name_sv"], **values)

    # Permissions are normally made after all migrations; make them now so the groups
    # can be given them on a fresh database.
    plan_config = apps.get_app_config("plan")
    plan_config.models_module = True
    create_permissions(plan_config, verbosity=0)
    plan_config.models_module = None
    perms = {
        p.codename: p
        for p in Permission.objects.filter(
            content_type__app_label="plan", content_type__model="reportrequest"
        )
    }
    for group in Group.objects.filter(name="secretariat"):
        group.permissions.add(*perms.values())
    for group in Group.objects.filter(name="board"):
        if "view_reportrequest" in perms:
            group.permissions.add(perms["view_reportrequest"])


class Migration(migrations.Migration):
    dependencies = [
        ("plan", "0003_followup"),
        ("members", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
