"""The budget (issue 10, point 6): planned and actual amounts per section and activity,
totalled once (plan/budget.py) and shown the same on the plan page, in the yearly report
(web page, PDF) and in its XLSX; the board's and the secretariat's unless the plan makes
it public; an amount not given is never shown as 0."""

import io
import subprocess
from decimal import Decimal
from html.parser import HTMLParser

import openpyxl
import pytest
import tablib
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import translation

from plan import reports
from plan.budget import Item, budget_totals, plan_budget
from plan.models import Activity, Plan
from plan.resources import ActivityResource
from tests import factories
from tests.pages import page_text
from tests.services import require_command


def test_totals_add_what_is_given_and_never_invent_zero():
    sections = [
        Item(id=1, section_id=1, planned=Decimal("100"), actual=None),
        Item(id=2, section_id=2, parent_id=1, planned=None, actual=None),
        Item(id=3, section_id=3, planned=None, actual=None),
    ]
    activities = [
        Item(id=10, section_id=2, planned=Decimal("50.5"), actual=Decimal("20"), is_activity=True),
        Item(id=11, section_id=2, planned=None, actual=None, is_activity=True),
    ]
    totals = budget_totals(sections, activities)
    assert totals.areas[1].planned == Decimal("150.5")
    assert totals.areas[1].actual == Decimal("20")
    # An area with nothing given has no total, not 0.
    assert totals.areas[3].planned is None and totals.areas[3].actual is None
    assert totals.plan.planned == Decimal("150.5") and totals.plan.actual == Decimal("20")
    assert budget_totals([], []).plan.planned is None


@pytest.fixture
def plan(db):
    plan = factories.PlanFactory(year=2032, status=Plan.Status.DRAFT)
    area = factories.SectionFactory(
        plan=plan, number="1", heading_sv="Infrastruktur", order=1, planned_amount=200000
    )
    child = factories.SectionFactory(plan=plan, parent=area, number="1.1", order=2)
    factories.ActivityFactory(
        section=child, planned_amount=Decimal("1050000.50"), actual_amount=Decimal("300000")
    )
    factories.SectionFactory(plan=plan, number="2", heading_sv="Kompetens", order=3)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.ADOPTED)
    plan.refresh_from_db()
    return plan


