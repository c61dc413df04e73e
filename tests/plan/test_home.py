"""The home page: the current plan at a glance — direction goals, focus areas with their
progress, the follow-up charts, the key figures and the next meeting places."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.utils import timezone

from events.models import Event
from plan.models import Plan

from ..factories import (
    ActivityFactory,
    DirectionGoalFactory,
    EventFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PersonFactory,
    PlanFactory,
    ReportingPeriodFactory,
    SectionFactory,
    StatusFactory,
    StatusUpdateFactory,
)
from . import scale

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    main = html[html.index('<main id="main"') :]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main))).replace("\xa0", " ")


def section_of(html: str, heading_id: str) -> str:
    """The markup of the <section> labelled by `heading_id`."""
    start = html.index(f'aria-labelledby="{heading_id}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def plan(db):
    """2025's adopted plan: two focus areas (one with a sub-section), two periods."""
    plan = PlanFactory(year=2025, title_sv="Verksamhetsplan 2025", title_en="Operations plan 2025")
    DirectionGoalFactory(
        plan=plan, order=1, name_sv="En sammanhållen region", name_en="A cohesive region"
    )
    DirectionGoalFactory(
        plan=plan, order=2, name_sv="En stark kunskapsregion", name_en="A strong knowledge region"
    )
    infra = SectionFactory(
        plan=plan,
        slug="infra",
        number="1",
        order=1,
        heading_sv="Infrastruktur",
        heading_en="Infrastructure",
    )
    sub = SectionFactory(
        plan=plan,
        parent=infra,
        slug="gods",
        number="1.1",
        order=2,
        heading_sv="Gods",
        heading_en="Freight",
    )
    skills = SectionFactory(
        plan=plan,
        slug="kompetens",
        number="2",
        order=3,
        heading_sv="Kompetens",
        heading_en="Skills",
    )
    SectionFactory(
        plan=plan,
        slug="kommunikation",
        number="3",
        order=4,
        heading_sv="Kommunikation",
        heading_en="Communication",
    )
    t1 = ReportingPeriodFactory(
        plan=plan, slug="t1", order=1, name_sv="Tertial 1", name_en="Period 1"
    )
    t2 = ReportingPeriodFactory(
        plan=plan,
        slug="t2",
        order=2,
        name_sv="Tertial 2",
        name_en="Period 2",
        starts_on=datetime.date(2025, 5, 1),
        ends_on=datetime.date(2025, 8, 31),
        due_date=datetime.date(2025, 9, 15),
    )
    on_track = StatusFactory(
        slug="on-track-t", name_sv="Enligt plan", name_en="On track", colour="#1a7f37", order=1
    )
    delayed = StatusFactory(
        slug="delayed-t", name_sv="Försenad", name_en="Delayed", colour="#b3261e", order=2
    )
    a1 = ActivityFactory(section=infra, text_sv="Samordna.", text_en="Coordinate.")
    a2 = ActivityFactory(section=sub, text_sv="Godsråd.", text_en="Freight council.")
    a3 = ActivityFactory(section=skills, text_sv="Lärare.", text_en="Teachers.")
    ActivityFactory(section=skills, text_sv="Utan rapport.", text_en="Without a report.")
    # a1: 20 % in period 1, then 80 % in period 2: the latest period counts.
    StatusUpdateFactory(activity=a1, period=t1, status=on_track, progress=20)
    StatusUpdateFactory(activity=a1, period=t2, status=on_track, progress=80)
    # a2: reported for period 2, then corrected for period 1 later: period 2 still counts.
    StatusUpdateFactory(activity=a2, period=t2, status=delayed, progress=40)
    StatusUpdateFactory(activity=a2, period=t1, status=on_track, progress=10)
    StatusUpdateFactory(activity=a3, period=t1, status=delayed, progress=30)
    return plan


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_home_shows_direction_goals_and_focus_areas_with_progress(client, plan, lang):
    response = client.get(f"/{lang}/")

    assert response.status_code == 200
    html = response.content.decode()
    sv = lang == "sv"
    page = text_of(response)
    assert ("En sammanhållen region" if sv else "A cohesive region") in page
    assert ("En stark kunskapsregion" if sv else "A strong knowledge region") in page
    focus = section_of(html, "focus-heading")
    # Infrastructure: a1 80 % (its period-2 report), a2 40 % (period 2 beats the later
    # period-1 correction): 60 %. Skills: 30 % and 0 % (no report): 15 %.
    areas = focus.split('<li class="focus-area">')[1:]
    assert len(areas) == 3
    infra, skills, communication = areas
    assert f'href="/{lang}/plan/2025/infra/"' in infra
    assert "60&nbsp;%" in infra and 'role="img"' in infra
    assert "15&nbsp;%" in skills
    if not sv:
        # The figure names its scope: the last period (both periods' due dates passed),
        # and the two activities without a report in it.
        figure = " ".join(unescape(re.sub(r"<[^>]+>", "", skills)).split())
        assert "15 % of 2 activities, Period 2" in figure
        assert "0 late, 2 reports missing" in figure
    assert "%" not in communication and "<svg" not in communication
    # The sub-section is linked from its area.
    assert f'href="/{lang}/plan/2025/gods/"' in infra


