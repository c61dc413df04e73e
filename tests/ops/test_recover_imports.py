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
