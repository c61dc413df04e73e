"""A background import whose message was lost (a Redis restart) is imported by the
recovery of lost jobs (ops.tasks.recover_jobs), once."""

import datetime

import pytest
from django.utils import timezone

from malardal import services
from malardal.models import ImportJob
from members.models import Organisation
from ops.tasks import recover_jobs

pytestmark = pytest.mark.django_db


def test_an_import_whose_message_was_lost_is_imported_by_the_recovery(
    settings, tmp_path, secretariat_user, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    rows = [["Kortnamn", "Namn (sv)", "Typ"], ["org-1", "Organisation nr 1", "municipality"]]
    data = ("\r\n".join(";".join(row) for row in rows) + "\r\n").encode("cp1252")
    with django_capture_on_commit_callbacks(execute=False):  # the message is lost
        job = services.import_job_create(
            model=Organisation,
            resource_index=0,
            format_index=0,
            data=data,
            file_name="stor.csv",
            rows=1,
            by=secretariat_user,
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_jobs.delay().get()["imports_requeued"] == []  # not waited long yet
    ImportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - datetime.timedelta(seconds=settings.JOB_RECOVERY_SECONDS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_jobs.delay().get()["imports_requeued"] == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.State.DONE, job.errors
    assert Organisation.objects.filter(slug="org-1").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_jobs.delay().get()["imports_requeued"] == []  # done: left alone


def _job(secretariat_user, django_capture_on_commit_callbacks, slug="org-2"):
    rows = [["Kortnamn", "Namn (sv)", "Typ"], [slug, "Organisation nr 2", "municipality"]]
    data = ("\r\n".join(";".join(row) for row in rows) + "\r\n").encode("cp1252")
    with django_capture_on_commit_callbacks(execute=False):
        return services.import_job_create(
            model=Organisation,
            resource_index=0,
            format_index=0,
            data=data,
            file_name="stor.csv",
            rows=1,
            by=secretariat_user,
        )


def test_an_import_left_importing_by_a_dead_worker_is_taken_over(
    settings, tmp_path, secretariat_user, django_capture_on_commit_callbacks
):
    """The worker died mid-import: its transaction rolled back, the job still says
    "importing". Once past the task's time limit the recovery imports it, once."""
    settings.MEDIA_ROOT = tmp_path
    job = _job(secretariat_user, django_capture_on_commit_callbacks)
    # As a worker that claimed it and then died leaves it.
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.State.RUNNING, started_at=timezone.now(), attempts=1
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_jobs.delay().get()["imports_requeued"] == []  # may still be running
    ImportJob.objects.filter(pk=job.pk).update(
        started_at=timezone.now() - datetime.timedelta(seconds=settings.IMPORT_TIME_LIMIT + 61)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_jobs.delay().get()["imports_requeued"] == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.State.DONE, job.errors
    assert job.attempts == 2
    assert Organisation.objects.filter(slug="org-2").count() == 1


def test_an_import_interrupted_too_often_stops_with_its_reason(
    settings, tmp_path, secretariat_user, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    job = _job(secretariat_user, django_capture_on_commit_callbacks, slug="org-3")
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.State.RUNNING,
        started_at=timezone.now() - datetime.timedelta(seconds=settings.IMPORT_TIME_LIMIT + 61),
        attempts=settings.MAX_BUILD_ATTEMPTS,
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_jobs.delay().get()["imports_requeued"] == []
    job.refresh_from_db()
    assert job.status == ImportJob.State.FAILED
    assert job.errors == [
        f"Importen avbröts {settings.MAX_BUILD_ATTEMPTS} gånger och har stoppats; ingenting "
        "importerades. Ladda upp filen igen, eller dela upp den i mindre filer."
    ]
    assert not Organisation.objects.filter(slug="org-3").exists()