def test_home_charts_show_status_distribution_and_progress_per_section(client, plan):
    html = client.get("/en/").content.decode()

    followup = section_of(html, "followup-heading")
    charts = re.findall(r"<svg [^>]*class=\"chart chart--(status|progress)\"", followup)
    assert charts == ["status", "progress"]
    status_chart = followup[
        followup.index("chart--status") : followup.index("</svg>", followup.index("chart--status"))
    ]
    # Latest statuses: a1 on track, a2 delayed, a3 delayed, one without a report.
    assert "On track: 1 (25" in unescape(status_chart)
    assert "Delayed: 2 (50" in unescape(status_chart)
    assert "No report: 1 (25" in unescape(status_chart)
    progress_chart = followup[followup.index("chart--progress") :]
    # The second level (1.1) and the top-level areas without sub-sections.
    assert "1.1 Freight" in progress_chart and "2 Skills" in progress_chart
    # The same figures as a table, for those who cannot see the picture.
    assert "<table" in followup and "<summary>" in followup
    # No inline style anywhere (CSP).
    assert "style=" not in html


def test_home_without_reports_says_so(client, db):
    plan = PlanFactory(year=2025)
    ActivityFactory(section=SectionFactory(plan=plan))

    response = client.get("/en/")

    assert "No follow-up has been reported on this plan yet." in text_of(response)


def test_home_key_figures_are_formatted_for_the_language(client, plan):
    population = IndicatorFactory(
        order=1,
        name_sv="Befolkning",
        name_en="Population",
        unit_sv="miljoner invånare",
        unit_en="million inhabitants",
    )
    IndicatorValueFactory(indicator=population, year=2021, value=Decimal("4.10"))
    IndicatorValueFactory(
        indicator=population,
        year=2022,
        value=Decimal("4.30"),
        source_sv="SCB",
        source_en="Statistics Sweden",
    )
    commuters = IndicatorFactory(order=2, unit_sv="personer per dag", unit_en="people per day")
    IndicatorValueFactory(indicator=commuters, year=2022, value=Decimal("750000"))
    workers = IndicatorFactory(order=3, unit_sv="miljoner personer", unit_en="million people")
    IndicatorValueFactory(
        indicator=workers,
        year=2022,
        value=Decimal("2"),
        note_sv="Över två miljoner",
        note_en="More than two million",
    )
    IndicatorFactory(order=4, name_sv="Utan värde", name_en="Without a value")

    sv = text_of(client.get("/sv/"))
    en = text_of(client.get("/en/"))

    assert "4,3 miljoner invånare" in sv and "4,1" not in sv
    assert "4.3 million inhabitants" in en
    assert "750 000 personer per dag" in sv
    assert "750,000 people per day" in en
    assert "2 miljoner personer" in sv and "Över två miljoner" in sv
    assert "2 million people" in en and "More than two million" in en
    assert "Statistics Sweden, 2022" in en
    assert "Utan värde" not in sv and "Without a value" not in en


