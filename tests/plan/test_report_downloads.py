"""The board's report in two clicks (issue 14, point 2): the follow-up page offers the
yearly report's PDF (with its page count) and Excel file for download at once; a file is
built again only when the data it reads has changed — in the background after a change
(once for a burst), or when the board orders it, with its progress shown on the page."""

import re

import pikepdf
import pytest
from django.core.cache import cache
from django.urls import reverse

from plan import report_files, services
from plan.models import ReportRequest
from plan.services import status_update_create

from . import followup_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def fp(db):
    cache.delete(report_files.REFRESH_KEY)
    return followup_data.build()


def dashboard(client, fp, lang="sv"):
    with_lang = reverse("plan:followup_dashboard", args=[fp.plan.year])
    if lang != "sv":
        with_lang = with_lang.replace("/sv/", f"/{lang}/", 1)
    response = client.get(with_lang)
    assert response.status_code == 200
    return response.content.decode()


def build(report_request):
    return services.report_request_build(request_id=report_request.pk)


def test_the_same_data_is_built_once_and_a_change_makes_it_stale(fp):
    first = services.report_request_current(plan=fp.plan, format="xlsx", language="sv")
    again = services.report_request_current(plan=fp.plan, format="xlsx", language="sv")
    assert again.pk == first.pk
    status_update_create(activity=fp.a1, period=fp.t1, status=fp.on_track, progress=5, by=fp.anna)
    after = services.report_request_current(plan=fp.plan, format="xlsx", language="sv")
    assert after.pk != first.pk
    assert after.data_version != first.data_version
    assert after.data_version == report_files.data_version()


def test_board_downloads_the_pdf_from_the_follow_up_page_with_its_page_count(
    client, fp, board_user
):
    pdf = build(services.report_request_current(plan=fp.plan, format="pdf", language="sv"))
    assert pdf.status == ReportRequest.State.DONE
    with pdf.file.open("rb") as handle, pikepdf.open(handle) as document:
        pages = len(document.pages)
    assert pdf.page_count == pages > 1
    client.force_login(board_user)
    html = dashboard(client, fp)
    link = re.search(r'<a class="report-download__link" href="([^"]+)"[^>]*>([^<]+)</a>', html)
    assert link.group(2).strip() == f"Ladda ner årsrapporten (PDF, {pages} sidor)"
    assert "före de senaste ändringarna" not in html
    response = client.get(link.group(1))  # the second click
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_stale_file_is_still_offered_and_a_new_one_can_be_ordered(client, fp, board_user):
    build(services.report_request_current(plan=fp.plan, format="xlsx", language="en"))
    status_update_create(activity=fp.a1, period=fp.t1, status=fp.on_track, progress=5, by=fp.anna)
    client.force_login(board_user)
    html = dashboard(client, fp, "en")
    assert "Download the yearly report (Excel)" in html
    assert "before the latest changes" in html
    assert "Order a new report (Excel)" in html
    order = reverse("plan:report_current", args=[fp.plan.year]).replace("/sv/", "/en/")
    response = client.post(order, {"format": "xlsx"})
    assert response.status_code == 302
    assert response["Location"].endswith("#report-downloads")
    html = dashboard(client, fp, "en")
    status = re.search(r'<p class="report-download__status" role="status">(.*?)</p>', html, re.S)
    assert "A new Excel file of the current data is being built." in status.group(1)
    assert "Refresh the page" in status.group(1)
    # Ordering again while it is being built starts nothing more.
    client.post(order, {"format": "xlsx"})
    assert ReportRequest.objects.filter(format="xlsx", language="en").count() == 2


def test_a_nonsense_format_is_refused(client, fp, board_user):
    client.force_login(board_user)
    order = reverse("plan:report_current", args=[fp.plan.year])
    assert client.post(order, {"format": "exe"}).status_code == 400
    assert not ReportRequest.objects.exists()


def test_members_are_not_offered_the_files(client, fp):
    client.force_login(fp.anna)
    response = client.get(reverse("plan:followup_dashboard", args=[fp.plan.year]))
    assert response.status_code == 403


def test_a_change_queues_one_background_build_for_a_burst_of_changes(
    fp, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_REFRESH_SECONDS = 60
    # As in production, with a broker (the task still runs eagerly here).
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/8"
    with django_capture_on_commit_callbacks() as callbacks:
        status_update_create(
            activity=fp.a1, period=fp.t1, status=fp.on_track, progress=5, by=fp.anna
        )
    scheduled = [c for c in callbacks if c.__qualname__.startswith("schedule_refresh")]
    assert scheduled
    for callback in scheduled:
        callback()  # the task runs eagerly here: it queues the builds of the current data
    queued = ReportRequest.objects.filter(data_version=report_files.data_version())
    assert sorted(queued.values_list("format", "language")) == [
        ("pdf", "en"),
        ("pdf", "sv"),
        ("xlsx", "en"),
        ("xlsx", "sv"),
    ]
    assert all(r.status == ReportRequest.State.QUEUED for r in queued)
    # A second change within the delay queues no second task.
    with django_capture_on_commit_callbacks() as callbacks:
        status_update_create(
            activity=fp.a2, period=fp.t1, status=fp.on_track, progress=5, by=fp.anna
        )
    for callback in [c for c in callbacks if c.__qualname__.startswith("schedule_refresh")]:
        callback()
    assert ReportRequest.objects.count() == 4