def test_page_report_pdf_and_xlsx_show_the_same_totals(client, board_user, plan, tmp_path):
    totals = plan_budget(plan)
    assert totals.plan.planned == Decimal("1250000.50")
    assert totals.plan.actual == Decimal("300000")

    client.force_login(board_user)
    page = page_text(client.get("/sv/plan/2032/"))
    assert "1 250 000,5" in page and "300 000" in page
    # Area 2 gives no amount: "not given", never 0.
    assert "anges inte" in page

    report = page_text(client.get("/sv/followup/2032/report/"))
    assert "1 250 000,5" in report

    pdf = reports.followup_report_pdf(plan, "sv")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [require_command("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "1 250 000,5" in text.replace("\xa0", " ")

    workbook = openpyxl.load_workbook(io.BytesIO(reports.followup_report_xlsx(plan, "sv")))
    sheet = workbook["Budget"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][:3] == ("Planen, summa", None, "Hela planen")
    assert Decimal(str(rows[-1][3])) == totals.plan.planned
    assert Decimal(str(rows[-1][4])) == totals.plan.actual
    # The area without amounts has empty cells, not 0.
    assert rows[-2][:5] == ("Område, summa", "2", "Kompetens", None, None)
    assert sheet.cell(row=len(rows), column=4).number_format == reports.SEK_FORMAT


def test_the_budget_is_the_boards_unless_the_plan_makes_it_public(client, member_user, plan):
    assert "Budget" not in page_text(Client().get("/sv/plan/2032/"))
    client.force_login(member_user)
    assert "1 250 000,5" not in page_text(client.get("/sv/plan/2032/"))
    Plan.objects.filter(pk=plan.pk).update(budget_public=True)
    assert "1 250 000,5" in page_text(Client().get("/sv/plan/2032/"))


def test_the_activity_import_reads_amounts_with_a_decimal_comma(db, secretariat_user):
    plan = factories.PlanFactory(year=2033, status=Plan.Status.DRAFT)
    factories.SectionFactory(plan=plan, slug="trafik")
    dataset = tablib.Dataset(
        headers=["id", "plan_year", "section", "text_sv", "planned_amount", "actual_amount"]
    )
    dataset.append(["", 2033, "trafik", "Att bygga", "1 250 000,50", ""])
    with translation.override("sv"):
        result = ActivityResource().import_data(dataset, dry_run=False, user=secretariat_user)
    assert not result.has_errors() and not result.has_validation_errors()
    activity = Activity.objects.get(section__plan=plan)
    assert activity.planned_amount == Decimal("1250000.50")
    assert activity.actual_amount is None


def test_an_adopted_plans_planned_amount_is_frozen_its_actual_amount_open(
    db, plan, secretariat_user
):
    activity = Activity.objects.get(section__plan=plan)
    headers = ["id", "plan_year", "section", "text_sv", "planned_amount", "actual_amount"]
    base = [activity.pk, 2032, activity.section.slug, activity.text_sv]
    changed_actual = tablib.Dataset(headers=headers)
    changed_actual.append([*base, "1050000,50", "400 000"])
    with translation.override("sv"):
        result = ActivityResource().import_data(
            changed_actual, dry_run=False, user=secretariat_user
        )
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    activity.refresh_from_db()
    assert activity.actual_amount == Decimal("400000")

    changed_planned = tablib.Dataset(headers=headers)
    changed_planned.append([*base, "9", "400000"])
    with translation.override("sv"):
        result = ActivityResource().import_data(
            changed_planned, dry_run=False, user=secretariat_user
        )
    assert result.has_validation_errors()
    assert "Planen 2032 är fastställd" in str(result.invalid_rows[0].error_dict)
    activity.refresh_from_db()
    assert activity.planned_amount == Decimal("1050000.50")


class _TableRows(HTMLParser):
    """The rows (cell texts) of the tables with a given class."""

    def __init__(self, css_class):
        super().__init__(convert_charrefs=True)
        self.css_class, self.depth, self.rows = css_class, 0, []

    def handle_starttag(self, tag, attrs):
        if tag == "table" and self.css_class in (dict(attrs).get("class") or "").split():
            self.depth += 1
        elif self.depth and tag == "tr":
            self.rows.append([])
        elif self.depth and tag in ("th", "td"):
            self.rows[-1].append("")

    def handle_endtag(self, tag):
        if tag == "table" and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and self.rows and self.rows[-1]:
            self.rows[-1][-1] = " ".join(f"{self.rows[-1][-1]} {data}".split())


def budget_lines_on(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    parser = _TableRows("budget-lines")
    parser.feed(response.content.decode())
    return [[cell.replace("\xa0", " ") for cell in row] for row in parser.rows]


@pytest.fixture
def lines_plan(plan):
    """The plan above with a second activity with an amount (only the actual one) and
    an activity with none: amounts on one section and two activities."""
    kompetens = plan.sections.get(number="2")
    factories.ActivityFactory(
        section=kompetens, text_sv="Att utbilda lärare.", actual_amount=Decimal("75000")
    )
    factories.ActivityFactory(section=plan.sections.get(number="1.1"), text_sv="Att vänta.")
    return plan


def test_the_xlsx_lists_every_section_and_activity_then_the_totals_of_plan_budget(lines_plan):
    totals = plan_budget(lines_plan)
    workbook = openpyxl.load_workbook(io.BytesIO(reports.followup_report_xlsx(lines_plan, "sv")))
    sheet = workbook["Budget"]
    rows = list(sheet.iter_rows(values_only=True))
    heading_11 = lines_plan.sections.get(number="1.1").heading_sv
    first_activity = Activity.objects.get(section__number="1.1", planned_amount__isnull=False)
    assert rows[0] == (
        "Typ",
        "Avsnittsnummer",
        "Avsnitt, aktivitet eller summa",
        "Budgeterat (kr)",
        "Utfall (kr)",
    )
    assert [row[:3] for row in rows[1:]] == [
        ("Avsnitt", "1", "Infrastruktur"),
        ("Avsnitt", "1.1", heading_11),
        ("Aktivitet", "1.1", first_activity.text_sv),
        ("Aktivitet", "1.1", "Att vänta."),
        ("Avsnitt", "2", "Kompetens"),
        ("Aktivitet", "2", "Att utbilda lärare."),
        ("Område, summa", "1", "Infrastruktur"),
        ("Område, summa", "2", "Kompetens"),
        ("Planen, summa", None, "Hela planen"),
    ]
    amounts = [
        tuple(None if value is None else Decimal(str(value)) for value in row[3:])
        for row in rows[1:]
    ]
    # Each section's and activity's own amounts; nothing given is an empty cell, never 0.
    assert amounts[:6] == [
        (Decimal("200000"), None),
        (None, None),
        (Decimal("1050000.5"), Decimal("300000")),
        (None, None),
        (None, None),
        (None, Decimal("75000")),
    ]
    # The totals are plan.budget's.
    areas = list(totals.areas.values())
    assert amounts[6:] == [
        (areas[0].planned, areas[0].actual),
        (areas[1].planned, areas[1].actual),
        (totals.plan.planned, totals.plan.actual),
    ]
    assert totals.plan.actual == Decimal("375000") and areas[1].planned is None
    for row in sheet.iter_rows(min_row=2, min_col=4, max_col=5):
        assert {cell.number_format for cell in row} == {reports.SEK_FORMAT}


def test_the_report_shows_the_amounts_per_section_and_activity_to_the_board(
    client, board_user, lines_plan
):
    client.force_login(board_user)
    rows = budget_lines_on(client.get("/sv/followup/2032/report/"))
    first_activity = Activity.objects.get(section__number="1.1", planned_amount__isnull=False)
    heading_11 = lines_plan.sections.get(number="1.1").heading_sv
    assert rows == [
        ["Avsnitt eller aktivitet", "Budgeterat (kr)", "Utfall (kr)"],
        ["1 Infrastruktur", "200 000", "anges inte"],
        # 1.1 has no amount of its own: its name heads its activities' rows.
        [f"1.1 {heading_11}"],
        [first_activity.text_sv, "1 050 000,5", "300 000"],
        # "Att vänta." has no amount: no row. Section 2 has none either, its activity has.
        ["2 Kompetens"],
        ["Att utbilda lärare.", "anges inte", "75 000"],
    ]


def test_the_amounts_per_activity_are_not_shown_to_others_unless_public(
    client, member_user, lines_plan
):
    anonymous = Client().get("/sv/followup/2032/report/")
    assert anonymous.status_code == 302 and "75 000" not in anonymous.content.decode()
    # A member who may open the report, but not see the budget, sees no amounts.
    member_user.user_permissions.add(
        Permission.objects.get(content_type__app_label="plan", codename="view_followup_dashboard")
    )
    client.force_login(member_user)
    response = client.get("/sv/followup/2032/report/")
    assert budget_lines_on(response) == []
    assert "75 000" not in page_text(response) and "Budget 2032" not in page_text(response)
    Plan.objects.filter(pk=lines_plan.pk).update(budget_public=True)
    assert ["Att utbilda lärare.", "anges inte", "75 000"] in budget_lines_on(
        client.get("/sv/followup/2032/report/")
    )


def _th_per_captioned_table(pdf) -> list[int]:
    """For every tagged table with a caption, how many header cells (TH) it has."""
    import pikepdf

    def kids(node):
        found = node.get("/K")
        items = found if isinstance(found, pikepdf.Array) else [found] if found else []
        return [k for k in items if isinstance(k, pikepdf.Dictionary) and k.get("/S")]

    def count(node, role):
        return sum((str(k.S) == role) + count(k, role) for k in kids(node))

    tables = []

    def walk(node):
        for kid in kids(node):
            if str(kid.S) == "/Table" and count(kid, "/Caption"):
                tables.append(count(kid, "/TH"))
            walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return tables


def test_the_report_pdf_has_the_amounts_per_activity_in_a_tagged_table(lines_plan, tmp_path):
    import pikepdf

    content = reports.followup_report_pdf(lines_plan, "sv")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        [require_command("pdftotext"), "-layout", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
    ).stdout.decode()
    # One line of the laid-out text per table row.
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in text.splitlines()]
    assert "Budget 2032 per avsnitt och aktivitet, i kronor" in lines
    assert "Att utbilda lärare. anges inte 75 000" in lines
    assert "1 Infrastruktur 200 000 anges inte" in lines
    # The table per area: 3 column headers, 2 areas and the plan; per section and
    # activity: 3 column headers and 5 rows (2 sections, 2 activities, section 1.1).
    th_counts = _th_per_captioned_table(pikepdf.open(path))
    assert 6 in th_counts and 8 in th_counts
