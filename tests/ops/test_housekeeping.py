"""The nightly housekeeping (ops.tasks.housekeeping, on the beat schedule) and the file
of a deleted report request: real files with their times, real rows."""

import datetime
import os

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import LoginThrottle
from malardal.models import ImportJob
from ops.tasks import housekeeping
from plan import services
from plan.models import ReportRequest
from tests.factories import PlanFactory, UserFactory

from ..plan import followup_data

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def aged(path, age: datetime.timedelta):
    """Give the file a modification time `age` ago, as if it had been there that long."""
    when = (timezone.now() - age).timestamp()
    os.utime(path, (when, when))
    return path


def make_file(path, age: datetime.timedelta):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"data")
    return aged(path, age)


def built_request(plan, by) -> ReportRequest:
    report_request = services.report_request_create(plan=plan, format="csv", language="sv", by=by)
    services.report_request_build(request_id=report_request.pk)
    report_request.refresh_from_db()
    assert report_request.status == ReportRequest.State.DONE
    return report_request


def test_housekeeping_removes_what_nobody_will_use_again_and_keeps_the_rest(media):
    now = timezone.now()
    # Import files: one never confirmed two days ago, one uploaded a minute ago.
    folder = media / "django-import-export"
    forgotten = make_file(folder / "0123abcd", 2 * DAY)
    waiting = make_file(folder / "4567ef01", datetime.timedelta(minutes=1))
    # Report files: one whose request was deleted behind the portal's back (raw delete,
    # no signal), one of a living request, and an orphan written a minute ago.
    fp = followup_data.build()
    board = UserFactory(username="ordforande", is_superuser=True)
    living = built_request(fp.plan, board)
    aged(media / living.file.name, 3 * DAY)
    orphan = built_request(fp.plan, board)
    orphan_path = aged(media / orphan.file.name, 3 * DAY)
    ReportRequest.objects.filter(pk=orphan.pk)._raw_delete(using="default")
    fresh_orphan = make_file(media / "reports" / "2031" / ("f" * 32) / "new.csv", DAY / 24)
    # Background-import files: one whose job is gone, one a job still waits to import.
    import_orphan = make_file(media / "imports" / ("a" * 32) / "stor.csv", 2 * DAY)
    waiting_import = make_file(media / "imports" / ("b" * 32) / "stor.csv", 2 * DAY)
    ImportJob.objects.create(
        model="members.Organisation", file=f"imports/{'b' * 32}/stor.csv", file_name="stor.csv"
    )
    # Sessions: one expired, one valid.
    expired = SessionStore()
    expired["who"] = "gone"
    expired.set_expiry(now - datetime.timedelta(hours=1))
    expired.save()
    valid = SessionStore()
    valid["who"] = "here"
    valid.create()
    # Throttle counters: one long over, one lock still holding, one counting now.
    LoginThrottle.objects.create(
        key="pair:gammal|10.0.0.9",
        failures=5,
        window_started_at=now - 3 * DAY,
        last_failure_at=now - 2 * DAY,
        locked_until=now - 2 * DAY,
    )
    LoginThrottle.objects.create(
        key="pair:last|10.0.0.8",
        failures=9,
        window_started_at=now - 2 * DAY,
        last_failure_at=now - 2 * DAY,
        locked_until=now + datetime.timedelta(hours=1),
    )
    LoginThrottle.objects.create(
        key="ip:10.0.0.1", failures=2, window_started_at=now, last_failure_at=now
    )

    result = housekeeping.delay().get()

    assert result == {"import_files": 1, "orphaned_files": 2, "login_throttles": 1, "sessions": 1}
    assert not forgotten.exists() and waiting.exists()
    assert not orphan_path.exists() and not orphan_path.parent.exists()  # its folder too
    assert (media / living.file.name).exists() and fresh_orphan.exists()
    assert not import_orphan.exists() and waiting_import.exists()
    assert list(Session.objects.values_list("session_key", flat=True)) == [valid.session_key]
    assert set(LoginThrottle.objects.values_list("key", flat=True)) == {
        "pair:last|10.0.0.8",
        "ip:10.0.0.1",
    }
    # Run twice: nothing more to do, nothing breaks.
    assert housekeeping.delay().get() == dict.fromkeys(result, 0)


def test_deleting_a_request_in_the_admin_removes_its_file_on_commit(
    client, media, django_capture_on_commit_callbacks
):
    fp = followup_data.build()
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    report_request = built_request(fp.plan, root)
    path = media / report_request.file.name
    assert path.exists()
    client.force_login(root)
    with translation.override("sv"):
        url = reverse("admin:plan_reportrequest_delete", args=[report_request.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not ReportRequest.objects.exists()
    assert path.exists()  # not before the deletion is committed
    for callback in callbacks:
        callback()
    assert not path.exists()


def test_deleting_requests_in_bulk_or_with_their_plan_removes_their_files(
    client, media, django_capture_on_commit_callbacks
):
    fp = followup_data.build()
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    first, second = built_request(fp.plan, root), built_request(fp.plan, root)
    client.force_login(root)
    with translation.override("sv"):
        url = reverse("admin:plan_reportrequest_changelist")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"action": "delete_selected", "_selected_action": [first.pk], "post": "yes"}
        )
    assert response.status_code == 302
    assert not (media / first.file.name).exists() and (media / second.file.name).exists()
    with django_capture_on_commit_callbacks(execute=True):
        fp.plan.delete()
    assert not (media / second.file.name).exists()


def test_a_deletion_rolled_back_keeps_the_file(media, django_capture_on_commit_callbacks):
    from django.db import transaction

    plan = PlanFactory()
    root = UserFactory(username="root", is_superuser=True)
    report_request = built_request(plan, root)
    path, pk = media / report_request.file.name, report_request.pk
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.report_request_delete(report_request=report_request)
            raise RuntimeError("changed my mind")
    assert path.exists() and ReportRequest.objects.filter(pk=pk).exists()


def test_the_schedule_page_shows_housekeeping_and_recovery(client, secretariat_user):
    client.force_login(secretariat_user)
    with translation.override("en"):
        url = reverse("admin:reminders_reminderlog_schedule")
        html = client.get(url).content.decode()
    assert "ops.tasks.housekeeping" in html and "ops.tasks.recover_jobs" in html
    assert "Every day at 03:30" in html
    assert "import files never confirmed" in html
    assert "Every 5 minutes" in html
