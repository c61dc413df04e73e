"""The budget (issue 10, point 6): planned and actual amounts per section and activity,
totalled once (plan/budget.py) and shown the same on the plan page, in the yearly report
(web page, PDF) and in its XLSX; the board's and the secretariat's unless the plan makes
it public; an amount not given is never shown as 0."""

import io
import subprocess
from decimal import Decimal

import openpyxl
import pytest
import tablib
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
    assert rows[-1][0] == "Hela planen"
    assert Decimal(str(rows[-1][1])) == totals.plan.planned
    assert Decimal(str(rows[-1][2])) == totals.plan.actual
    # The area without amounts has empty cells, not 0.
    assert rows[2][1] is None and rows[2][2] is None
    assert sheet.cell(row=len(rows), column=2).number_format == reports.SEK_FORMAT


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
