"""The goal assessment scale as shipped (uppfyllt / delvis uppfyllt / ej uppfyllt /
ej bedömt), and the permissions on the new models: the secretariat gets all of them,
the board may view them and record assessments (members.roles.BOARD_PERMISSIONS).

Where the 2023 plan's key figures were loaded before, they are put right as the seed
now loads them: no invented year (2022) where the plan gives none and no source says
so, the plan's own words ("över två miljoner") as the headline, and each figure tied
to the plan or the section that states it."""

from django.db import migrations

NEW_MODELS = ("activitygoal", "assessmentlevel", "goalassessment")

# The 2023 plan's key figures: slug -> the section that states them (None: the plan).
SEED_FIGURES_2023 = {
    "befolkning": None,
    "andel-av-bnp": None,
    "forvarvsarbetande": None,
    "pendlare-over-kommungrans": None,
    "godsmangd": None,
    "larosaten": "kompetensforsorjning",
    "infrastrukturinvesteringar": "samhallsbyggare-inom-infrastruktursektorn",
    "tag-via-stockholm": "samhallsbyggare-inom-infrastruktursektorn",
}
# The notes the seed gave, which are the plan's wording of the figure itself.
SEED_HEADLINES = {"Över två miljoner", "Nästan 900 miljarder kronor"}


def fix_seed_figures(apps):
    Plan = apps.get_model("plan", "Plan")
    Section = apps.get_model("plan", "Section")
    Indicator = apps.get_model("plan", "Indicator")
    IndicatorValue = apps.get_model("plan", "IndicatorValue")
    plan = Plan.objects.filter(year=2023).first()
    if plan is None:
        return
    for slug, section_slug in SEED_FIGURES_2023.items():
        indicator = Indicator.objects.filter(slug=slug).first()
        if indicator is None:
            continue
        if not (indicator.plan_id or indicator.section_id or indicator.goal_id):
            section = (
                Section.objects.filter(plan=plan, slug=section_slug).first()
                if section_slug
                else None
            )
            if section_slug and section is None:
                continue
            indicator.plan = None if section else plan
            indicator.section = section
            indicator.save(update_fields=["plan", "section"])
        for value in IndicatorValue.objects.filter(
            indicator=indicator, year=2022, source_sv="", source_en=""
        ):
            value.year = None
            if value.note_sv in SEED_HEADLINES:
                value.headline = value.headline_sv = value.note_sv
                value.headline_en = value.note_en
                value.note = value.note_sv = value.note_en = ""
            value.save()


def forwards(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    from members import roles
    from plan.defaults import DEFAULT_ASSESSMENT_LEVELS

    AssessmentLevel = apps.get_model("plan", "AssessmentLevel")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    for order, (slug, name_sv, name_en, colour, counts) in enumerate(
        DEFAULT_ASSESSMENT_LEVELS, start=1
    ):
        if AssessmentLevel.objects.filter(slug=slug).exists():
            continue
        AssessmentLevel.objects.create(
            slug=slug,
            name=name_sv,
            name_sv=name_sv,
            name_en=name_en,
            colour=colour,
            counts_as_assessed=counts,
            order=order,
        )

    fix_seed_figures(apps)

    # Permissions are normally made after all migrations; make them now so the groups
    # can be given them on a fresh database.
    plan_config = apps.get_app_config("plan")
    plan_config.models_module = True
    create_permissions(plan_config, verbosity=0)
    plan_config.models_module = None

    perms = list(
        Permission.objects.filter(
            content_type__app_label="plan", content_type__model__in=NEW_MODELS
        )
    )
    board_codenames = {"add_goalassessment"} | {
        p.codename for p in perms if p.codename.startswith("view_")
    }
    for group in Group.objects.filter(name=roles.SECRETARIAT):
        group.permissions.add(*perms)
    for group in Group.objects.filter(name=roles.BOARD):
        group.permissions.add(*[p for p in perms if p.codename in board_codenames])


def backwards(apps, schema_editor):
    AssessmentLevel = apps.get_model("plan", "AssessmentLevel")
    IndicatorValue = apps.get_model("plan", "IndicatorValue")
    # Before 0010 every value had a year: a value without one gets year 0 ("no year"),
    # one per indicator (the newest), so the column can be made required again.
    seen = set()
    for value in IndicatorValue.objects.filter(year__isnull=True).order_by("-pk"):
        if value.indicator_id in seen:
            value.delete()
            continue
        seen.add(value.indicator_id)
        value.year = 0
        value.save(update_fields=["year"])
    AssessmentLevel.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plan", "0010_goals_assessments_indicators"),
        ("members", "0002_roles"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
