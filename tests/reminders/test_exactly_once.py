"""Each reminder goes out once: runs twice, at the same moment, after a dead worker; SMTP
failures are retried (temporary) or recorded (permanent)."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from reminders import services
from reminders.models import ReminderLog
from tests.services import require_postgres

from .conftest import TODAY, free_port


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(today=TODAY):
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_run(today=today)

    return run


def plan_only():
    """Log the reminders without delivering them, as if the worker died at once."""
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=False):
        services.reminders_run(today=TODAY)


def test_a_claim_left_by_a_dead_worker_is_sent_once_by_the_next_run(smtp, followup, run):
    plan_only()
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    ReminderLog.objects.update(status="claimed", claimed_at=an_hour_ago, attempts=1)

    run()
    run()

    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "anna@example.org",
        "bob@example.org",
    ]
    assert set(ReminderLog.objects.values_list("status", "attempts")) == {("sent", 2)}


def test_a_fresh_claim_of_a_live_worker_is_left_alone(smtp, followup, run):
    plan_only()
    ReminderLog.objects.update(status="claimed", claimed_at=timezone.now(), attempts=1)

    run()

    assert smtp.messages == []
    assert set(ReminderLog.objects.values_list("status", flat=True)) == {"claimed"}


def test_a_reminder_can_be_claimed_only_once(followup):
    plan_only()
    log = ReminderLog.objects.first()
    assert services.reminder_claim(log_id=log.pk) is not None
    assert services.reminder_claim(log_id=log.pk) is None
    assert services.reminder_deliver(log_id=log.pk).outcome == services.Outcome.NOT_CLAIMED


def test_a_temporary_smtp_failure_is_retried_and_then_sent(smtp, followup, run):
    smtp.refuse["anna@example.org"] = ["451 4.3.0 Mailbox busy, try later"] * 2

    run()

    assert len(smtp.to("anna@example.org")) == 1
    log = ReminderLog.objects.get(email="anna@example.org")
    assert (log.status, log.attempts, log.error) == ("sent", 3, "")


def test_a_permanent_smtp_failure_is_recorded_and_not_retried(smtp, followup, run):
    smtp.refuse["anna@example.org"] = ["550 5.1.1 No such user"]

    run()
    run()

    assert smtp.to("anna@example.org") == []
    assert len(smtp.to("bob@example.org")) == 1
    log = ReminderLog.objects.get(person=followup["anna"])
    assert (log.status, log.attempts) == ("failed_permanent", 1)
    assert "550" in log.error and "No such user" in log.error


def test_temporary_failures_give_up_after_the_last_retry(smtp, followup, run, settings):
    settings.REMINDER_MAX_RETRIES = 2
    smtp.refuse["anna@example.org"] = ["421 4.7.0 Too many connections"] * 5

    run()

    log = ReminderLog.objects.get(person=followup["anna"])
    assert (log.status, log.attempts) == ("failed_permanent", 3)
    assert log.error.startswith("Gave up after 3 attempts.")


def test_an_smtp_server_that_does_not_answer_is_a_temporary_failure(smtp, followup, run, settings):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    settings.REMINDER_MAX_RETRIES = 1

    run()

    log = ReminderLog.objects.get(person=followup["anna"])
    assert (log.status, log.attempts) == ("failed_permanent", 2)
    assert "ConnectionRefusedError" in log.error


def test_a_failed_reminder_can_be_sent_again(
    smtp, followup, run, django_capture_on_commit_callbacks
):
    smtp.refuse["anna@example.org"] = ["550 5.1.1 No such user"]
    run()
    log = ReminderLog.objects.get(person=followup["anna"])

    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminder_resend(log=log)
    log.refresh_from_db()
    assert log.status == "sent"
    assert len(smtp.to("anna@example.org")) == 1
    assert not services.reminder_resend(log=log)  # sent is sent


def test_backoff_doubles_from_the_configured_delay(settings):
    settings.REMINDER_RETRY_DELAY = 60
    assert [services.retry_delay(n) for n in range(7)] == [60, 120, 240, 480, 960, 1920, 3600]


def test_an_invalid_address_is_recorded_as_failed_instead_of_stopping_the_run(smtp, followup, run):
    followup["anna"].email = "anna at example"
    followup["anna"].save()

    run()

    log = ReminderLog.objects.get(person=followup["anna"])
    assert log.status == "failed_permanent" and "anna at example" in log.error
    assert len(smtp.to("bob@example.org")) == 1


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_the_same_moment_send_each_reminder_once(smtp, followup):
    """Two threads, two database connections, started together: the unique insert and the
    conditional claim decide, so each owner gets one mail."""
    require_postgres()
    barrier = threading.Barrier(4)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            services.reminders_run(today=TODAY)  # deliveries run in-process (eager)
            for log_id in ReminderLog.objects.values_list("pk", flat=True):
                services.reminder_deliver(log_id=log_id)  # and a stray duplicate message
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "anna@example.org",
        "bob@example.org",
    ]
    assert set(ReminderLog.objects.values_list("status", "attempts")) == {("sent", 1)}
