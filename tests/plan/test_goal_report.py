"""The yearly report answers "did we reach the goals?" (issue 9, point 5) and the board's
dashboard leads with the goals (point 6): read as the board reads them — the PDF through
pdftotext and as page images' page count, the XLSX cells, the CSV rows, the dashboard's
HTML."""

import csv
import io
import re
import subprocess
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plan import reports
from plan.models import AssessmentLevel, Goal, Plan, StatusUpdate
from plan.seed import plan_seed_load
from plan.selectors_goals import plan_indicators
from plan.services import goal_assessment_create, reporting_periods_create_default
from tests.factories import (
    ActivityGoalFactory,
    DirectionGoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PriorityAreaFactory,
)
from tests.services import require_command

from . import followup_data
from .test_reports import pdf_text, squash

LAST_YEAR = followup_data.YEAR - 1


@pytest.fixture
def gp(db, board_user):
    """Last year's small plan (every due date passed) with goals the board assessed:

    - direction goal "En sammanhållen region" on 1 Fokusområden (inherited by 1.1), the
      prioritised area for En Bättre Sits (1.1's programme);
    - goal G1 ("To strengthen the region.") achieved for the full year, with A1 and A2
      contributing and an indicator above its target; goal G2 ("To build railways.")
      partly achieved in tertial 2, with A1 contributing; A3 (section 2) serves no goal.
    """
    fp = followup_data.build(LAST_YEAR)
    direction = DirectionGoalFactory(
        plan=fp.plan, name_sv="En sammanhållen region", name_en="A cohesive region"
    )
    fp.focus.direction_goal = direction
    fp.focus.save()
    PriorityAreaFactory(
        plan=fp.plan,
        title_sv="Infrastruktur – En Bättre Sits",
        title_en="Infrastructure – En Bättre Sits",
        programme="ebs",
    )
    g1, g2 = fp.infra.goals.order_by("order")
    ActivityGoalFactory(goal=g1, activity=fp.a1)
    ActivityGoalFactory(goal=g1, activity=fp.a2)
    ActivityGoalFactory(goal=g2, activity=fp.a1)
    StatusUpdate.objects.create(
        activity=fp.a1, period=fp.t2, status=fp.on_track, progress=60, comment="Halvvägs."
    )
    StatusUpdate.objects.create(
        activity=fp.a2, period=fp.t1, status=fp.completed, progress=100, comment="Klar."
    )
    achieved = AssessmentLevel.objects.get(slug="achieved")
    partly = AssessmentLevel.objects.get(slug="partly-achieved")
    goal_assessment_create(
        goal=g1,
        period=fp.year,
        level=achieved,
        analysis="Regionen stärktes genom samverkan.",
        analysis_en="The region was strengthened by working together.",
        user=board_user,
    )
    goal_assessment_create(
        goal=g2,
        period=fp.t2,
        level=partly,
        analysis="Järnvägen är på väg.",
        analysis_en="The railway is on its way.",
        user=board_user,
    )
    indicator = IndicatorFactory(
        goal=g1,
        name_sv="Pendlare",
        name_en="Commuters",
        unit_sv="personer",
        unit_en="people",
        baseline_value=Decimal("100000"),
        baseline_year=LAST_YEAR - 3,
        target_value=Decimal("120000"),
        target_year=LAST_YEAR,
    )
    IndicatorValueFactory(indicator=indicator, year=LAST_YEAR, value=Decimal("130000"))
    fp.g1, fp.g2 = g1, g2
    fp.achieved, fp.partly = achieved, partly
    return fp


