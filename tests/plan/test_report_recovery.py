"""Lost report builds are picked up again by the periodic recovery (ops.tasks.recover_jobs)
without anyone pressing a button, at most MAX_BUILD_ATTEMPTS times; then the request
stays failed and its page says why. In-process here; with real workers killed, and a
real Redis restarted, in tests/ops/test_faults.py."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from ops.tasks import recover_jobs
from plan import services
from plan.models import ReportRequest, report_build_stale_after
from tests.factories import UserFactory

from . import followup_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fp(db):
    return followup_data.build()


@pytest.fixture
def board(db):
    return UserFactory(username="ordforande", is_superuser=True)


def recover(django_capture_on_commit_callbacks):
    """One run of the beat entry, its queued builds run in-process."""
    with django_capture_on_commit_callbacks(execute=True):
        return recover_jobs.delay().get()


def test_a_build_whose_message_was_lost_is_built_by_the_recovery(
    fp, board, settings, django_capture_on_commit_callbacks
):
    # Queued, but its message went with a Redis restart.
    lost = ReportRequest.objects.create(
        plan=fp.plan, format="csv", language="sv", requested_by=board, queued_at=timezone.now()
    )
    assert recover(django_capture_on_commit_callbacks)["reports_requeued"] == []  # waiting
    ReportRequest.objects.filter(pk=lost.pk).update(
        queued_at=timezone.now() - datetime.timedelta(seconds=settings.JOB_RECOVERY_SECONDS + 1)
    )
    assert recover(django_capture_on_commit_callbacks)["reports_requeued"] == [lost.pk]
    lost.refresh_from_db()
    assert (lost.status, lost.attempts) == (ReportRequest.State.DONE, 1)
    assert lost.file


def test_a_build_whose_worker_died_is_claimed_again(fp, board, django_capture_on_commit_callbacks):
    running = ReportRequest.objects.create(
        plan=fp.plan,
        format="csv",
        language="sv",
        requested_by=board,
        status=ReportRequest.State.RUNNING,
        started_at=timezone.now() - datetime.timedelta(minutes=5),
        attempts=1,
        build_task_id="task-that-runs",
    )
    # Still within the time limit: a worker may be at it; left alone.
    assert recover(django_capture_on_commit_callbacks)["reports_requeued"] == []
    ReportRequest.objects.filter(pk=running.pk).update(
        started_at=timezone.now() - report_build_stale_after() - datetime.timedelta(seconds=1)
    )
    assert recover(django_capture_on_commit_callbacks)["reports_requeued"] == [running.pk]
    running.refresh_from_db()
    assert (running.status, running.attempts) == (ReportRequest.State.DONE, 2)


def test_the_same_task_delivered_again_takes_its_claim_over_and_others_do_not(fp, board):
    """A worker killed mid-build: Celery puts the task back (reject_on_worker_lost) and
    it comes again with its id; a duplicate message (another id) does nothing."""
    report_request = ReportRequest.objects.create(
        plan=fp.plan,
        format="csv",
        language="sv",
        requested_by=board,
        status=ReportRequest.State.RUNNING,
        started_at=timezone.now(),
        attempts=1,
        build_task_id="the-killed-task",
    )
    assert services.report_request_build(request_id=report_request.pk, claim="another") is None
    built = services.report_request_build(request_id=report_request.pk, claim="the-killed-task")
    assert (built.status, built.attempts) == (ReportRequest.State.DONE, 2)


def test_after_max_build_attempts_the_request_stays_failed_with_its_error(
    client, fp, board, settings, django_capture_on_commit_callbacks
):
    settings.MAX_BUILD_ATTEMPTS = 3
    doomed = ReportRequest.objects.create(
        plan=fp.plan,
        format="csv",
        language="en",
        requested_by=board,
        status=ReportRequest.State.RUNNING,
        started_at=timezone.now() - report_build_stale_after() - datetime.timedelta(minutes=1),
        attempts=3,
        error="The report could not be built: connection refused",
    )
    result = recover(django_capture_on_commit_callbacks)
    assert result["reports_failed"] == [doomed.pk] and result["reports_requeued"] == []
    doomed.refresh_from_db()
    assert doomed.status == ReportRequest.State.FAILED
    assert "started 3 times and did not finish" in doomed.error
    assert "connection refused" in doomed.error
    # Nothing starts it again: not the recovery, not a button.
    assert recover(django_capture_on_commit_callbacks)["reports_requeued"] == []
    services.report_request_retry(report_request=doomed, by=board)
    assert doomed.status == ReportRequest.State.FAILED and doomed.attempts == 3
    assert services.report_request_build(request_id=doomed.pk, claim="x") is None
    doomed.refresh_from_db()
    assert doomed.status == ReportRequest.State.FAILED
    # The page shows the error, no button to start it, and the way to a new one.
    client.force_login(board)
    with translation.override("en"):
        html = client.get(doomed.get_absolute_url()).content.decode()
        retry = reverse("plan:report_request_retry", kwargs={"pk": doomed.pk})
        new = reverse("plan:report_requests", kwargs={"year": fp.plan.year})
    assert "started 3 times and did not finish" in html
    assert "is not started again" in html
    assert retry not in html and f'href="{new}"' in html
    with translation.override("sv"):
        html = client.get(doomed.get_absolute_url()).content.decode()
    assert "skapas inte igen" in html


def test_a_task_delivered_again_after_the_last_attempt_marks_the_request_failed(fp, board):
    """A report that kills its worker every time (too big for the memory) does not go
    round for ever: the delivery after the last attempt gives up at once."""
    report_request = ReportRequest.objects.create(
        plan=fp.plan,
        format="csv",
        language="sv",
        requested_by=board,
        status=ReportRequest.State.RUNNING,
        started_at=timezone.now(),
        attempts=5,
        build_task_id="killer",
    )
    assert services.report_request_build(request_id=report_request.pk, claim="killer") is None
    report_request.refresh_from_db()
    assert report_request.status == ReportRequest.State.FAILED
    assert "5" in report_request.error
