"""The goal page (issue 9): a goal with its current assessment and history, its
contributing activities with their latest report, its indicators against their target
(an SVG trend with a table), and its earlier years; the board and the secretariat
record assessments on it. Plus where goals and indicators show elsewhere: section
pages, search, the home page's key figures."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plan.models import AssessmentLevel, GoalAssessment, Plan
from plan.services import (
    activity_goals_set,
    goal_assessment_create,
    plan_roll_over,
    reporting_period_lock,
    reporting_periods_create_default,
    status_update_create,
)
from tests import factories

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def level(slug):
    return AssessmentLevel.objects.get(slug=slug)


@pytest.fixture
def world(secretariat_user):
    # Built as a draft (an adopted plan's texts and links are frozen), adopted at the end.
    plan = factories.PlanFactory(year=2023, status=Plan.Status.DRAFT)
    periods = {p.slug: p for p in reporting_periods_create_default(plan=plan)}
    direction = factories.DirectionGoalFactory(
        plan=plan, name_sv="En sammanhållen region", name_en="A cohesive region"
    )
    section = factories.SectionFactory(
        plan=plan,
        slug="infrastruktur",
        number="1.1",
        heading_sv="Infrastruktur",
        heading_en="Infrastructure",
        direction_goal=direction,
    )
    goal = factories.GoalFactory(
        section=section,
        text_sv="Att fler reser kollektivt.",
        text_en="That more people travel by public transport.",
    )
    quiet_goal = factories.GoalFactory(section=section, text_sv="Ett mål utan något.")
    activities = [
        factories.ActivityFactory(section=section, text_sv=f"Att bygga spår {n}.") for n in range(3)
    ]
    for activity in activities:
        activity_goals_set(activity=activity, goals=[goal])
    status = factories.StatusFactory(name_sv="Enligt plan", name_en="On track")
    status_update_create(
        activity=activities[0],
        period=periods["t1"],
        status=status,
        progress=40,
        comment="",
        by=secretariat_user,
    )
    indicator = factories.IndicatorFactory(
        goal=goal,
        name_sv="Andel kollektivtrafik",
        name_en="Share of public transport",
        unit_sv="procent",
        unit_en="per cent",
        baseline_value=Decimal("30"),
        baseline_year=2020,
        target_value=Decimal("40"),
        target_year=2030,
        note_sv="Resor med kollektivtrafik av alla resor.",
        note_en="Trips by public transport of all trips.",
    )
    factories.IndicatorValueFactory(indicator=indicator, year=2021, value=Decimal("31.5"))
    factories.IndicatorValueFactory(
        indicator=indicator,
        year=2022,
        value=Decimal("37.5"),
        source_sv="Trafikanalys",
        source_en="Transport Analysis",
    )
    goal_assessment_create(
        goal=goal,
        period=periods["t1"],
        level=level("not-achieved"),
        analysis="Arbetet har inte börjat.",
        analysis_en="The work has not started.",
        user=secretariat_user,
    )
    goal_assessment_create(
        goal=goal,
        period=periods["t2"],
        level=level("partly-achieved"),
        analysis="Hälften av åtgärderna är gjorda.",
        analysis_en="Half of the measures are done.",
        user=secretariat_user,
    )
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ADOPTED)
    plan.refresh_from_db()
    return {
        "plan": plan,
        "periods": periods,
        "section": section,
        "goal": goal,
        "quiet_goal": quiet_goal,
        "activities": activities,
        "indicator": indicator,
    }


def goal_url(goal, language="sv"):
    return f"/{language}/plan/{goal.section.plan.year}/goals/{goal.pk}/"


def test_a_visitor_reads_the_goal_with_its_assessment_activities_and_indicators(client, world):
    sv = text_of(client.get(goal_url(world["goal"])))
    assert "Att fler reser kollektivt." in sv
    # The current assessment: the level's name, not only its colour, and the analysis.
    assert "Bedömning Delvis uppfyllt (Tertial 2)" in sv
    assert "Hälften av åtgärderna är gjorda." in sv
    # The history, newest first, with who.
    history = sv[sv.index("Bedömningar av målet") :]
    assert history.index("Delvis uppfyllt") < history.index("Ej uppfyllt")
    assert "Arbetet har inte börjat." in history
    # Contributing activities with their latest report.
    # (The progress bar's SVG title names the figure for assistive technology.)
    assert "Att bygga spår 0. Enligt plan Genomförandegrad: 40 % 40 % Tertial 1" in sv
    assert sv.count("Ingen rapport ännu") == 2
    # The indicator against its target, with its source where it has one.
    assert "Andel kollektivtrafik" in sv
    assert "Senaste värde 37,5 procent (2022) , källa: Trafikanalys" in sv
    assert "Utgångsläge 30 procent (2020)" in sv and "Mål 40 procent (2030)" in sv
    assert "Högre är bättre" in sv
    assert "Resor med kollektivtrafik av alla resor." in sv
    assert "Direction goal" not in sv and "Inriktningsmål En sammanhållen region" in sv

    en = text_of(client.get(goal_url(world["goal"], "en")))
    assert "That more people travel by public transport." in en
    assert "Partly achieved" in en and "Half of the measures are done." in en
    assert "37.5 per cent (2022)" in en


def test_the_trend_chart_is_svg_with_a_description_and_a_table(client, world):
    html = client.get(goal_url(world["goal"])).content.decode()
    svg = re.search(r'<svg[^>]*class="chart chart--trend".*?</svg>', html, flags=re.S).group(0)
    assert 'role="img"' in svg and "<polyline" in svg and "style=" not in svg
    description = unescape(re.search(r"<desc[^>]*>(.*?)</desc>", svg, flags=re.S).group(1))
    description = description.replace("\xa0", " ")
    assert "2021: 31,5 procent" in description and "2022: 37,5 procent" in description
    assert "mål 2030: 40 procent" in description
    table = html[html.index('<table class="chart-table">') :]
    table = text_of(type("R", (), {"content": table[: table.index("</table>")].encode()}))
    assert "2020 30 procent (utgångsläge)" in table
    assert "2022 37,5 procent Trafikanalys" in table
    assert "2030 40 procent (mål)" in table


def test_the_goal_page_runs_the_same_number_of_queries_whatever_it_shows(client, world, board_user):
    client.force_login(board_user)
    client.get(goal_url(world["quiet_goal"]))  # warm the session and the caches
    with CaptureQueriesContext(connection) as quiet:
        assert client.get(goal_url(world["quiet_goal"])).status_code == 200
    with CaptureQueriesContext(connection) as busy:
        assert client.get(goal_url(world["goal"])).status_code == 200
    assert len(busy) == len(quiet), [q["sql"][:120] for q in busy.captured_queries]
    assert len(busy) <= 20


def test_drafts_are_hidden_and_a_goal_answers_only_under_its_own_year(
    client, world, member_user, board_user
):
    draft = factories.PlanFactory(year=2024, status=Plan.Status.DRAFT)
    draft_goal = factories.GoalFactory(section=factories.SectionFactory(plan=draft))
    assert client.get(goal_url(draft_goal)).status_code == 404
    client.force_login(member_user)
    assert client.get(goal_url(draft_goal)).status_code == 404
    client.force_login(board_user)
    assert client.get(goal_url(draft_goal)).status_code == 200
    # The 2023 goal under 2024's address, and a goal that does not exist.
    assert client.get(f"/sv/plan/2024/goals/{world['goal'].pk}/").status_code == 404
    assert client.get("/sv/plan/2023/goals/999999/").status_code == 404


def test_visitors_and_members_see_no_form_and_cannot_post(client, world, member_user):
    url = goal_url(world["goal"])
    data = {"period": world["periods"]["t2"].pk, "level": level("achieved").pk}
    assert "Spara bedömningen" not in client.get(url).content.decode()
    response = client.post(url, data)
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(member_user)
    assert "Spara bedömningen" not in client.get(url).content.decode()
    assert client.post(url, data).status_code == 403
    assert GoalAssessment.objects.count() == 2


def test_the_secretariat_assesses_a_goal_on_its_page(client, world, secretariat_user):
    client.force_login(secretariat_user)
    url = goal_url(world["quiet_goal"])
    page = client.get(url)
    form = page.context["form"]
    # The period due next that is open (today is after 2023: the one due last).
    assert form.initial["period"] == world["periods"]["year"].pk

    response = client.post(
        url,
        {
            "period": world["periods"]["t2"].pk,
            "level": level("achieved").pk,
            "analysis": "Klart.",
            "analysis_en": "Done.",
        },
    )
    assert response.status_code == 302
    assessment = GoalAssessment.objects.get(goal=world["quiet_goal"])
    assert (assessment.level.slug, assessment.analysis_sv, assessment.analysis_en) == (
        "achieved",
        "Klart.",
        "Done.",
    )
    assert assessment.assessed_by == secretariat_user
    shown = text_of(client.get(response["Location"]))
    assert "Bedömningen är sparad." in shown and "Uppfyllt (Tertial 2)" in shown


def test_the_board_assesses_too(client, world, board_user):
    client.force_login(board_user)
    response = client.post(
        goal_url(world["quiet_goal"], "en"),
        {"period": world["periods"]["t1"].pk, "level": level("not-assessed").pk},
    )
    assert response.status_code == 302
    assert GoalAssessment.objects.get(goal=world["quiet_goal"]).assessed_by == board_user


@pytest.mark.parametrize(
    "language, message",
    [
        ("sv", "Tertial 1 är låst och tar inte emot fler bedömningar."),
        ("en", "First four-month period is locked: it takes no more assessments."),
    ],
)
def test_a_locked_period_is_refused_with_a_clear_message_and_what_was_typed_stays(
    client, world, secretariat_user, language, message
):
    reporting_period_lock(period=world["periods"]["t1"])
    client.force_login(secretariat_user)
    response = client.post(
        goal_url(world["quiet_goal"], language),
        {
            "period": world["periods"]["t1"].pk,
            "level": level("achieved").pk,
            "analysis": "En lång analys som inte får försvinna.",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in unescape(html)
    assert "En lång analys som inte får försvinna." in html
    assert re.search(rf'<option value="{world["periods"]["t1"].pk}" selected>', html)
    assert re.search(rf'value="{level("achieved").pk}"[^>]*checked', html)
    assert not GoalAssessment.objects.filter(goal=world["quiet_goal"]).exists()


@pytest.mark.parametrize("data", [{}, {"period": "x", "level": "y"}, {"period": "0", "level": "0"}])
def test_hostile_or_missing_input_is_a_4xx_with_a_message(client, world, secretariat_user, data):
    client.force_login(secretariat_user)
    response = client.post(goal_url(world["goal"]), data)
    assert response.status_code == 400
    assert "Bedömningen sparades inte" in response.content.decode()
    assert GoalAssessment.objects.count() == 2


def test_earlier_years_assessments_and_values_side_by_side(client, world, secretariat_user):
    plan = world["plan"]
    plan_roll_over(plan=plan, by=secretariat_user)
    new_plan = Plan.objects.get(year=2024)
    new_plan.status = Plan.Status.ADOPTED
    new_plan.save()
    new_goal = world["goal"].carried_to.get()
    new_indicator = world["indicator"].carried_to.get()
    factories.IndicatorValueFactory(indicator=new_indicator, year=2023, value=Decimal("38"))
    goal_assessment_create(
        goal=new_goal,
        period=new_plan.periods.get(slug="t1"),
        level=level("achieved"),
        analysis="Målet är nått.",
        user=secretariat_user,
    )

    sv = text_of(client.get(goal_url(new_goal)))
    years = sv[sv.index("Målet över åren") :]
    assert "2024 Uppfyllt Tertial 1 Målet är nått." in years
    assert "2023 Delvis uppfyllt Tertial 2 Hälften av åtgärderna är gjorda." in years
    # The indicator's values of both years' plans in one series.
    assert "Senaste värde 38 procent (2023)" in sv
    html = client.get(goal_url(new_goal)).content.decode()
    description = unescape(
        re.search(r"chart--trend.*?<desc[^>]*>(.*?)</desc>", html, flags=re.S).group(1)
    )
    assert "2021: 31,5 procent; 2022: 37,5 procent; 2023: 38 procent" in description.replace(
        "\xa0", " "
    )
    # The earlier year's goal page links back.
    assert f'href="/sv/plan/2023/goals/{world["goal"].pk}/"' in html


def test_section_pages_and_search_link_to_goal_pages(client, world):
    section_html = client.get("/sv/plan/2023/infrastruktur/").content.decode()
    assert f'href="/sv/plan/2023/goals/{world["goal"].pk}/"' in section_html
    search_html = client.get("/sv/search/", {"q": "kollektivt"}).content.decode()
    assert f'href="/sv/plan/2023/goals/{world["goal"].pk}/"' in search_html


def test_a_sections_indicators_show_on_its_page(client, world):
    indicator = factories.IndicatorFactory(
        section=world["section"],
        name_sv="Gods på järnväg",
        unit_sv="miljoner ton",
        unit_en="million tonnes",
    )
    factories.IndicatorValueFactory(
        indicator=indicator,
        year=None,
        value=Decimal("900"),
        source_sv="",
        source_en="",
        headline_sv="Nästan 900 miljoner ton",
        headline_en="Nearly 900 million tonnes",
    )
    sv = text_of(client.get("/sv/plan/2023/infrastruktur/"))
    assert "Gods på järnväg Senaste värde Nästan 900 miljoner ton" in sv
    assert "900 miljoner ton (" not in sv  # no year the data does not hold


def test_the_home_page_shows_the_plans_words_and_no_invented_year(client):
    plan = factories.PlanFactory(year=2023, status=Plan.Status.ADOPTED)
    workers = factories.IndicatorFactory(
        plan=plan, order=1, name_sv="Personer som går till jobbet", unit_sv="miljoner personer"
    )
    factories.IndicatorValueFactory(
        indicator=workers,
        year=None,
        value=Decimal("2"),
        source_sv="",
        source_en="",
        headline_sv="Över två miljoner",
        headline_en="More than two million",
    )
    population = factories.IndicatorFactory(plan=plan, order=2, unit_sv="miljoner invånare")
    factories.IndicatorValueFactory(
        indicator=population, year=None, value=Decimal("4.3"), source_sv="", source_en=""
    )
    sv = text_of(client.get("/sv/"))
    assert "Över två miljoner Personer som går till jobbet" in sv
    assert "2 miljoner personer" not in sv
    assert "4,3 miljoner invånare" in sv
    assert "Uppgift från" not in sv and "Källa" not in sv
    en = text_of(client.get("/en/"))
    assert "More than two million" in en and "Figure from" not in en


def test_the_seeded_2023_home_page_says_what_the_plan_says(client):
    from django.core.management import call_command

    call_command("load_plan_2023", verbosity=0)
    sv = text_of(client.get("/sv/"))
    assert "Över två miljoner" in sv
    assert "Uppgift från 2022" not in sv and "Uppgift från" not in sv
