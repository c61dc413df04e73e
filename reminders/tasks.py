"""Celery tasks for the reminders. Thin: they take ids and call services."""

from celery import shared_task
from django.conf import settings

from . import services
from .models import ReminderRun


@shared_task
def run_reminders(trigger: str = ReminderRun.Trigger.SCHEDULE) -> dict:
    """Log and queue every reminder due today (beat runs this every morning)."""
    run = services.reminders_run(trigger=trigger)
    return {"run": run.pk, "due": run.due, "queued": run.queued}


@shared_task
def recover_reminders() -> list[int]:
    """Queue again what a dead worker or a lost message left behind (beat: every 15 min)."""
    return services.reminders_recover()


@shared_task(bind=True, acks_late=True)
def deliver_reminder(self, log_id: int) -> str:
    """Send one logged reminder. Temporary SMTP failures are retried with exponential
    backoff up to REMINDER_MAX_RETRIES times; permanent ones are written to the log."""
    max_retries = settings.REMINDER_MAX_RETRIES
    delivery = services.reminder_deliver(
        log_id=log_id, retries=self.request.retries, max_retries=max_retries
    )
    if delivery.outcome == services.Outcome.RETRY:
        raise self.retry(
            exc=delivery.error,
            countdown=services.retry_delay(self.request.retries),
            max_retries=max_retries,
        )
    return str(delivery.outcome)
