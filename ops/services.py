"""Keeping the portal tidy and its work moving: the nightly housekeeping and the
recovery of lost jobs. Celery beat runs both (ops.tasks); each is safe to run twice and
beside everything else.

Housekeeping removes what nobody will use again:

- import files never confirmed (django-import-export keeps the uploaded file between
  the preview and the confirmation) older than a day;
- report files whose request is gone (deleting a request removes its file at once;
  this sweeps up what a raw delete or a killed process left) older than a day, and
  background-import files (``imports/``) whose job is gone or has run;
- expired sessions (what ``manage.py clearsessions`` does);
- login and password-reset throttle counters that hold nothing back any more
  (``accounts.services.login_throttles_purge``).
"""

import datetime
import logging
from collections.abc import Iterator
from functools import partial
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.core.files.storage import Storage, default_storage, storages
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.services import login_throttles_purge
from plan.models import ReportRequest

logger = logging.getLogger(__name__)

# Where django-import-export's MediaStorage keeps an import file until it is confirmed.
IMPORT_FOLDER = "django-import-export"
# Where report files live (plan.models._report_upload_to), and the files of background
# imports (malardal.models._import_upload_to).
REPORT_FOLDER = "reports"
IMPORT_JOB_FOLDER = "imports"
# An import is confirmed within minutes; a report file is recorded on its request the
# moment it is written. A day is far beyond both.
STALE_AFTER = datetime.timedelta(days=1)


def import_storage() -> Storage:
    """The storage django-import-export's MediaStorage writes to: STORAGES["import_export"]
    when configured, else the default storage."""
    return storages["import_export"] if "import_export" in settings.STORAGES else default_storage


def _walk(storage: Storage, folder: str) -> Iterator[tuple[str, str]]:
    """Every file under `folder` (paths relative to the storage), deepest first, and the
    folders in it after their files."""
    try:
        dirs, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in dirs:
        yield from _walk(storage, f"{folder}/{name}")
        yield "dir", f"{folder}/{name}"
    for name in files:
        yield "file", f"{folder}/{name}"


def _remove_empty_dir(storage: Storage, folder: str) -> None:
    try:
        Path(storage.path(folder)).rmdir()
    except (NotImplementedError, OSError):
        pass  # not a local storage, or not empty


def _older_than(storage: Storage, name: str, cutoff: datetime.datetime) -> bool:
    try:
        return storage.get_modified_time(name) < cutoff
    except (FileNotFoundError, NotImplementedError):
        return False


def import_files_remove_stale(*, now: datetime.datetime | None = None) -> list[str]:
    """Remove import files waiting for a confirmation that never came (older than a day).
    Returns their names."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    storage = import_storage()
    removed = []
    for kind, name in _walk(storage, IMPORT_FOLDER):
        if kind == "file" and _older_than(storage, name, cutoff):
            storage.delete(name)
            removed.append(name)
    return removed


def _remove_orphans(folder: str, kept: set[str], cutoff: datetime.datetime) -> list[str]:
    """Remove the files under `folder` of the default storage that are not in `kept` and
    older than `cutoff` (so a file being written right now is never touched), and the
    folders left empty. Returns the names of the files removed."""
    storage = default_storage
    removed = []
    for kind, name in _walk(storage, folder):
        if kind == "dir":
            _remove_empty_dir(storage, name)
        elif name not in kept and _older_than(storage, name, cutoff):
            storage.delete(name)
            removed.append(name)
    return removed


def report_files_remove_orphaned(*, now: datetime.datetime | None = None) -> list[str]:
    """Remove report files no request refers to any more (older than a day), and the
    files of background imports no job is waiting to import (a job removes its file
    when it has run). Returns the names of the files removed."""
    from malardal.models import ImportJob

    cutoff = (now or timezone.now()) - STALE_AFTER
    reports = set(ReportRequest.objects.exclude(file="").values_list("file", flat=True))
    imports = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    return _remove_orphans(REPORT_FOLDER, reports, cutoff) + _remove_orphans(
        IMPORT_JOB_FOLDER, imports, cutoff
    )


def sessions_remove_expired() -> None:
    """Remove expired sessions from the session store (``manage.py clearsessions``)."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()


def housekeeping_run(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """The nightly clean-up (beat: HOUSEKEEPING_HOUR, Swedish time). Returns how many of
    each kind were removed."""
    from django.contrib.sessions.models import Session

    now = now or timezone.now()
    expired_sessions = Session.objects.filter(expire_date__lt=now).count()
    result = {
        "import_files": len(import_files_remove_stale(now=now)),
        "orphaned_files": len(report_files_remove_orphaned(now=now)),
        "login_throttles": login_throttles_purge(now=now),
    }
    sessions_remove_expired()
    result["sessions"] = expired_sessions
    logger.info("Housekeeping: %s", result)
    return result


def import_jobs_recover(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again background imports still waiting JOB_RECOVERY_SECONDS after they were
    made (their message was lost, e.g. with a Redis restart). Harmless when the first
    message is only late: the job is claimed before it runs, so it runs once.

    A job still "importing" a minute past IMPORT_TIME_LIMIT (the task's hard limit) was
    left by a dead worker: its import ran in one transaction, which rolled back, so it is
    queued again; after MAX_BUILD_ATTEMPTS tries it is failed with a message saying so,
    and nothing was imported."""
    from malardal.models import ImportJob
    from malardal.tasks import run_import_job

    now = now or timezone.now()
    stalled = now - datetime.timedelta(seconds=settings.IMPORT_TIME_LIMIT + 60)
    running = ImportJob.objects.filter(status=ImportJob.State.RUNNING, started_at__lt=stalled)
    taken_over: list[int] = []
    for job in running.select_related("created_by"):
        if job.attempts >= settings.MAX_BUILD_ATTEMPTS:
            with translation.override(job.language):
                message = gettext(
                    "The import was interrupted %(count)s times and has stopped; nothing "
                    "was imported. Upload the file again, or split it into smaller files."
                ) % {"count": job.attempts}
            ImportJob.objects.filter(pk=job.pk, status=ImportJob.State.RUNNING).update(
                status=ImportJob.State.FAILED, errors=[message], finished_at=now
            )
        else:
            # Back in the queue, and queued again below like a lost message.
            ImportJob.objects.filter(pk=job.pk, status=ImportJob.State.RUNNING).update(
                status=ImportJob.State.QUEUED, started_at=None
            )
            logger.warning("Import job %s was left importing by a dead worker", job.pk)
            taken_over.append(job.pk)
    waited = now - datetime.timedelta(seconds=settings.JOB_RECOVERY_SECONDS)
    ids = sorted(
        set(taken_over)
        | set(
            ImportJob.objects.filter(
                status=ImportJob.State.QUEUED, created_at__lt=waited
            ).values_list("pk", flat=True)
        )
    )
    for pk in ids:
        transaction.on_commit(partial(run_import_job.delay, pk))
    if ids:
        logger.warning("Import jobs queued again (lost messages): %s", ids)
    return ids


def jobs_recover(*, now: datetime.datetime | None = None) -> dict[str, list[int]]:
    """Queue again the work a dead worker or a lost message left behind: report builds
    (plan.services.report_requests_recover), background imports and reminders
    (reminders.services.reminders_recover). Beat runs it every JOB_RECOVERY_SECONDS."""
    from plan.services import report_requests_recover
    from reminders.services import reminders_recover

    reports = report_requests_recover(now=now)
    return {
        "reports_requeued": reports["requeued"],
        "reports_failed": reports["failed"],
        "imports_requeued": import_jobs_recover(now=now),
        "reminders_requeued": reminders_recover(now=now),
    }
