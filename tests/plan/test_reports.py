"""The yearly follow-up report and the plan document, read back from what was produced:
the PDF's text (pdftotext), the XLSX cells (openpyxl), the CSV rows. And the board's
way to get them in the portal: a request, a build (in-process here; through a real
Celery worker in test_reports_worker.py), a page that follows the build, downloads that
check permission, failures that say why and can be started again."""

import csv
import datetime
import io
import re
import subprocess
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation

from plan import reports, services
from plan.followup import followup_report
from plan.models import Plan, ReportRequest
from plan.seed import plan_seed_load
from plan.services import status_update_create
from tests.factories import EventFactory, UserFactory
from tests.services import require_command

from . import followup_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fp(db):
    """The small plan with reports in every period, formula-like comments, and a
    meeting place held."""
    fp = followup_data.build()
    by = fp.anna
    status_update_create(
        activity=fp.a1,
        period=fp.t1,
        status=fp.on_track,
        progress=20,
        comment="Uppstartsmöte hållet.",
        by=by,
    )
    status_update_create(
        activity=fp.a1,
        period=fp.t2,
        status=fp.delayed,
        progress=35,
        comment='=HYPERLINK("http://example.org","klicka")',
        by=by,
    )
    status_update_create(
        activity=fp.a1,
        period=fp.year,
        status=fp.completed,
        progress=None,
        comment="Klart i december.",
        by=by,
    )
    status_update_create(
        activity=fp.a2,
        period=fp.t1,
        status=fp.on_track,
        progress=10,
        comment="-2 veckor efter plan",
        by=by,
    )
    status_update_create(
        activity=fp.a2,
        period=fp.t1,
        status=fp.on_track,
        progress=15,
        comment="+ rättad siffra",
        by=by,
    )  # the newer report counts
    status_update_create(
        activity=fp.a3,
        period=fp.t2,
        status=fp.on_track,
        progress=50,
        comment="@kansliet bokar lokal",
        by=fp.bertil,
    )
    held = EventFactory(
        slug="godsdagen",
        title_sv="Godstransportdagen",
        title_en="Freight transport day",
        start_date=datetime.date(followup_data.YEAR, 1, 1),
        end_date=datetime.date(followup_data.YEAR, 1, 1),
    )
    held.activities.add(fp.a2)
    unrelated = EventFactory(
        slug="annat",
        title_sv="Ett annat möte",
        title_en="Another meeting",
        start_date=datetime.date(followup_data.YEAR, 1, 1),
        end_date=datetime.date(followup_data.YEAR, 1, 1),
    )
    assert unrelated.pk
    return fp


