"""The 2023 plan as shipped, checked against the adopted document itself
(tests/data/verksamhetsplan-2023.txt, the text of the PDF as adopted)."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import F
from modeltranslation.translator import translator

from events.models import Event
from members.models import Body, County, Organisation, Partnership
from plan.models import Activity, CommunicationPriority, Goal, Indicator, Plan, Section
from plan.seed import SeedError, plan_seed_load, read_seed

SEED = Path(__file__).resolve().parent.parent / "data" / "verksamhetsplan-2023.txt"

# Obvious typos of the adopted document that the shipped plan corrects.
CORRECTIONS = {
    "Godstransporrådet": "Godstransportrådet",
    "perspektivför": "perspektiv för",
    "Stockholmregionens": "Stockholmsregionens",
    "högsta beslutade organ": "högsta beslutande organ",
    "dessa utbildningar möjlighet": "dessa utbildningars möjlighet",
    "Regeringen, har efter riksdagens rambeslut,": "Regeringen har, efter riksdagens rambeslut,",
}
# Labels the portal renders itself rather than storing them as text.
LABELS = re.compile(r"^(Övergripande mål|Aktivitet(er|erna)? innefattar):?$")

BULLET = "•"


def seed_lines() -> list[str]:
    lines = []
    for raw in SEED.read_text(encoding="utf-8").splitlines():
        line = " ".join(raw.split())
        for wrong, right in CORRECTIONS.items():
            line = line.replace(wrong, right)
        if line:
            lines.append(line)
    return lines


def normalise(text: str) -> str:
    return " ".join(text.replace(BULLET, " ").split()).lower()


def heading_of(line: str) -> str:
    """'1.1 Infrastruktur och transporter (En Bättre Sits)' -> the heading alone."""
    return re.sub(r"^\d+(\.\d+)*\.?\s*", "", line).rstrip(":").strip()


def first_words(text: str, n: int = 4) -> str:
    words = normalise(text).split()
    return " ".join(words[:n]).rstrip(".,:")


def seed_blocks(lines, sections):
    """Split the document at the sections' headings, in order, and return for each
    section the bullets of its 'Övergripande mål' and 'Aktiviteter' blocks."""
    positions = []
    start = 0
    for section in sections:
        for index in range(start, len(lines)):
            if heading_of(lines[index]) == section.heading_sv:
                positions.append(index)
                start = index + 1
                break
        else:
            pytest.fail(f"Heading {section.heading_sv!r} not found in document order")
    positions.append(len(lines))
    blocks = {}
    for section, begin, end in zip(sections, positions, positions[1:], strict=False):
        goals, activities, current = [], [], None
        for line in lines[begin + 1 : end]:
            if line.startswith("Övergripande mål"):
                current = goals
            elif re.match(r"Aktivitet(er|erna)? innefattar", line):
                current = activities
            elif line.startswith(BULLET) and current is not None:
                current.append(line[1:].strip())
        blocks[section.slug] = (goals, activities)
    return blocks


@pytest.fixture
def loaded(db):
    call_command("load_plan_2023", verbosity=0)
    return Plan.objects.get(year=2023)


def goals_from_text() -> dict[str, list[str]]:
    """The goals the plan states in a section's text rather than in a list of goals
    (sections 2, 2.1 and 2.7), by section key, as the seed file marks them."""
    found = {}

    def walk(items):
        for item in items:
            texts = [g["sv"] for g in item.get("goals") or [] if g.get("from_text")]
            if texts:
                found[item["key"]] = texts
            walk(item.get("sections") or [])

    walk(read_seed()["sections"])
    return found


def test_every_section_has_the_documents_goals_and_activities_in_order(loaded):
    sections = list(loaded.sections.order_by("order"))
    blocks = seed_blocks(seed_lines(), sections)
    from_text = goals_from_text()
    total_goals = total_activities = 0
    for section in sections:
        goals, activities = blocks[section.slug]
        db_goals = [
            text
            for text in section.goals.order_by("order").values_list("text_sv", flat=True)
            if text not in from_text.get(section.slug, [])
        ]
        db_activities = list(section.activities.order_by("order").values_list("text_sv", flat=True))
        assert [first_words(t) for t in db_goals] == [first_words(t) for t in goals], section
        assert [first_words(t) for t in db_activities] == [first_words(t) for t in activities], (
            section
        )
        total_goals += len(goals)
        total_activities += len(activities)
    # The document's own counts, so a parser that finds nothing cannot pass.
    assert total_goals == Goal.objects.count() - 3 == 17
    assert total_activities == Activity.objects.count() == 50


def test_the_goals_the_plan_states_in_its_text_are_goals_in_both_languages(loaded):
    from_text = goals_from_text()
    assert sorted(from_text) == [
        "almedalen",
        "malartinget",
        "storregionala-motesplatser-och-relationer",
    ]
    for key, texts in from_text.items():
        section = loaded.sections.get(slug=key)
        goals = list(section.goals.all())
        assert [g.text_sv for g in goals] == texts
        for goal in goals:
            # The sentence of the section's text (the document's, checked above), from
            # "att …" to its end.
            assert f"är {normalise(goal.text_sv)}" in normalise(section.body_sv)
            assert goal.text_en.startswith("To ") and goal.text_en != goal.text_sv


def test_every_activity_contributes_to_the_goals_of_its_section_or_the_section_above(loaded):
    for activity in Activity.objects.select_related("section__parent"):
        section = activity.section
        expected = list(section.goals.order_by("order"))
        ancestor = section.parent
        while not expected and ancestor is not None:
            expected = list(ancestor.goals.order_by("order"))
            ancestor = ancestor.parent
        linked = list(activity.goals.order_by("activity_links__order"))
        assert linked == expected, activity
    # Every goal of 2023 has at least one activity that contributes to it.
    assert not Goal.objects.filter(activities__isnull=True).exists()
    assert Goal.objects.count() == 20
    meeting_places = loaded.sections.get(number="2").goals.get()
    assert meeting_places.activities.count() == 13  # those of 2.4, 2.5 and 2.6
    assert {a.section.number for a in meeting_places.activities.all()} == {"2.4", "2.5", "2.6"}


def test_the_key_figures_hold_no_invented_year_and_keep_the_plans_words(loaded):
    from plan.models import IndicatorValue

    assert not IndicatorValue.objects.exclude(year=None).exists()
    assert not IndicatorValue.objects.exclude(source_sv="").exists()
    workers = IndicatorValue.objects.get(indicator__slug="forvarvsarbetande")
    assert (workers.headline_sv, workers.headline_en) == (
        "Över två miljoner",
        "More than two million",
    )
    investments = IndicatorValue.objects.get(indicator__slug="infrastrukturinvesteringar")
    assert investments.headline_sv == "Nästan 900 miljarder kronor"
    # Each figure belongs to the plan or to the section that states it.
    assert Indicator.objects.get(slug="befolkning").plan == loaded
    assert Indicator.objects.get(slug="larosaten").section.slug == "kompetensforsorjning"
    assert not Indicator.objects.filter(plan=None, section=None, goal=None).exists()


def test_the_section_tree_follows_the_document(loaded):
    top = loaded.sections.filter(parent=None).order_by("order")
    assert [(s.number, s.heading_en) for s in top] == [
        ("1", "Focus areas"),
        ("2", top[1].heading_en),
        ("3", "Communication"),
        ("4", "Memberships"),
    ]
    numbered = loaded.sections.exclude(number="").order_by("order")
    assert [s.number for s in numbered] == [
        "1", "1.1", "1.2", "1.3",
        "2", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7",
        "3", "4", "4.1", "4.2",
    ]  # fmt: skip
    ebs = loaded.sections.get(number="1.1")
    assert [c.heading_sv for c in ebs.children.order_by("order")] == [
        "Systemanalys 2024",
        "Storregional godsstrategi och godstransportråd",
    ]
    assert ebs.programme == "ebs" and ebs.direction_goal.name_sv == "En sammanhållen region"


def test_no_line_of_the_document_is_lost(loaded):
    """Every line of the adopted document appears in the Swedish texts of the portal."""
    corpus_parts = []
    for model in translator.get_registered_models():
        if model._meta.app_label not in {"plan", "members", "events", "ebs", "ebm"}:
            continue
        fields = [f"{name}_sv" for name in translator.get_options_for_model(model).fields]
        for row in model.objects.values_list(*fields):
            corpus_parts.extend(value for value in row if value)
    corpus = normalise(" ".join(corpus_parts))
    missing = []
    for line in seed_lines():
        if LABELS.match(line):
            continue
        text = heading_of(line) if re.match(r"^\d", line) else line
        # A word split by a line break in the PDF ("bostads-" / "marknaden") is joined in
        # the plan, so a line's trailing hyphen is not part of what must be found.
        text = normalise(text).rstrip("-").strip()
        if text not in corpus:
            missing.append(line)
    assert missing == []


def test_every_text_has_its_english_translation(loaded):
    untranslated = []
    for model in translator.get_registered_models():
        for name in translator.get_options_for_model(model).fields:
            for pk, sv, en in model.objects.values_list("pk", f"{name}_sv", f"{name}_en"):
                if (sv or "").strip() and not (en or "").strip():
                    untranslated.append(f"{model.__name__}.{name} #{pk}")
    assert untranslated == []
    assert Activity.objects.exclude(text_en="").count() == 50


def test_english_is_a_translation_not_a_copy(loaded):
    assert not Activity.objects.filter(text_en=F("text_sv")).exists()
    assert not Goal.objects.filter(text_en=F("text_sv")).exists()
    assert not Section.objects.exclude(body_sv="").filter(body_en=F("body_sv")).exists()


def test_meeting_places_and_registers(loaded):
    malartinget = Event.objects.get(kind=Event.Kind.MALARTINGET)
    assert (malartinget.start_date.isoformat(), malartinget.end_date.isoformat()) == (
        "2023-05-04",
        "2023-05-05",
    )
    assert malartinget.place_sv == "Södertälje"
    assert {o.name_sv for o in malartinget.hosts.all()} >= {"Södertälje kommun", "Region Stockholm"}
    almedalen = Event.objects.get(kind=Event.Kind.ALMEDALEN)
    assert (almedalen.start_date.isoformat(), almedalen.end_date.isoformat()) == (
        "2023-06-27",
        "2023-07-01",
    )
    assert almedalen.place_sv == "Visby"
    assert Event.objects.filter(kind=Event.Kind.BOARD_MEETING).count() == 4
    for kind in ("council_meeting", "freight_day", "maritime_day", "study_trip"):
        assert Event.objects.filter(kind=kind).exists(), kind
    freight_day = Event.objects.get(kind=Event.Kind.FREIGHT_DAY)
    assert freight_day.activities.get().text_sv.startswith("Att anordna en årlig godstransportdag")

    assert {c.code for c in County.objects.all()} >= {
        "01", "03", "04", "05", "09", "17", "18", "19", "20", "21"
    }  # fmt: skip
    from ebm.models import ParticipatingRegion
    from ebs.models import ParticipatingCounty

    assert ParticipatingCounty.objects.count() == 7
    assert ParticipatingRegion.objects.count() == 9
    assert not ParticipatingCounty.objects.filter(county__code="21").exists()
    assert {(p.organisation.slug, p.kind) for p in Partnership.objects.all()} >= {
        ("sef", "member"),
        ("reglab", "partner"),
        ("trafikverket", "collaboration"),
    }
    assert Body.objects.filter(parent__slug="godstransportradet").count() == 3
    assert Organisation.objects.filter(kind=Organisation.Kind.REGION).count() >= 10
    assert CommunicationPriority.objects.count() == 2
    population = Indicator.objects.get(slug="befolkning").values.get()
    assert float(population.value) == 4.3
    assert loaded.direction_goals.count() == 2
    assert loaded.priority_areas.count() == 2


def snapshot():
    rows = {}
    for app_label in ("members", "plan", "ebs", "ebm", "events"):
        for model in apps.get_app_config(app_label).get_models():
            rows[model.__name__] = sorted(
                (tuple(sorted(r.items())) for r in model.objects.values()), key=repr
            )
            for m2m in model._meta.many_to_many:
                through = m2m.remote_field.through
                rows[f"{model.__name__}.{m2m.name}"] = sorted(
                    tuple(sorted(r.items())) for r in through.objects.values()
                )
    return rows


def test_a_second_load_changes_nothing(loaded, capsys):
    before = snapshot()
    call_command("load_plan_2023")
    assert "nothing changed" in capsys.readouterr().out
    assert snapshot() == before
    # Nor does an update run, when nothing was edited.
    assert not plan_seed_load(update=True).changed
    assert snapshot() == before


def test_a_load_keeps_the_secretariats_edits_unless_asked_to_update(loaded):
    section = Section.objects.get(plan=loaded, number="2.3")
    section.heading_en = "Board meetings (edited)"
    section.save()
    Goal.objects.filter(section__number="1.1").first().delete()
    call_command("load_plan_2023", verbosity=0)
    section.refresh_from_db()
    assert section.heading_en == "Board meetings (edited)"
    # The plan is adopted: its texts change only by an amendment, so --update refuses
    # to overwrite them (and changes nothing) rather than undo one silently.
    with pytest.raises(CommandError, match="2023.*(amendment|ändring)"):
        call_command("load_plan_2023", "--update", verbosity=0)
    section.refresh_from_db()
    assert section.heading_en == "Board meetings (edited)"
    # With an amendment being prepared the texts are open, and --update restores them.
    Plan.objects.filter(pk=loaded.pk).update(status=Plan.Status.AMENDING)
    call_command("load_plan_2023", "--update", verbosity=0)
    section.refresh_from_db()
    assert section.heading_en != "Board meetings (edited)"
    assert Goal.objects.filter(section__number="1.1").count() == 3
    assert Plan.objects.get(pk=loaded.pk).status == Plan.Status.AMENDING


def test_a_broken_seed_loads_nothing(db):
    data = read_seed()
    data["events"][0]["start_date"] = "2023-13-45"
    with pytest.raises(SeedError, match="Not a date"):
        plan_seed_load(data=data)
    assert Plan.objects.count() == 0 and Section.objects.count() == 0


def test_the_command_reports_a_broken_seed(db, monkeypatch):
    def broken(**kwargs):
        raise SeedError("Unknown section 'nowhere'")

    monkeypatch.setattr("plan.management.commands.load_plan_2023.plan_seed_load", broken)
    with pytest.raises(CommandError, match="Unknown section"):
        call_command("load_plan_2023")
