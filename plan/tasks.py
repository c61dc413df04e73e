"""Celery tasks for the plan. Thin: they take ids and call services."""

from celery import shared_task

from . import services

MAX_RETRIES = 3


@shared_task(bind=True, acks_late=True, max_retries=MAX_RETRIES)
def build_followup_report(self, request_id: int) -> str | None:
    """Build the file of report request `request_id`. Safe to run twice: the service
    claims the request with a conditional update, so a second run (a redelivered task,
    a double click) does nothing. Retries only when the database or the file storage
    did not answer; after the last retry the request is marked failed."""
    try:
        report_request = services.report_request_build(request_id=request_id)
    except services.TemporaryReportError as exc:
        if self.request.retries >= MAX_RETRIES:
            services.report_request_fail(request_id=request_id, error=str(exc))
            return "failed"
        raise self.retry(exc=exc, countdown=30 * 2**self.request.retries) from exc
    return None if report_request is None else report_request.status
