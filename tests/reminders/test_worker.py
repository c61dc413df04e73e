"""Reminders through real Celery workers (threads of this process) and Redis, delivered to
a real SMTP server."""

import time

import pytest
from celery.signals import task_postrun

from reminders.models import ReminderLog
from reminders.tasks import deliver_reminder, run_reminders

from .conftest import TODAY, celery_workers

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def wait_until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def all_done():
    statuses = set(ReminderLog.objects.values_list("status", flat=True))
    return bool(statuses) and statuses <= {"sent", "skipped", "failed_permanent"}


def test_a_worker_sends_the_due_reminders(smtp, followup, celery_worker):
    run_reminders.delay(day=TODAY.isoformat())

    assert len(smtp.wait_for(2)) == 2
    assert wait_until(all_done)
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "anna@example.org",
        "bob@example.org",
    ]
    assert set(ReminderLog.objects.values_list("status", flat=True)) == {"sent"}


def test_two_workers_running_the_reminders_twice_send_each_once(smtp, followup):
    # Two executors at once: one worker consuming with two threads, so the runs and the
    # stray duplicate deliveries race each other for real.
    finished = []

    def count_deliveries(sender=None, task_id=None, **kwargs):
        if sender is not None and sender.name == deliver_reminder.name:
            finished.append(task_id)

    task_postrun.connect(count_deliveries, weak=False)
    try:
        with celery_workers(1, concurrency=2):
            for _ in range(3):
                run_reminders.delay(day=TODAY.isoformat())
            assert wait_until(lambda: ReminderLog.objects.count() == 2 and all_done())
            # A stray duplicate delivery message for every reminder, on either worker;
            # wait until the worker has run every one of them (not for a fixed time).
            strays = set()
            for log_id in ReminderLog.objects.values_list("pk", flat=True):
                strays.add(deliver_reminder.delay(log_id).id)
                strays.add(deliver_reminder.delay(log_id).id)
            assert wait_until(lambda: strays <= set(finished))
    finally:
        task_postrun.disconnect(count_deliveries)

    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "anna@example.org",
        "bob@example.org",
    ]
    assert set(ReminderLog.objects.values_list("status", "attempts")) == {("sent", 1)}


def test_a_temporary_failure_is_retried_on_the_worker_after_a_pause(
    smtp, followup, celery_worker, settings
):
    settings.REMINDER_RETRY_DELAY = 1
    smtp.refuse["anna@example.org"] = ["451 4.3.0 Try again later"]
    started = time.monotonic()

    run_reminders.delay(day=TODAY.isoformat())

    assert wait_until(lambda: len(smtp.to("anna@example.org")) == 1)
    assert time.monotonic() - started >= 1
    assert wait_until(all_done)
    log = ReminderLog.objects.get(person=followup["anna"])
    assert (log.status, log.attempts, log.error) == ("sent", 2, "")
