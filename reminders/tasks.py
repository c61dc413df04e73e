"""Celery tasks for the reminders. Thin: they take ids and call services."""

import datetime

from celery import shared_task
from django.conf import settings

from . import services
from .models import ReminderRun


@shared_task
def run_reminders(trigger: str = ReminderRun.Trigger.SCHEDULE, day: str | None = None) -> dict:
    """Log and queue every reminder due today, or on `day` (YYYY-MM-DD) when given. Beat
    runs this every morning."""
    today = datetime.date.fromisoformat(day) if day else None
    run = services.reminders_run(today=today, trigger=trigger)
    return {"run": run.pk, "due": run.due, "queued": run.queued}


@shared_task
def recover_reminders() -> list[int]:
    """Queue again what a dead worker or a lost message left behind (beat: every 15 min)."""
    return services.reminders_recover()


@shared_task
def send_event_cancellations(event_id: int) -> int:
    """Queue the cancellation mails of a cancelled event (services.event_cancel's signal
    queues this on commit). Safe to run twice."""
    return services.event_cancellations_send(event_id=event_id)


@shared_task(bind=True, acks_late=True)
def deliver_reminder(self, log_id: int) -> str:
    """Send one logged reminder. Temporary SMTP failures are retried with exponential
    backoff up to REMINDER_MAX_RETRIES times; permanent ones are written to the log."""
    max_retries = settings.REMINDER_MAX_RETRIES
    delivery = services.reminder_deliver(
        log_id=log_id, retries=self.request.retries, max_retries=max_retries
    )
    if delivery.outcome == services.Outcome.RETRY:
        if self.request.is_eager:
            # In-process (make run, tests): no broker to hold a delayed retry, and an eager
            # self.retry() raises to the caller; try again at once instead.
            result = self.apply(args=(log_id,), retries=self.request.retries + 1)
            return result.get(disable_sync_subtasks=False)
        raise self.retry(
            exc=delivery.error,
            countdown=services.retry_delay(self.request.retries),
            max_retries=max_retries,
        )
    return str(delivery.outcome)
