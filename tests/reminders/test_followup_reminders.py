"""Follow-up reminders, delivered to a real SMTP server and read back."""

import datetime

import pytest

from plan.models import Plan
from reminders import services
from reminders.models import ReminderLog
from tests.factories import ActivityFactory, PersonFactory, StatusUpdateFactory

from .conftest import DUE, TODAY


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the reminders for a day as beat would, deliveries included."""

    def run(today):
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_run(today=today)

    return run


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def subject(message) -> str:
    # Django folds a long encoded subject onto the next line; mail programs unfold it.
    return str(message["Subject"]).strip()


def test_each_owner_gets_one_digest_in_their_language_before_the_due_date(smtp, followup, run):
    a1, a2, a3 = followup["activities"]

    run(TODAY)

    assert len(smtp.messages) == 2
    [anna] = smtp.to("anna@example.org")
    assert subject(anna) == "Påminnelse: rapportera uppföljningen för Tertial 1 senast 15 maj"
    assert anna["Content-Language"] == "sv"
    text = body(anna)
    assert "Hej Anna!" in text
    assert "2 aktiviteter" in text
    assert "Ta fram en godsstrategi." in text and "Ordna Mälartinget." in text
    assert "Samla in statistik." not in text  # Bob's
    assert f"http://127.0.0.1:8000/sv/my/activities/#activity-{a1.pk}" in text
    assert f"http://127.0.0.1:8000/sv/my/activities/#activity-{a2.pk}" in text

    [bob] = smtp.to("bob@example.org")
    assert subject(bob) == ("Reminder: report the follow-up for Four-month period 1 by 15 May")
    text = body(bob)
    assert "Dear Bob," in text and "one activity" in text
    assert "Collect statistics." in text
    assert f"http://127.0.0.1:8000/en/my/activities/#activity-{a3.pk}" in text

    logs = ReminderLog.objects.order_by("email")
    assert [(log.kind, log.email, log.status) for log in logs] == [
        ("followup_before", "anna@example.org", "sent"),
        ("followup_before", "bob@example.org", "sent"),
    ]
    assert all(log.sent_at and log.subject for log in logs)


def test_an_owner_who_has_reported_everything_is_not_reminded(smtp, followup, run):
    StatusUpdateFactory(activity=followup["activities"][2], period=followup["period"])

    run(TODAY)

    assert smtp.to("bob@example.org") == []
    assert len(smtp.to("anna@example.org")) == 1


def test_a_report_made_after_planning_but_before_sending_cancels_the_reminder(
    smtp, followup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reminders_run(today=TODAY)
    StatusUpdateFactory(activity=followup["activities"][2], period=followup["period"])
    for callback in callbacks:
        callback()

    assert smtp.to("bob@example.org") == []
    assert ReminderLog.objects.get(email="bob@example.org").status == "skipped"


def test_running_twice_sends_each_reminder_once(smtp, followup, run):
    run(TODAY)
    run(TODAY)
    run(TODAY + datetime.timedelta(days=1))

    assert len(smtp.messages) == 2
    assert ReminderLog.objects.count() == 2


def test_nothing_is_sent_too_early_for_locked_periods_or_for_draft_plans(
    smtp, followup, run, settings
):
    run(DUE - datetime.timedelta(days=8))
    assert smtp.messages == []

    followup["period"].is_locked = True
    followup["period"].save()
    run(TODAY)
    assert smtp.messages == []

    followup["period"].is_locked = False
    followup["period"].save()
    Plan.objects.filter(pk=followup["plan"].pk).update(status=Plan.Status.DRAFT)
    run(TODAY)
    assert smtp.messages == []


def test_the_number_of_days_before_is_a_setting(smtp, followup, run, settings):
    settings.REMINDER_FOLLOWUP_DAYS_BEFORE = 10
    run(DUE - datetime.timedelta(days=10))
    assert len(smtp.messages) == 2


def test_after_the_due_date_those_still_missing_are_reminded_and_the_secretariat_summarised(
    smtp, followup, run
):
    a1, a2, a3 = followup["activities"]
    run(TODAY)  # the first reminders
    StatusUpdateFactory(activity=a3, period=followup["period"])  # Bob reports
    StatusUpdateFactory(activity=a1, period=followup["period"])  # Anna reports one
    carl = PersonFactory(first_name="Carl", last_name="Carlsson", email="")
    a4 = ActivityFactory(section=followup["section"], text_sv="Utan e-post.", text_en="No mail.")
    a4.owners.add(carl)
    ActivityFactory(section=followup["section"], text_sv="Utan ansvarig.", text_en="Nobody.")
    smtp.messages.clear()

    run(DUE)  # the due day itself: nothing new
    assert smtp.messages == []

    run(DUE + datetime.timedelta(days=1))

    assert smtp.to("bob@example.org") == []
    [anna] = smtp.to("anna@example.org")
    assert subject(anna) == "Uppföljningen för Tertial 1 saknas – sista dag var 15 maj"
    text = body(anna)
    assert "Ordna Mälartinget." in text and "Ta fram en godsstrategi." not in text

    [summary] = smtp.to("kansli@example.org")
    assert subject(summary) == ("Uppföljning Tertial 1 2031: 3 av 5 aktiviteter saknar rapport")
    text = body(summary)
    assert "2 av 5 aktiviteter är rapporterade (40\N{NO-BREAK SPACE}%)." in text
    assert "Ordna Mälartinget." in text and "Anna Andersson <anna@example.org>" in text
    assert "Utan ansvarig." in text and "ingen ansvarig angiven" in text
    assert "saknar e-postadress och har inte kunnat påminnas: Carl Carlsson." in text
    assert f"http://127.0.0.1:8000/sv/plan/2031/activity/{a2.pk}/" in text
    assert "http://127.0.0.1:8000/sv/followup/2031/" in text

    # Once only.
    run(DUE + datetime.timedelta(days=2))
    assert len(smtp.messages) == 2


def test_the_summary_also_goes_to_configured_addresses(smtp, followup, run, settings):
    settings.REMINDER_SECRETARIAT_EMAILS = ["kansliet@example.org"]
    run(DUE + datetime.timedelta(days=1))
    assert len(smtp.to("kansliet@example.org")) == 1
    assert len(smtp.to("kansli@example.org")) == 1
