"""Celery tasks of the project. Thin: they take ids and call services."""

from celery import shared_task
from django.conf import settings

from . import services

MAX_RETRIES = 3
_LIMIT = settings.IMPORT_TIME_LIMIT


# A hard time limit, so that an import still "importing" after it can only have been
# left by a dead worker (ops.services.import_jobs_recover takes it over).
@shared_task(
    bind=True,
    acks_late=True,
    max_retries=MAX_RETRIES,
    soft_time_limit=max(_LIMIT - 30, _LIMIT // 2, 1),
    time_limit=_LIMIT,
)
def run_import_job(self, job_id: int) -> str | None:
    """Import the file of import job `job_id`, all or nothing. Safe to run twice: the
    service claims the job with a conditional update. Retries only when the database or
    the file storage did not answer."""
    try:
        job = services.import_job_run(job_id=job_id)
    except services.TemporaryImportError as exc:
        if self.request.retries >= MAX_RETRIES:
            from .models import ImportJob

            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJob.State.FAILED, errors=[str(exc)]
            )
            return "failed"
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    return None if job is None else job.status
