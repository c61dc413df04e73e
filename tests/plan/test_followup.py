"""The follow-up's rules: default periods and statuses, who may report what, locked
periods, and how progress rolls up from activities to sections, programmes and the plan.
Also the SVG charts the pages and PDFs share."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plan import charts
from plan.followup import current_period, latest_updates, owned_activities, plan_followup
from plan.models import Plan, ReportingPeriod, Status, StatusUpdate
from plan.services import (
    reporting_period_lock,
    reporting_period_unlock,
    reporting_periods_create_default,
    status_update_create,
)
from tests.factories import ActivityFactory, PlanFactory, SectionFactory, UserFactory

from . import followup_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def fp(db):
    return followup_data.build()


@pytest.fixture
def secretariat(secretariat_user):
    return secretariat_user


# --- defaults -------------------------------------------------------------------------


def test_the_default_statuses_are_there_in_both_languages():
    names = {s.slug: (s.name_sv, s.name_en) for s in Status.objects.all()}
    assert names["not-started"] == ("Ej påbörjad", "Not started")
    assert names["on-track"] == ("Enligt plan", "On track")
    assert names["at-risk"] == ("Risk för avvikelse", "At risk")
    assert names["delayed"] == ("Försenad", "Delayed")
    assert names["completed"] == ("Genomförd", "Completed")
    assert names["cancelled"] == ("Avbruten", "Cancelled")
    assert Status.objects.get(slug="completed").default_progress == 100
    assert Status.objects.get(slug="delayed").is_delayed


def test_a_plan_gets_tertial_1_tertial_2_and_the_full_year_with_due_dates():
    plan = PlanFactory(year=2027)
    created = reporting_periods_create_default(plan=plan)
    assert [(p.slug, p.name_sv, p.name_en) for p in created] == [
        ("t1", "Tertial 1", "First four-month period"),
        ("t2", "Tertial 2", "Second four-month period"),
        ("year", "Helår", "Full year"),
    ]
    t1, t2, year = created
    assert (t1.starts_on, t1.ends_on, t1.due_date) == (
        datetime.date(2027, 1, 1),
        datetime.date(2027, 4, 30),
        datetime.date(2027, 5, 15),
    )
    assert (t2.starts_on, t2.ends_on) == (datetime.date(2027, 5, 1), datetime.date(2027, 8, 31))
    assert year.due_date == datetime.date(2028, 1, 31)
    # A second call, or a plan whose periods the secretariat set up, is left alone.
    assert reporting_periods_create_default(plan=plan) == []
    assert plan.periods.count() == 3
    other = PlanFactory(year=2028)
    ReportingPeriod.objects.create(
        plan=other,
        name_sv="Halvår",
        name_en="Half year",
        starts_on=datetime.date(2028, 1, 1),
        ends_on=datetime.date(2028, 6, 30),
        due_date=datetime.date(2028, 7, 15),
    )
    assert reporting_periods_create_default(plan=other) == []
    assert other.periods.count() == 1


def test_the_setup_command_gives_every_plan_without_periods_the_defaults(capsys):
    PlanFactory(year=2026)
    PlanFactory(year=2027)
    call_command("create_default_periods")
    assert "Created 3 reporting periods for 2026." in capsys.readouterr().out
    assert ReportingPeriod.objects.filter(plan__year__in=[2026, 2027]).count() == 6
    call_command("create_default_periods")
    assert "nothing changed" in capsys.readouterr().out
    assert ReportingPeriod.objects.filter(plan__year__in=[2026, 2027]).count() == 6


def test_a_plan_added_in_the_admin_gets_the_default_periods(client, secretariat):
    client.force_login(secretariat)
    response = client.post(
        "/sv/admin/plan/plan/add/",
        {
            "year": "2029",
            "title_sv": "Verksamhetsplan 2029",
            "title_en": "Operations plan 2029",
            "status": "draft",
            **{
                f"{prefix}-{key}": value
                for prefix in (
                    "direction_goals",
                    "priority_areas",
                    "communication_priorities",
                    "periods",
                    # The documents attached to the plan (documents app).
                    "documents-document-content_type-object_id",
                )
                for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = Plan.objects.get(year=2029)
    assert list(plan.periods.values_list("slug", flat=True)) == ["t1", "t2", "year"]


# --- reporting ------------------------------------------------------------------------


def test_an_owner_reports_and_the_history_keeps_who_and_when(fp):
    first = status_update_create(
        activity=fp.a1,
        period=fp.t1,
        status=fp.on_track,
        progress=30,
        comment="  Möte hållet.  ",
        by=fp.anna,
    )
    second = status_update_create(
        activity=fp.a1, period=fp.t1, status=fp.delayed, progress=None, comment="", by=fp.anna
    )
    assert (first.reported_by, first.comment, first.progress) == (fp.anna, "Möte hållet.", 30)
    # Without a progress, the status's default progress is used.
    assert second.progress == fp.delayed.default_progress
    assert first.reported_at is not None
    assert list(StatusUpdate.objects.filter(activity=fp.a1).order_by("pk")) == [first, second]
    assert [u.pk for u in latest_updates(period=fp.t1)] == [second.pk]


def test_someone_elses_activity_is_refused_and_nothing_is_written(fp):
    with pytest.raises(PermissionDenied, match="ansvarar för"):  # Swedish first
        status_update_create(
            activity=fp.a3, period=fp.t1, status=fp.on_track, progress=10, by=fp.anna
        )
    visitor = UserFactory(username="besok")
    with pytest.raises(PermissionDenied):
        status_update_create(
            activity=fp.a1, period=fp.t1, status=fp.on_track, progress=10, by=visitor
        )
    assert not StatusUpdate.objects.exists()


def test_the_secretariat_reports_for_anyone(fp, secretariat):
    update = status_update_create(
        activity=fp.a3, period=fp.t1, status=fp.on_track, progress=10, by=secretariat
    )
    assert update.reported_by == secretariat


@pytest.mark.parametrize("progress", [-1, 101, 250, "12.5", "abc", True, 50.5])
def test_progress_outside_0_to_100_is_refused_with_a_clear_message(fp, progress):
    with pytest.raises(ValidationError) as error:
        status_update_create(
            activity=fp.a1, period=fp.t1, status=fp.on_track, progress=progress, by=fp.anna
        )
    message = " ".join(error.value.message_dict["progress"])
    assert "0" in message and "100" in message
    assert not StatusUpdate.objects.exists()


@pytest.mark.parametrize("progress", [0, 100, "75", 40.0])
def test_progress_from_0_to_100_is_taken(fp, progress):
    update = status_update_create(
        activity=fp.a1, period=fp.t1, status=fp.on_track, progress=progress, by=fp.anna
    )
    assert update.progress == int(float(progress))


def test_a_locked_period_takes_no_reports_but_keeps_its_history(fp, secretariat):
    kept = status_update_create(
        activity=fp.a1, period=fp.t1, status=fp.on_track, progress=30, by=fp.anna
    )
    reporting_period_lock(period=fp.t1, by=secretariat)
    for user in (fp.anna, secretariat):
        with pytest.raises(ValidationError) as error:
            status_update_create(
                activity=fp.a1, period=fp.t1, status=fp.on_track, progress=40, by=user
            )
        assert "Tertial 1 är låst" in " ".join(error.value.message_dict["period"])
    assert list(StatusUpdate.objects.all()) == [kept]
    kept.full_clean()  # history made before the lock stays valid
    reporting_period_unlock(period=fp.t1, by=secretariat)
    status_update_create(activity=fp.a1, period=fp.t1, status=fp.on_track, progress=40, by=fp.anna)
    assert StatusUpdate.objects.count() == 2


def test_only_those_who_may_change_periods_lock_them(fp):
    with pytest.raises(PermissionDenied):
        reporting_period_lock(period=fp.t1, by=fp.anna)
    fp.t1.refresh_from_db()
    assert not fp.t1.is_locked


def test_a_period_of_another_years_plan_is_refused(fp, secretariat):
    other = PlanFactory(year=followup_data.YEAR + 5)
    other_period = reporting_periods_create_default(plan=other)[0]
    with pytest.raises(ValidationError) as error:
        status_update_create(
            activity=fp.a1, period=other_period, status=fp.on_track, progress=1, by=secretariat
        )
    assert "annat års plan" in " ".join(error.value.message_dict["period"])
    assert not StatusUpdate.objects.exists()


# --- which period is current ------------------------------------------------------------


def test_the_current_period_is_the_open_one_due_next(fp):
    periods = [fp.t1, fp.t2, fp.year]
    year = followup_data.YEAR
    assert current_period(periods, on=datetime.date(year, 2, 1)) == fp.t1
    assert current_period(periods, on=datetime.date(year, 6, 1)) == fp.t2
    assert current_period(periods, on=datetime.date(year, 10, 1)) == fp.year
    # After every due date: the one due last.
    assert current_period(periods, on=datetime.date(year + 1, 3, 1)) == fp.year
    fp.t2.is_locked = True
    assert current_period(periods, on=datetime.date(year, 6, 1)) == fp.year


def test_my_activities_lists_the_owners_activities_with_their_open_periods(fp):
    owned = owned_activities(fp.anna, on=followup_data.DAY_IN_T2)
    assert [group.plan for group in owned] == [fp.plan]
    assert [item.activity for item in owned[0].activities] == [fp.a1, fp.a2]
    # The period due next first; tertial 1 (its due date passed) is still open.
    assert owned[0].periods == [fp.t2, fp.t1, fp.year]
    reporting_period_lock(period=fp.t1)
    owned = owned_activities(fp.anna, on=followup_data.DAY_IN_T2)
    assert owned[0].periods == [fp.t2, fp.year]
    assert owned_activities(fp.anna, on=datetime.date(followup_data.YEAR - 1, 6, 1)) == []


# --- roll-up ----------------------------------------------------------------------------


def report(fp, activity, status, progress, period=None):
    return StatusUpdate.objects.create(
        activity=activity, period=period or fp.t2, status=status, progress=progress
    )


def test_progress_rolls_up_to_sections_programmes_and_the_plan(fp):
    report(fp, fp.a1, fp.on_track, 10)
    report(fp, fp.a1, fp.on_track, 60)  # the newer report counts
    report(fp, fp.a2, fp.delayed, 25)
    report(fp, fp.a3, fp.completed, 100, period=fp.t1)  # carries forward into t2
    result = plan_followup(fp.plan, fp.t2, on=followup_data.DAY_IN_T2)
    by_slug = {s.section.slug: s for s in result.sections}
    infra = by_slug["infrastruktur"]
    assert [a.progress for a in infra.activities] == [60, 25]
    assert infra.own.progress == 43  # (60 + 25) / 2 = 42.5, rounded half up
    # A status named "Försenad" is what the owner reported, not "late": no end date.
    assert infra.own.late == 0
    # The top section has no activities of its own but rolls up its sub-section.
    assert by_slug["fokus"].own.activity_count == 0
    assert by_slug["fokus"].total.progress == 43
    # A3's tertial 1 report is its latest up to tertial 2.
    meetings = by_slug["motesplatser"]
    assert (meetings.total.progress, meetings.total.unreported) == (100, 0)
    assert (result.total.activity_count, result.total.progress) == (3, 62)  # 185 / 3
    assert dict(result.programmes)["En Bättre Sits"].progress == 43
    counts = {c.label: c.count for c in result.status_counts()}
    assert counts == {"Enligt plan": 1, "Försenad": 1, "Genomförd": 1}
    # Tertial 2's reports are not due yet: nothing is missing.
    assert result.needing_attention == []
    # Tertial 1 (due date passed): A1 and A2 have no report in it.
    earlier = plan_followup(fp.plan, fp.t1, on=followup_data.DAY_IN_T2)
    assert earlier.total.report_missing == 2
    assert [a.activity for a in earlier.needing_attention] == [fp.a1, fp.a2]
    assert (earlier.total.progress, earlier.total.unreported) == (33, 2)


def test_an_activity_past_its_end_date_and_not_done_is_late(fp):
    fp.a1.end_date = datetime.date(followup_data.YEAR, 3, 1)
    fp.a1.save()
    fp.a3.end_date = datetime.date(followup_data.YEAR, 3, 1)
    fp.a3.save()
    report(fp, fp.a1, fp.on_track, 90)
    report(fp, fp.a3, fp.completed, 100)
    result = plan_followup(fp.plan, fp.t2, on=followup_data.DAY_IN_T2)
    late = {a.activity.pk: a.is_late for s in result.sections for a in s.activities}
    assert late == {fp.a1.pk: True, fp.a2.pk: False, fp.a3.pk: False}


def test_the_roll_up_runs_a_fixed_number_of_queries(fp):
    def count():
        with CaptureQueriesContext(connection) as queries:
            result = plan_followup(fp.plan, fp.t2, on=followup_data.DAY_IN_T2)
            assert result.total.activity_count
        return len(queries)

    small = count()
    for n in range(10):
        section = SectionFactory(plan=fp.plan, slug=f"extra-{n}", order=10 + n)
        for _ in range(3):
            activity = ActivityFactory(section=section)
            report(fp, activity, fp.on_track, 50)
            report(fp, activity, fp.delayed, 20)
    assert count() == small <= 8


# --- charts -----------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def test_the_status_chart_is_an_accessible_escaped_svg_without_style_attributes():
    svg = charts.status_distribution_svg(
        [("På <spår>", 3, "#1a7f37"), ("Försenad", 1, "#b3261e"), ("Avbruten", 0, "#5a2d82")],
        title="Aktiviteter & status",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert title.text == "Aktiviteter & status"
    assert set(root.get("aria-labelledby").split()) == {title.get("id"), desc.get("id")}
    assert "På <spår>: 3 (75\N{NO-BREAK SPACE}%)" in desc.text
    assert "Försenad: 1 (25\N{NO-BREAK SPACE}%)" in desc.text
    assert "<spår>" not in svg and "style=" not in svg
    bars = [r for r in root.findall(f"{SVG}rect") if r.get("height") == "32"]
    assert [(b.get("fill"), float(b.get("width"))) for b in bars] == [
        ("#1a7f37", 480.0),
        ("#b3261e", 160.0),
    ]
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert (
        "Avbruten: 0 (0\N{NO-BREAK SPACE}%)" in texts
    )  # a status with no activities stays in the legend


def test_the_progress_charts_show_each_value_as_text_too():
    svg = charts.progress_bars_svg([("1.1 Infra", 42.5), ("2 Möten", 140)], title="Framsteg")
    root = parse(svg)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts == ["1.1 Infra", "43\N{NO-BREAK SPACE}%", "2 Möten", "100\N{NO-BREAK SPACE}%"]
    bar = parse(charts.progress_bar_svg(-5, label="Framsteg"))
    assert bar.get("role") == "img"
    assert bar.find(f"{SVG}title").text == "Framsteg: 0\N{NO-BREAK SPACE}%"
    assert "style=" not in charts.progress_bar_svg(30, label="x")


def test_charts_do_not_depend_on_the_page_language(settings):
    from django.utils import translation

    with translation.override("sv"):
        svg = charts.progress_bars_svg([("a", 33.33)], title="t")
    assert not re.search(r'="\d+,\d+"', svg)  # no decimal commas in coordinates
