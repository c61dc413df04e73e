"""Cancelling an event sends those registered as attending a cancellation with a
METHOD:CANCEL .ics, read back from a real SMTP server; then, as a calendar app would,
the imported event is replaced by the cancelled one (same UID, higher SEQUENCE)."""

import datetime

import icalendar
import pytest

from events import services as event_services
from reminders import services
from reminders.models import ReminderLog
from tests.factories import EventFactory, PersonFactory, RegistrationFactory, UserFactory

from .conftest import TODAY


@pytest.fixture
def meeting(db):
    event = EventFactory(
        slug="temadag",
        title_sv="Temadag om gods",
        title_en="Freight theme day",
        start_date=TODAY + datetime.timedelta(days=20),
        end_date=None,
        start_time=datetime.time(9, 0),
        end_time=datetime.time(16, 0),
        place_sv="Örebro",
        place_en="Örebro",
    )
    anna = PersonFactory(first_name="Anna", email="anna@example.org", user=UserFactory())
    RegistrationFactory(event=event, user=anna.user, response="attending")
    emma = PersonFactory(first_name="Emma", email="emma@example.org", user=UserFactory())
    services.contact_preference_set(person=emma, language="en")
    RegistrationFactory(event=event, user=emma.user, response="attending")
    no = UserFactory(username="nej", email="no@example.org")
    RegistrationFactory(event=event, user=no, response="not_attending")
    return event


def calendar_of(message) -> tuple[icalendar.Calendar, object]:
    [attachment] = list(message.iter_attachments())
    return icalendar.Calendar.from_ical(attachment.get_content()), attachment


def test_cancellation_reaches_the_attending_with_a_cancel_ics(
    smtp, meeting, django_capture_on_commit_callbacks
):
    # What the member's calendar holds: the invitation as imported before.
    imported = {
        str(v["UID"]): v
        for v in icalendar.Calendar.from_ical(event_services_ics(meeting, "sv")).walk("VEVENT")
    }

    with django_capture_on_commit_callbacks(execute=True):
        assert event_services.event_cancel(event=meeting) is True

    smtp.wait_for(2)
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "anna@example.org",
        "emma@example.org",
    ]
    [anna] = smtp.to("anna@example.org")
    assert str(anna["Subject"]) == "Inställt: Temadag om gods 28 maj 2031"
    text = anna.get_body(("plain",)).get_content()
    assert "Hej Anna!" in text
    assert "Temadag om gods är inställt." in text
    assert "onsdag 28 maj 2031, 09:00–16:00" in text

    calendar, attachment = calendar_of(anna)
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_param("method") == "CANCEL"
    assert str(calendar["METHOD"]) == "CANCEL"
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["ATTENDEE"]) == "mailto:anna@example.org"
    assert str(vevent["ORGANIZER"]).startswith("mailto:")

    # The calendar app: same UID, higher SEQUENCE, so the cancellation replaces it.
    before = imported[str(vevent["UID"])]
    assert int(vevent["SEQUENCE"]) == int(before["SEQUENCE"]) + 1

    [emma] = smtp.to("emma@example.org")
    assert str(emma["Subject"]) == "Cancelled: Freight theme day on 28 May 2031"
    assert "Freight theme day is cancelled." in emma.get_body(("plain",)).get_content()

    logs = ReminderLog.objects.filter(kind=ReminderLog.Kind.EVENT_CANCELLED)
    assert sorted(logs.values_list("status", flat=True)) == ["sent", "sent"]


def test_a_second_run_or_cancel_sends_nothing_again(
    smtp, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_cancel(event=meeting)
    smtp.wait_for(2)
    with django_capture_on_commit_callbacks(execute=True):
        assert event_services.event_cancel(event=meeting) is False
        assert services.event_cancellations_send(event_id=meeting.pk) == 0

    assert len(smtp.messages) == 2


def test_no_meeting_reminder_for_a_cancelled_event(
    smtp, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event_services.event_cancel(event=meeting)
    smtp.wait_for(2)
    with django_capture_on_commit_callbacks(execute=True):
        services.reminders_run(today=meeting.start_date - datetime.timedelta(days=1))

    assert not ReminderLog.objects.filter(kind=ReminderLog.Kind.EVENT).exists()
    assert len(smtp.messages) == 2


def event_services_ics(event, language) -> bytes:
    from events.ics import calendar_for

    return calendar_for([event], language=language, name=event.title)