SUMMARY = {
    "sv": [
        "Sammanfattning: nådde vi målen?",
        "2 av planens 2 övergripande mål är bedömda.",
        "Måluppfyllelse",
        "Per inriktningsmål",
        "En sammanhållen region",
        "Per prioriterat område",
        "Infrastruktur – En Bättre Sits",
        "Planens genomförandegrad: 53 % av 3 aktiviteter, Helår",
        "Indikatorer mot målvärden",
        "Pendlare",
        "Målvärdet är nått",
    ],
    "en": [
        "Summary: did we reach the goals?",
        "2 of the plan's 2 overall goals are assessed.",
        "Goal attainment",
        "By strategic goal",
        "A cohesive region",
        "By prioritised area",
        "Infrastructure – En Bättre Sits",
        "Progress of the plan: 53 % of 3 activities, Full year",
        "Indicators against their targets",
        "Commuters",
        "Target reached",
    ],
}


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_pdf_opens_with_a_one_page_answer_then_goals_per_section(gp, lang, tmp_path):
    content = reports.followup_report_pdf(gp.plan, lang)
    # Page 3 (after the cover and the contents) is the summary, and all of it.
    summary = squash(pdf_text(content, tmp_path, first=3))
    for text in SUMMARY[lang]:
        assert squash(text) in summary, text
    next_page = squash(pdf_text(content, tmp_path, first=4))
    assert squash("Aktiviteterna" if lang == "sv" else "The activities") in next_page
    assert squash(SUMMARY[lang][0]) not in next_page
    # The attainment row of the direction goal: 1 achieved, 1 partly, none not achieved
    # or "not assessed", none without an assessment, 2 goals (then the bar's counts).
    row = next(line for line in layout_text(content, tmp_path) if SUMMARY[lang][4] in line)
    assert re.findall(r"\d+", row)[:6] == ["1", "1", "0", "0", "0", "2"]

    # Then per section: each goal with its assessment and analysis, its contributing
    # activities with status, progress and comment, and its indicators.
    body = squash(pdf_text(content, tmp_path))
    sv = lang == "sv"
    order = [
        "1.1 Infrastruktur och transporter" if sv else "1.1 Infrastructure and transport",
        "Att stärka regionen." if sv else "To strengthen the region.",
        "Uppfyllt" if sv else "Achieved",
        "Regionen stärktes genom samverkan."
        if sv
        else "The region was strengthened by working together.",
        "2 bidragande aktiviteter" if sv else "2 contributing activities",
        "Att samordna trafiken." if sv else "To coordinate the traffic.",
        "Enligt plan" if sv else "On track",
        "60 %",
        "Halvvägs.",
        "Att ta fram en godsstrategi." if sv else "To draw up a freight strategy.",
        "Genomförd" if sv else "Completed",
        "100 %",
        "Klar.",
        "Målets indikatorer" if sv else "Indicators of the goal",
        "Pendlare" if sv else "Commuters",
        "Att bygga järnväg." if sv else "To build railways.",
        "Delvis uppfyllt" if sv else "Partly achieved",
        "Järnvägen är på väg." if sv else "The railway is on its way.",
        "1 bidragande aktivitet" if sv else "1 contributing activity",
    ]
    position = body.index(squash(SUMMARY[lang][-1]))  # after the summary
    for item in order:
        assert squash(item) in body[position:], item
        position = body.index(squash(item), position)


def layout_text(content: bytes, tmp_path, page: int = 3) -> list[str]:
    """The page's lines as laid out (pdftotext -layout): a table row on one line."""
    path = tmp_path / "layout.pdf"
    path.write_bytes(content)
    pdftotext = require_command("pdftotext")
    args = [pdftotext, "-layout", "-enc", "UTF-8", "-f", str(page), "-l", str(page)]
    return (
        subprocess.run([*args, str(path), "-"], capture_output=True, check=True)
        .stdout.decode()
        .splitlines()
    )


def test_the_summary_fits_its_page_on_the_2023_plan(tmp_path, board_user):
    """The 2023 plan, every goal assessed and every indicator listed: the whole summary
    is on page 3 and the activities' overview begins page 4."""
    plan_seed_load()
    plan = Plan.objects.get(year=2023)
    if not plan.periods.exists():
        reporting_periods_create_default(plan=plan)
    full = plan.periods.order_by("order").last()
    levels = list(AssessmentLevel.objects.order_by("order"))
    for i, goal in enumerate(Goal.objects.filter(section__plan=plan)):
        goal_assessment_create(
            goal=goal, period=full, level=levels[i % len(levels)], analysis="", user=board_user
        )
    content = reports.followup_report_pdf(plan, "sv")
    page3 = squash(pdf_text(content, tmp_path, first=3, body=True))
    page4 = squash(pdf_text(content, tmp_path, first=4, body=True))
    assert page3.startswith(squash("Sammanfattning: nådde vi målen?"))
    assert squash("Indikatorer mot målvärden") in page3
    last_indicator = plan_indicators(plan)[-1]
    assert squash(last_indicator.name) in page3
    assert page4.startswith(squash("Aktiviteterna"))


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_xlsx_has_a_goals_sheet_and_the_csv_a_goals_section(gp, lang):
    sv = lang == "sv"
    book = openpyxl.load_workbook(io.BytesIO(reports.followup_report_xlsx(gp.plan, lang)))
    goals_sheet = "Mål" if sv else "Goals"
    assert book.sheetnames[:2] == [
        f"Uppföljning {LAST_YEAR}" if sv else f"Follow-up {LAST_YEAR}",
        goals_sheet,
    ]
    assert book.active.title == book.sheetnames[0]  # the activity sheet, as before
    sheet = book[goals_sheet]
    header = [c.value for c in sheet[1]]
    assert header == (
        [
            "Avsnittsnummer",
            "Avsnitt",
            "Mål",
            "Bedömning",
            "Bedömd för",
            "Analys",
            "Bidragande aktiviteter",
            "Bidragande aktiviteter (namn)",
            "Indikatorer",
        ]
        if sv
        else [
            "Section number",
            "Section",
            "Goal",
            "Assessment",
            "Assessed for",
            "Analysis",
            "Contributing activities",
            "Contributing activities (names)",
            "Indicators",
        ]
    )
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == 2  # one row per goal
    g1, g2 = rows
    assert g1[:7] == [
        "1.1",
        "Infrastruktur och transporter" if sv else "Infrastructure and transport",
        "Att stärka regionen." if sv else "To strengthen the region.",
        "Uppfyllt" if sv else "Achieved",
        "Helår" if sv else "Full year",
        "Regionen stärktes genom samverkan."
        if sv
        else "The region was strengthened by working together.",
        2,
    ]
    assert g1[7].split("\n") == (
        ["Att samordna trafiken.", "Att ta fram en godsstrategi."]
        if sv
        else ["To coordinate the traffic.", "To draw up a freight strategy."]
    )
    assert g1[8] == (
        "Pendlare (personer): 130\N{NO-BREAK SPACE}000 ("
        f"{LAST_YEAR}); målvärde 120\N{NO-BREAK SPACE}000 ({LAST_YEAR})"
        if sv
        else f"Commuters (people): 130,000 ({LAST_YEAR}); target 120,000 ({LAST_YEAR})"
    )
    assert g2[3:5] == (
        ["Delvis uppfyllt", "Tertial 2"] if sv else ["Partly achieved", "Second four-month period"]
    )
    assert g2[6] == 1

    content = reports.followup_report_csv(gp.plan, lang).decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    start = csv_rows.index([goals_sheet])
    assert csv_rows[start - 1] == []
    assert csv_rows[start + 1] == header
    assert csv_rows[start + 2][:4] == [str(v) for v in g1[:4]]
    assert csv_rows[start + 2][6] == "2"
    assert csv_rows[start + 3][3] == g2[3]