def test_home_lists_the_next_five_meeting_places_and_undated_ones(client, member_user, plan):
    today = timezone.localdate()
    for days in [30, 1, 10, 20, 5, 40]:
        EventFactory(
            title_sv=f"Möte om {days} dagar",
            start_date=today + datetime.timedelta(days=days),
            end_date=None,
        )
    EventFactory(
        title_sv="Pågår",
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=1),
    )
    EventFactory(
        title_sv="Förbi",
        start_date=today - datetime.timedelta(days=3),
        end_date=today - datetime.timedelta(days=2),
    )
    EventFactory(
        title_sv="Styrelsemöte",
        visibility=Event.Visibility.MEMBERS,
        start_date=today,
        end_date=None,
    )
    EventFactory(
        title_sv="Maritim dag",
        start_date=None,
        end_date=None,
        date_note_sv="Datum meddelas",
        date_note_en="Date to be announced",
    )
    EventFactory(title_sv="Okänt", start_date=None, end_date=None, date_note_sv="", date_note_en="")

    events = section_of(client.get("/sv/").content.decode(), "events-heading")
    titles = re.findall(r'class="event-item__title"><a href="[^"]+">([^<]+)</a>', events)
    assert titles == [
        "Pågår",
        "Möte om 1 dagar",
        "Möte om 5 dagar",
        "Möte om 10 dagar",
        "Möte om 20 dagar",
        "Maritim dag",
    ]
    assert "Datum meddelas" in events
    assert 'href="/sv/events/"' in events

    client.force_login(member_user)
    events = section_of(client.get("/sv/").content.decode(), "events-heading")
    titles = re.findall(r'class="event-item__title"><a href="[^"]+">([^<]+)</a>', events)
    assert titles[:2] == ["Pågår", "Styrelsemöte"]


def test_home_year_switcher_marks_the_current_year(client, board_user, plan):
    PlanFactory(year=2024, status=Plan.Status.ARCHIVED)
    PlanFactory(year=2026, status=Plan.Status.DRAFT)

    html = client.get("/sv/").content.decode()
    switcher = re.search(r'<nav class="year-switcher"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'href="/sv/plan/(\d+)/"', switcher) == ["2025", "2024"]
    assert '<a href="/sv/plan/2025/" aria-current="true">2025</a>' in switcher
    assert 'href="/sv/plan/"' in switcher

    client.force_login(board_user)
    html = client.get("/sv/").content.decode()
    switcher = re.search(r'<nav class="year-switcher"[^>]*>(.*?)</nav>', html, re.S).group(1)
    # The board sees the draft in the switcher; the home page still shows the adopted plan.
    assert re.findall(r'href="/sv/plan/(\d+)/"', switcher) == ["2026", "2025", "2024"]
    assert "<h1>Verksamhetsplan 2025</h1>" in html


def test_section_page_lists_activities_with_owner_and_status_in_text(client, plan):
    activity = plan.sections.get(slug="infra").activities.get()
    activity.owners.add(PersonFactory(first_name="Anna", last_name="Ägare"))

    response = client.get("/en/plan/2025/infra/")

    html = response.content.decode()
    item = html[
        html.index('<li class="activity-item">') : html.index(
            "</li>", html.index('<li class="activity-item">')
        )
    ]
    assert "Coordinate." in item and "Anna Ägare" in item
    # Colour and text: the swatch is hidden from screen readers, the name is written out.
    assert 'fill="#1a7f37"' in item and "On track" in item
    assert "80&nbsp;%" in item and 'class="chart chart--bar" role="img"' in item


def test_activity_page_shows_latest_status_in_colour_and_text(client, plan):
    activity = plan.sections.get(slug="gods").activities.get()

    page = text_of(client.get(f"/en/plan/2025/activity/{activity.pk}/"))

    facts = page[page.index("Status") :]
    assert facts.startswith("Status Delayed") and "40 %" in facts and "(Period 2)" in facts


def test_home_query_count_is_the_same_on_ten_times_the_2023_plan(
    client, member_user, django_assert_max_num_queries
):
    scale.load_2023()
    small = scale.count_queries(client, "/sv/")
    client.force_login(member_user)
    small_member = scale.count_queries(client, "/en/")
    client.logout()

    scale.grow_tenfold(Plan.objects.get(year=2023))

    # 14, and the year strip (issue 14, point 4): goal attainment, the next meeting
    # place and the adoption line.
    with django_assert_max_num_queries(22):
        assert scale.count_queries(client, "/sv/") == small
    client.force_login(member_user)
    assert scale.count_queries(client, "/en/") == small_member
