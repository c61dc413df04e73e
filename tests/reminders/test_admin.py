"""The secretariat's view of the reminders: the log with failures, the schedule."""

import pytest
from django.urls import reverse
from django.utils import translation

from reminders import services
from reminders.models import ReminderLog, ReminderRun
from tests.factories import PersonFactory

from .conftest import TODAY


@pytest.fixture
def logged(followup, smtp, django_capture_on_commit_callbacks):
    smtp.refuse["anna@example.org"] = ["550 5.1.1 No such user"]
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_run(today=TODAY)
    return followup


def test_the_secretariat_sees_permanent_failures_in_the_log(client, logged):
    client.force_login(logged["secretariat"])
    url = reverse("admin:reminders_reminderlog_changelist")

    page = client.get(url, {"status__exact": "failed_permanent"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "anna@example.org" in text and "550" in text
    assert "bob@example.org" not in text
    assert client.get(url, {"status__exact": "sent"}).content.decode().count("bob@example.org")


def test_the_log_is_read_only(client, logged):
    client.force_login(logged["secretariat"])
    log = ReminderLog.objects.get(email="bob@example.org")
    page = client.get(reverse("admin:reminders_reminderlog_change", args=[log.pk]))
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:reminders_reminderlog_add")).status_code == 403
    delete = reverse("admin:reminders_reminderlog_delete", args=[log.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403


def test_a_failed_reminder_is_sent_again_from_the_admin(
    client, logged, smtp, django_capture_on_commit_callbacks
):
    client.force_login(logged["secretariat"])
    log = ReminderLog.objects.get(person=logged["anna"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:reminders_reminderlog_changelist"),
            {"action": "resend", "_selected_action": [log.pk]},
        )
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.status == "sent"
    assert len(smtp.to("anna@example.org")) == 1


def test_the_log_lists_in_a_fixed_number_of_queries(
    client, followup, django_assert_max_num_queries
):
    def make(count):
        for _ in range(count):
            person = PersonFactory()
            ReminderLog.objects.create(
                kind="followup_before",
                occasion=f"period:{followup['period'].pk}:x",
                recipient_key=f"person:{person.pk}",
                person=person,
                period=followup["period"],
                email=person.email,
                language="sv",
                status="sent",
            )

    client.force_login(followup["secretariat"])
    url = reverse("admin:reminders_reminderlog_changelist")
    make(3)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    make(27)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).content.decode().count("person") >= 30


def test_the_schedule_page_shows_the_beat_schedule_and_runs(
    client, followup, django_capture_on_commit_callbacks, smtp
):
    client.force_login(followup["secretariat"])
    url = reverse("admin:reminders_reminderlog_schedule")

    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "reminders.tasks.run_reminders" in text
    assert "Every day at 07:00" in text or "Varje dag kl. 07:00" in text
    # Stalled reminders are picked up by the operations app's recovery of lost jobs.
    assert "ops.tasks.recover_jobs" in text

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert ReminderRun.objects.filter(trigger="admin").count() == 1


def test_members_cannot_see_the_reminder_admin(client, member_user):
    client.force_login(member_user)
    url = reverse("admin:reminders_reminderlog_schedule")
    assert client.get(url).status_code == 302  # to the admin login


def test_the_next_daily_run_is_at_the_configured_hour_in_swedish_time():
    from zoneinfo import ZoneInfo

    from reminders.schedule import schedule_entries

    entries = {entry.task: entry for entry in schedule_entries()}
    daily = entries["reminders.tasks.run_reminders"].next_run.astimezone(
        ZoneInfo("Europe/Stockholm")
    )
    assert (daily.hour, daily.minute, daily.second) == (7, 0, 0)
    with translation.override("en"):
        recovery = {entry.task: entry for entry in schedule_entries()}["ops.tasks.recover_jobs"]
    assert recovery.when == "Every 5 minutes"