# --- the dashboard leads with the goals -----------------------------------------------------


def dashboard(client, gp, lang="sv", **params):
    return client.get(f"/{lang}/followup/{gp.plan.year}/", params)


def test_the_dashboard_shows_goal_attainment_before_the_activities(client, gp, board_user):
    client.force_login(board_user)
    html = dashboard(client, gp, period=gp.year.pk).content.decode()
    goals = html.index('id="goals-heading"')
    assert goals < html.index('id="overview-heading"') < html.index('id="sections-heading"')
    part = html[goals : html.index('id="overview-heading"')]
    assert "Per inriktningsmål" in part and "En sammanhållen region" in part
    assert "Per prioriterat område" in part
    # Full year: G1 achieved; G2 has no assessment for the full year.
    assert "1 av planens 2 övergripande mål är bedömda." in part
    assert "Att stärka regionen." in part and "Regionen stärktes genom samverkan." in part
    assert 'role="img"' in part  # the bars, each with its counts in its title


def test_the_level_filter_narrows_goals_and_their_activities(client, gp, board_user):
    client.force_login(board_user)
    html = dashboard(client, gp, period=gp.t2.pk, level="partly-achieved").content.decode()
    goals_part = html[html.index('id="goals-heading"') : html.index('id="overview-heading"')]
    assert "Att bygga järnväg." in goals_part and "Att stärka regionen." not in goals_part
    rows = set(re.findall(r'<tr id="row-(\d+)"', html))
    assert rows == {str(gp.a1.pk)}  # G2's only contributing activity
    # No assessment in tertial 2: G1 only, with A1 and A2.
    html = dashboard(client, gp, period=gp.t2.pk, level="none").content.decode()
    rows = set(re.findall(r'<tr id="row-(\d+)"', html))
    assert rows == {str(gp.a1.pk), str(gp.a2.pk)}
    # Combined with "report missing": A2 had no tertial 2 report.
    html = dashboard(client, gp, period=gp.t2.pk, level="none", missing="1").content.decode()
    assert set(re.findall(r'<tr id="row-(\d+)"', html)) == {str(gp.a2.pk)}


def test_an_unknown_level_is_a_clear_400(client, gp, board_user):
    client.force_login(board_user)
    response = dashboard(client, gp, "en", level="<script>alert(1)</script>")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose one of the assessment levels." in html
    assert "<script>alert(1)" not in html


def test_the_dashboard_query_count_does_not_grow_with_goals(client, gp, board_user):
    client.force_login(board_user)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert dashboard(client, gp, level="achieved").status_code == 200
        return len(queries)

    small = count()
    for n in range(6):
        link = ActivityGoalFactory(goal__section=gp.meetings, activity=gp.a3)
        goal_assessment_create(
            goal=link.goal,
            period=gp.year,
            level=gp.achieved,
            analysis=f"Analys {n}",
            user=board_user,
        )
    # 24, the header's work links (two) and the report files offered (two).
    assert count() == small <= 28


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_report_page_shows_the_goals_too(client, gp, board_user, lang):
    client.force_login(board_user)
    html = client.get(f"/{lang}/followup/{gp.plan.year}/report/").content.decode()
    assert (
        "Sammanfattning: nådde vi målen?" if lang == "sv" else "Summary: did we reach the goals?"
    ) in html
    assert ("Järnvägen är på väg." if lang == "sv" else "The railway is on its way.") in html
