"""Swedish formats in the yearly report (issue 13.4): the spreadsheet's times are date
cells in Swedish time and it prints landscape on one page width with the header on every
page; the report's pages write dates and percentages as Swedish (or English) does."""

import datetime
import io
import re
import subprocess

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from plan import reports
from plan.models import StatusUpdate
from plan.services import status_update_create
from tests.services import require_command

from . import followup_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def fp(db):
    fp = followup_data.build()
    status_update_create(
        activity=fp.a1, period=fp.t1, status=fp.on_track, progress=40, comment="", by=fp.anna
    )
    # A report made at 23:30 UTC on 30 April is 1 May in Sweden (summer time: +2 h).
    StatusUpdate.objects.filter(activity=fp.a1).update(
        reported_at=datetime.datetime(fp.plan.year, 4, 30, 23, 30, tzinfo=datetime.UTC)
    )
    return fp


def test_reported_at_is_a_date_cell_in_swedish_time(fp):
    book = openpyxl.load_workbook(io.BytesIO(reports.followup_report_xlsx(fp.plan, "sv")))
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    column = header.index("Tertial 1: rapporterad") + 1
    row = next(r for r in sheet.iter_rows(min_row=2) if r[2].value == fp.a1.pk)
    cell = row[column - 1]

    assert cell.is_date
    # Spreadsheet cells have no time zone: the value is Swedish wall-clock time.
    assert cell.value == datetime.datetime(fp.plan.year, 5, 1, 1, 30)  # noqa: DTZ001
    assert cell.number_format == "yyyy-mm-dd hh:mm"


def test_the_report_xlsx_prints_landscape_fit_to_width_with_the_header_repeated(fp):
    book = openpyxl.load_workbook(io.BytesIO(reports.followup_report_xlsx(fp.plan, "en")))

    for sheet in book.worksheets:
        assert sheet.page_setup.orientation == "landscape"
        assert str(sheet.page_setup.paperSize) == sheet.PAPERSIZE_A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth == 1
        assert sheet.page_setup.fitToHeight == 0  # as many pages down as needed
        assert sheet.print_title_rows == "$1:$1"


def test_the_csv_writes_the_time_in_swedish_time(fp):
    content = reports.followup_report_csv(fp.plan, "sv").decode("utf-8-sig")
    assert f"{fp.plan.year}-05-01 01:30" in content


def report_text(client, board_user, language, year) -> str:
    client.force_login(board_user)
    with translation.override(language):
        url = reverse("plan:followup_report", kwargs={"year": year})
    html = client.get(url).content.decode()
    # Only ASCII white space is squeezed: the no-break spaces are what is tested.
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize(
    "language, periods, percent",
    [
        ("sv", "Tertial 1 (1 jan.–30 apr. {y})", "40\N{NO-BREAK SPACE}%"),
        ("en", "First four-month period (1 Jan–30 Apr {y})", "40\N{NO-BREAK SPACE}%"),
    ],
)
def test_the_report_page_writes_periods_and_percentages_in_its_language(
    client, fp, board_user, language, periods, percent
):
    text = report_text(client, board_user, language, fp.plan.year).replace(
        "&nbsp;", "\N{NO-BREAK SPACE}"
    )

    assert periods.format(y=fp.plan.year) in text
    assert percent in text
    assert " 40 %" not in text  # never an ordinary (breaking) space before the sign
    assert " Maj" not in text and " Jan " not in text.replace("1 Jan–", "")


def test_the_pdf_report_writes_swedish_dates(fp, tmp_path):
    content = reports.followup_report_pdf(fp.plan, "sv")
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        [require_command("pdftotext"), "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    flat = " ".join(text.split())
    assert f"Tertial 2 (1 maj–31 aug. {fp.plan.year})" in flat
    assert "Maj" not in flat