def pdf_text(content: bytes, tmp_path, *, first=None, last=None, body=False) -> str:
    """The PDF's text; with `body`, without the running header and page footer."""
    pdftotext = require_command("pdftotext")
    assert content.startswith(b"%PDF-")
    path = tmp_path / "read.pdf"
    path.write_bytes(content)
    args = [pdftotext, "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first), "-l", str(last or first)]
    if body:  # A4 is 595 × 842 pt; the margins hold the header and footer
        args += ["-r", "72", "-x", "0", "-y", "56", "-W", "595", "-H", "716"]
    return subprocess.run([*args, str(path), "-"], capture_output=True, check=True).stdout.decode()


def squash(text: str) -> str:
    """Text without whitespace, hyphens and bullets: pdftotext joins words hyphenated at
    a line break and lines broken anywhere, so that is how texts are compared."""
    return re.sub(r"[\s\-•◦\u00ad]+", "", text).lower()


def page_count(text_with_footers: str) -> int:
    return int(re.search(r"\d+ \((\d+)\)", text_with_footers).group(1))


def page_of(content, tmp_path, needle, pages) -> int:
    """The first page after the cover (1) and the contents (2) that has `needle`."""
    for number in range(3, pages + 1):
        if squash(needle) in squash(pdf_text(content, tmp_path, first=number, body=True)):
            return number
    raise AssertionError(f"{needle!r} is on no page")


# --- the follow-up report as PDF ---------------------------------------------------------


def test_the_pdf_report_has_cover_contents_summary_and_every_activitys_story(fp, tmp_path):
    content = reports.followup_report_pdf(fp.plan, "en")
    text = pdf_text(content, tmp_path)
    flat = squash(text)
    # Cover.
    cover = pdf_text(content, tmp_path, first=1)
    assert f"Follow-up of the operations plan {fp.plan.year}" in " ".join(cover.split())
    assert "Operations plan" in cover
    # Summary with its numbers (the charts' text alternative is in the text too).
    assert (
        squash("Progress of the plan:") in flat and squash("% of 3 activities, Full year") in flat
    )
    assert squash("Activities by status") in flat
    assert squash("Average progress per section") in flat
    # Plan order, with goals, each activity's final status and every period's comment.
    order = [
        "1. Focus areas",
        "1.1 Infrastructure and transport",
        "To strengthen the region.",
        "To build railways.",
        "To coordinate the traffic.",
        "Klart i december.",
        "To draw up a freight strategy.",
        "+ rättad siffra",
        "Freight transport day",
        "2. Meeting places",
        "To arrange Mälartinget.",
        "@kansliet bokar lokal",
    ]
    # Each found after the one before it, starting after the summary's last table.
    position = flat.index(squash("Programmes"))
    for item in order:
        assert squash(item) in flat[position:], item
        position = flat.index(squash(item), position)
    for comment in ("Uppstartsmöte hållet.", '=HYPERLINK("http://example.org","klicka")'):
        assert squash(comment) in flat
    # A period shows its latest report: the one it replaced is history, not the result.
    assert squash("-2 veckor efter plan") not in flat
    assert squash("Final status: Completed, 100 %") in flat
    assert squash("Final status: On track, 15 %") in flat
    assert "Another meeting" not in text  # not linked to the plan


def test_the_pdf_reports_contents_point_at_the_right_pages(fp, tmp_path):
    content = reports.followup_report_pdf(fp.plan, "sv")
    text = pdf_text(content, tmp_path)
    pages = page_count(text)
    assert pages >= 4
    contents = " ".join(pdf_text(content, tmp_path, first=2).split())
    # A top-level heading is printed "2. Mötesplatser"; the contents list "2 Mötesplatser".
    for number, heading, printed in (
        ("1.1", "Infrastruktur och transporter", "1.1 Infrastruktur och transporter"),
        ("2", "Mötesplatser", "2. Mötesplatser"),
    ):
        match = re.search(re.escape(f"{number} {heading}") + r"[ .]*?(\d+)\b", contents)
        assert match, contents
        assert int(match.group(1)) == page_of(content, tmp_path, printed, pages)
    # Every page after the cover is numbered "n (pages)".
    for number in range(2, pages + 1):
        assert f"{number} ({pages})" in pdf_text(content, tmp_path, first=number)
    assert "(" + str(pages) + ")" not in pdf_text(content, tmp_path, first=1)


def test_the_report_names_the_meeting_places_held_until_today(fp):
    later = EventFactory(
        slug="senare",
        title_sv="Senare möte",
        start_date=datetime.date(followup_data.YEAR, 12, 1),
        end_date=datetime.date(followup_data.YEAR, 12, 1),
    )
    later.sections.add(fp.meetings)
    translation.activate("sv")
    on_june = followup_report(fp.plan, on=datetime.date(followup_data.YEAR, 6, 1))
    held = {s.section.slug: [e.title for e in s.events] for s in on_june.sections}
    assert held["infrastruktur"] == ["Godstransportdagen"]
    assert held["motesplatser"] == []
    at_year_end = followup_report(fp.plan, on=datetime.date(followup_data.YEAR, 12, 31))
    assert [e.title for e in at_year_end.sections[2].events] == ["Senare möte"]


# --- the follow-up report as XLSX and CSV --------------------------------------------------


def test_the_xlsx_has_a_row_per_activity_and_status_progress_comment_per_period(fp):
    content = reports.followup_report_xlsx(fp.plan, "en")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["Section number", "Section", "Activity id", "Activity"]
    assert header[6:10] == [
        "First four-month period: status",
        "First four-month period: progress (%)",
        "First four-month period: comment",
        "First four-month period: reported",
    ]
    assert header[-4:] == ["Final status", "Final progress (%)", "Late", "Report missing"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(header)).column_letter}4"
    rows = {row[2].value: row for row in sheet.iter_rows(min_row=2)}
    assert set(rows) == {fp.a1.pk, fp.a2.pk, fp.a3.pk}
    a1 = [c.value for c in rows[fp.a1.pk]]
    assert a1[3] == "To coordinate the traffic."
    assert a1[4] == "Anna Testsson"
    reported = a1[9::4][:3]  # the "reported" cell of each period: a date cell
    assert all(isinstance(when, datetime.datetime) for when in reported)
    del a1[9:18:4]
    assert a1[6:15] == [
        "On track",
        20,
        "Uppstartsmöte hållet.",
        "Delayed",
        35,
        '=HYPERLINK("http://example.org","klicka")',
        "Completed",
        100,
        "Klart i december.",
    ]
    assert a1[15:] == ["Completed", 100, None, None]
    # Formula-like comments are text cells with Excel's quote prefix: they never run.
    for row in rows.values():
        for cell in row:
            if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                assert cell.data_type == "s" and cell.quotePrefix, cell.value
    a3 = [c.value for c in rows[fp.a3.pk]]
    assert a3[6:10] == [None, None, None, None]  # no report in tertial 1


