"""Celery tasks for the plan. Thin: they take ids and call services."""

from celery import shared_task
from django.conf import settings

from . import services

MAX_RETRIES = 3
_LIMIT = settings.REPORT_BUILD_TIME_LIMIT


@shared_task(
    bind=True,
    # Acknowledged only when done, and put back in the queue when the worker process
    # running it dies (the out-of-memory killer, a deploy): another process builds it.
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=MAX_RETRIES,
    # The soft limit ends a runaway build with an error the board sees; the hard limit
    # is what report_build_stale_after() counts on.
    soft_time_limit=max(_LIMIT - 30, _LIMIT // 2, 1),
    time_limit=_LIMIT,
)
def build_followup_report(self, request_id: int) -> str | None:
    """Build the file of report request `request_id`. Safe to run twice: the service
    claims the request with a conditional update, so a second run (a duplicate message,
    a double click) does nothing, while this same task delivered again after its worker
    died takes its claim over. Retries only when the database or the file storage did
    not answer; after the last retry the request is marked failed."""
    try:
        report_request = services.report_request_build(
            request_id=request_id, claim=self.request.id or ""
        )
    except services.TemporaryReportError as exc:
        if self.request.retries >= MAX_RETRIES:
            services.report_request_fail(request_id=request_id, error=str(exc))
            return "failed"
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    return None if report_request is None else report_request.status


@shared_task
def refresh_report_files() -> int:
    """Build the report files that are not current (plan.report_files, queued after a
    change). Returns how many files are current or on their way."""
    return len(services.report_files_refresh())
