"""Background imports: a large file is imported by a Celery task, all or nothing.

The admin's confirm step (malardal.importexport) calls :func:`import_job_create`; the
task (malardal.tasks) calls :func:`import_job_run`. The import itself is the same as in
the web request: the model admin's resource, its checks, the audit trail (written as
the user who uploaded the file) and the admin's history.
"""

import logging
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, models, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext

from audit.context import acting_as

from .models import ImportJob

if TYPE_CHECKING:
    import redis

logger = logging.getLogger(__name__)

PROGRESS_TTL = 24 * 60 * 60


class TemporaryImportError(Exception):
    """The database or the file storage did not answer; the task retries."""


def import_job_create(
    *,
    model: type[models.Model],
    resource_index: int,
    format_index: int,
    data: bytes,
    file_name: str,
    rows: int,
    by: User | None,
) -> ImportJob:
    """Keep the file and queue its import (on commit). `model` is the model class whose
    admin imports it; `by` the user who confirmed, as whom the rows are written."""
    with transaction.atomic():
        job = ImportJob(
            model=model._meta.label,
            resource_index=resource_index,
            format_index=format_index,
            file_name=file_name[:255],
            rows=rows,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            created_by=by,
        )
        job.file.save(file_name[-100:] or "import", ContentFile(data), save=False)
        job.full_clean()
        job.save()
        pk = job.pk

        def enqueue() -> None:
            from .tasks import run_import_job

            run_import_job.delay(pk)

        transaction.on_commit(enqueue)
    return job


def _claim(job_id: int) -> bool:
    """Take a queued job; False if another worker has it or it has run (a redelivered
    task, a double click)."""
    changed = ImportJob.objects.filter(pk=job_id, status=ImportJob.State.QUEUED).update(
        status=ImportJob.State.RUNNING, started_at=timezone.now()
    )
    return changed == 1


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Import the job's file. Returns None when the job was not queued (already taken).

    All or nothing: any row error rolls back every row, and the job is "failed" with
    every problem as a sentence in the uploader's language. Otherwise it is "done" with
    its totals, and the admin's history has an entry per object. The file is removed
    either way. Raises TemporaryImportError (the job is queued again) when the database
    or storage did not answer.
    """
    if not _claim(job_id):
        return None
    ImportJob.objects.filter(pk=job_id).update(attempts=F("attempts") + 1)
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    try:
        with translation.override(job.language), acting_as(job.created_by):
            outcome = _import(job)
    except (OperationalError, InterfaceError, OSError) as exc:
        logger.warning("Import job %s: temporary error: %s", job_id, exc)
        ImportJob.objects.filter(pk=job_id).update(status=ImportJob.State.QUEUED, started_at=None)
        raise TemporaryImportError(str(exc)) from exc
    except Exception as exc:  # noqa: BLE001 — the job must end, with a reason
        logger.exception("Import job %s failed", job_id)
        with translation.override(job.language):
            outcome = {
                "status": ImportJob.State.FAILED,
                "errors": [
                    gettext("The file could not be imported: %(reason)s")
                    % {"reason": str(exc) or exc.__class__.__name__}
                ],
            }
    if job.file:
        job.file.delete(save=False)
    ImportJob.objects.filter(pk=job_id).update(file="", finished_at=timezone.now(), **outcome)
    _set_progress(job_id, job.rows if outcome["status"] == ImportJob.State.DONE else 0)
    return ImportJob.objects.get(pk=job_id)


def _import(job: ImportJob) -> dict[str, Any]:
    from .importexport import result_messages
    from .tabular import FileProblem

    model = apps.get_model(job.model)
    # django-import-export's ImportMixin (its methods are not in the admin's stubs).
    model_admin: Any = admin.site._registry[model]
    resource_class = model_admin.get_import_resource_classes(None)[job.resource_index]
    input_format = model_admin.get_import_formats()[job.format_index]()
    with job.file.open("rb") as stream:
        data = stream.read()
    try:
        dataset = input_format.create_dataset(data)
    except FileProblem as problem:
        return {"status": ImportJob.State.FAILED, "errors": [str(problem)]}
    resource = resource_class()
    result = resource.import_data(
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        retain_instance_in_row_result=True,
        user=job.created_by,
        file_name=job.file_name,
        progress=lambda rows: _set_progress(job.pk, rows),
    )
    if result.has_errors() or result.has_validation_errors():
        return {"status": ImportJob.State.FAILED, "errors": result_messages(result)}
    if job.created_by is not None and not model_admin.get_skip_admin_log():
        rows: dict[str, list[models.Model]] = {}
        for row in result:
            rows.setdefault(row.import_type, []).append(row.instance)
        model_admin._create_log_entries(job.created_by.pk, rows)
    return {"status": ImportJob.State.DONE, "totals": dict(result.totals), "errors": []}


# --- progress ---------------------------------------------------------------------------
# The rows are written in one transaction, which other connections cannot see into, so
# the count of rows done goes to Redis (the broker, shared by web and workers), or to
# the cache when tasks run in-process.


def _progress_key(job_id: int) -> str:
    return f"malardal:import-job:{job_id}:rows-done"


def _redis() -> "redis.Redis | None":
    url = settings.CELERY_BROKER_URL or ""
    if not url.startswith(("redis://", "rediss://")):
        return None
    import redis

    return redis.Redis.from_url(url, socket_timeout=2)


def _set_progress(job_id: int, rows: int) -> None:
    client = _redis()
    try:
        if client is not None:
            client.set(_progress_key(job_id), rows, ex=PROGRESS_TTL)
        else:
            cache.set(_progress_key(job_id), rows, PROGRESS_TTL)
    except Exception as exc:  # noqa: BLE001 — progress is a courtesy, never a failure
        logger.warning("Import job %s: progress not kept: %s", job_id, exc)


def import_job_progress(job: ImportJob) -> int:
    """How many rows of the job have been imported so far (0 when unknown)."""
    if job.status == ImportJob.State.DONE:
        return job.rows
    client = _redis()
    try:
        value = (
            client.get(_progress_key(job.pk))
            if client is not None
            else cache.get(_progress_key(job.pk))
        )
    except Exception:  # noqa: BLE001
        return 0
    try:
        return min(int(value or 0), job.rows)
    except (TypeError, ValueError):
        return 0