def test_the_xlsx_file_contains_no_formula(fp):
    """At the file level: the sheet has no <f> (formula) element at all."""
    content = reports.followup_report_xlsx(fp.plan, "sv")
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        styles = archive.read("xl/styles.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet
    assert 'quotePrefix="1"' in styles


def test_the_csv_neutralises_formula_cells_and_opens_with_swedish_letters(fp):
    content = reports.followup_report_csv(fp.plan, "sv")
    assert content.startswith("\ufeff".encode())
    # Semicolons and CRLF, as Excel in Swedish writes CSV: a double-click opens columns.
    assert b";" in content.split(b"\r\n", 1)[0]
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert len(rows[0]) == 22
    assert rows[4:6] == [[], ["Mål"]]  # the goals follow the activities, then the summary
    rows = rows[:4]
    cells = [cell for row in rows for cell in row]
    assert '\'=HYPERLINK("http://example.org","klicka")' in cells
    assert "'+ rättad siffra" in cells
    assert "'@kansliet bokar lokal" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")]
    by_id = {row[2]: row for row in rows[1:]}
    assert by_id[str(fp.a1.pk)][3] == "Att samordna trafiken."
    assert by_id[str(fp.a1.pk)][-4:] == ["Genomförd", "100", "", ""]


def test_the_command_writes_each_format_in_each_language(fp, tmp_path, capsys):
    for fmt, lang in (("pdf", "sv"), ("xlsx", "en"), ("csv", "en")):
        out = tmp_path / f"report.{fmt}"
        call_command(
            "followup_report",
            str(fp.plan.year),
            "--format",
            fmt,
            "--language",
            lang,
            "--output",
            str(out),
        )
        assert out.stat().st_size > 0
    assert b"To coordinate the traffic." in (tmp_path / "report.csv").read_bytes()
    sheet = openpyxl.load_workbook(tmp_path / "report.xlsx").active
    assert sheet["D2"].value == "To coordinate the traffic."
    assert "Att samordna trafiken." in pdf_text((tmp_path / "report.pdf").read_bytes(), tmp_path)
    with pytest.raises(Exception, match="no plan"):
        call_command("followup_report", "1999", "--output", str(tmp_path / "x.pdf"))


# --- the plan document ---------------------------------------------------------------------


@pytest.fixture
def plan_2023(db):
    plan_seed_load()
    return Plan.objects.get(year=2023)


def test_the_plan_document_holds_every_line_of_the_adopted_plan(plan_2023, tmp_path):
    from tests.plan.test_seed import LABELS, heading_of, seed_lines

    content = reports.plan_document_pdf(plan_2023, "sv")
    body = squash(pdf_text(content, tmp_path, body=True))
    missing = [
        line
        for line in seed_lines()
        if not LABELS.match(line)
        and squash(heading_of(line) if re.match(r"^\d", line) else line) not in body
    ]
    assert missing == []
    # Every section heading, goal and activity, in document order.
    texts = []
    for section in plan_2023.sections.order_by("order"):
        texts.append(section.heading_sv)
        texts += [g.text_sv for g in section.goals.order_by("order")]
        texts += [a.text_sv for a in section.activities.order_by("order")]
    positions = []
    start = 0
    for item in texts:
        start = body.index(squash(item), start)
        positions.append(start)
    assert positions == sorted(positions)


def test_the_plan_document_has_contents_with_page_numbers(plan_2023, tmp_path):
    content = reports.plan_document_pdf(plan_2023, "en")
    text = pdf_text(content, tmp_path)
    pages = page_count(text)
    contents = " ".join(pdf_text(content, tmp_path, first=2).split())
    match = re.search(r"4\.2 Reglab[ .]*?(\d+)", contents)
    assert match and int(match.group(1)) == page_of(content, tmp_path, "4.2 Reglab", pages)
    assert "Operations plan 2023" in pdf_text(content, tmp_path, first=1)


def test_the_plan_document_command(plan_2023, tmp_path):
    out = tmp_path / "plan.pdf"
    call_command("plan_document", "2023", "--format", "pdf", "--output", str(out))
    assert "Verksamhetsplan 2023" in pdf_text(out.read_bytes(), tmp_path, first=1)


def test_each_plan_page_links_its_document_which_is_made_once(client, fp, tmp_path, settings):
    with translation.override("sv"):
        page = client.get(fp.plan.get_absolute_url()).content.decode()
        link = reverse("plan:plan_document", kwargs={"year": fp.plan.year})
    assert f'href="{link}"' in page
    first = client.get(link)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    content = b"".join(first.streaming_content)
    assert "Att samordna trafiken." in pdf_text(content, tmp_path)
    stored = list((settings.MEDIA_ROOT / "plan-documents" / str(fp.plan.year)).iterdir())
    assert len(stored) == 1
    client.get(link)  # the same plan: the kept file
    assert list((settings.MEDIA_ROOT / "plan-documents" / str(fp.plan.year)).iterdir()) == stored
    fp.a1.text_sv = "Att samordna all trafik."
    fp.a1.save()
    content = b"".join(client.get(link).streaming_content)
    assert "Att samordna all trafik." in pdf_text(content, tmp_path)
    assert len(list((settings.MEDIA_ROOT / "plan-documents" / str(fp.plan.year)).iterdir())) == 1
    with translation.override("en"):
        english = reverse("plan:plan_document", kwargs={"year": fp.plan.year})
    content = b"".join(client.get(english).streaming_content)
    assert "To coordinate the traffic." in pdf_text(content, tmp_path)


def test_a_draft_plans_document_is_not_for_visitors(client):
    draft = followup_data.build(followup_data.YEAR + 1, status=Plan.Status.DRAFT)
    link = reverse("plan:plan_document", kwargs={"year": draft.plan.year})
    assert client.get(link).status_code == 404


# --- asking for the report in the portal ---------------------------------------------------


def url(name, **kwargs):
    with translation.override("en"):
        return reverse(f"plan:{name}", kwargs=kwargs)


def test_the_board_asks_for_the_report_and_downloads_it_later(
    client, fp, board_user, django_capture_on_commit_callbacks, tmp_path
):
    client.force_login(board_user)
    page = client.get(url("report_requests", year=fp.plan.year))
    assert page.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("report_requests", year=fp.plan.year), {"format": "xlsx", "language": "en"}
        )
    report_request = ReportRequest.objects.get()
    assert response.status_code == 302 and response.url == report_request.get_absolute_url()
    assert report_request.status == ReportRequest.State.DONE
    assert report_request.requested_by == board_user
    # The file is kept under a name nobody can guess, and listed.
    assert re.fullmatch(
        rf"reports/{fp.plan.year}/[0-9a-f]{{32}}/follow-up-report-{fp.plan.year}-en\.xlsx",
        report_request.file.name,
    )
    listing = client.get(url("report_requests", year=fp.plan.year)).content.decode()
    download = url("report_request_download", pk=report_request.pk)
    assert f'href="{download}"' in listing
    detail = client.get(report_request.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' not in detail  # done: nothing to wait for
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert sheet["D2"].value == "To coordinate the traffic."


def test_downloads_check_permission(client, fp, board_user, member_user):
    services.report_request_create(
        plan=fp.plan,
        format="csv",
        language="sv",
        by=UserFactory(username="root", is_superuser=True),
    )
    report_request = ReportRequest.objects.get()
    services.report_request_build(request_id=report_request.pk)
    download = url("report_request_download", pk=report_request.pk)
    assert client.get(download).status_code == 302  # to the login page
    client.force_login(member_user)
    assert client.get(download).status_code == 403
    assert client.get(url("report_requests", year=fp.plan.year)).status_code == 403
    client.force_login(board_user)
    assert client.get(download).status_code == 200


def test_members_may_not_ask_for_the_report(fp, member_user):
    with pytest.raises(services.PermissionDenied):
        services.report_request_create(plan=fp.plan, format="pdf", language="sv", by=member_user)
    assert not ReportRequest.objects.exists()


def test_the_page_refreshes_itself_while_the_report_is_built(client, fp, board_user):
    client.force_login(board_user)
    report_request = ReportRequest.objects.create(
        plan=fp.plan, format="pdf", language="sv", requested_by=board_user
    )
    html = client.get(report_request.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in html
    assert "<script" not in html
    ReportRequest.objects.filter(pk=report_request.pk).update(
        status="running", started_at=timezone.now()
    )
    html = client.get(report_request.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' in html


def test_a_failed_build_says_why_and_can_be_started_again(
    client, fp, board_user, django_capture_on_commit_callbacks
):
    # A request the builder cannot make (its format is not one it knows).
    broken = ReportRequest.objects.create(
        plan=fp.plan, format="doc", language="en", requested_by=board_user
    )
    services.report_request_build(request_id=broken.pk)
    broken.refresh_from_db()
    assert broken.status == ReportRequest.State.FAILED
    assert "doc" in broken.error and not broken.file
    client.force_login(board_user)
    html = client.get(url("report_request_detail", pk=broken.pk)).content.decode()
    assert "could not be built" in html and "Unknown format" in html
    assert 'http-equiv="refresh"' not in html
    ReportRequest.objects.filter(pk=broken.pk).update(format="csv")  # the cause is fixed
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("report_request_retry", pk=broken.pk))
    assert response.status_code == 302
    broken.refresh_from_db()
    assert (broken.status, broken.error, broken.attempts) == (ReportRequest.State.DONE, "", 2)
    assert broken.file


def test_a_build_runs_once_however_often_it_is_started(fp, board_user):
    report_request = ReportRequest.objects.create(
        plan=fp.plan, format="csv", language="sv", requested_by=board_user
    )
    first = services.report_request_build(request_id=report_request.pk)
    name = first.file.name
    assert services.report_request_build(request_id=report_request.pk) is None
    report_request.refresh_from_db()
    assert (report_request.file.name, report_request.attempts) == (name, 1)
    # A build claimed by a worker that is still at it is not taken over…
    running = ReportRequest.objects.create(
        plan=fp.plan, format="csv", language="sv", status="running", started_at=timezone.now()
    )
    assert services.report_request_build(request_id=running.pk) is None
    # …but one whose worker died long ago is.
    ReportRequest.objects.filter(pk=running.pk).update(
        started_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert services.report_request_build(request_id=running.pk).status == "done"


def test_a_lost_build_can_be_started_again(
    client, fp, board_user, django_capture_on_commit_callbacks
):
    """A request whose task was lost (the broker restarted) waits no longer than a build
    takes: then its page stops refreshing and offers to start it again."""
    lost = ReportRequest.objects.create(
        plan=fp.plan,
        format="csv",
        language="sv",
        requested_by=board_user,
        queued_at=timezone.now(),
    )
    client.force_login(board_user)
    services.report_request_retry(report_request=lost, by=board_user)
    assert lost.status == "queued" and lost.attempts == 0  # not yet stale: left alone
    ReportRequest.objects.filter(pk=lost.pk).update(
        queued_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    with translation.override("en"):
        html = client.get(lost.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' not in html
    assert url("report_request_retry", pk=lost.pk) in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("report_request_retry", pk=lost.pk))
    lost.refresh_from_db()
    assert lost.status == "done" and lost.file
