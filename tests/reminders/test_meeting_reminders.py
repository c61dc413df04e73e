"""Meeting reminders with the event's .ics attached, read back from a real SMTP server."""

import datetime

import icalendar
import pytest

from reminders import services
from reminders.models import ReminderLog
from tests.factories import (
    BodyFactory,
    EventFactory,
    PersonFactory,
    RegistrationFactory,
    RoleFactory,
    UserFactory,
)

from .conftest import TODAY

MEETING_DAY = TODAY + datetime.timedelta(days=3)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    def run(today):
        with django_capture_on_commit_callbacks(execute=True):
            return services.reminders_run(today=today)

    return run


@pytest.fixture
def meeting(db):
    board = BodyFactory(name_sv="Styrelsen", name_en="The board")
    event = EventFactory(
        slug="styrelsemote-juni",
        title_sv="Styrelsemöte",
        title_en="Board meeting",
        start_date=MEETING_DAY,
        end_date=MEETING_DAY,
        start_time=datetime.time(9, 30),
        end_time=datetime.time(12, 0),
        place_sv="Stockholm",
        place_en="Stockholm",
        body=board,
    )
    chair = PersonFactory(first_name="Cecilia", email="chair@example.org")
    RoleFactory(person=chair, body=board, position="chair")
    former = PersonFactory(email="former@example.org")
    RoleFactory(person=former, body=board, end_date=TODAY - datetime.timedelta(days=30))
    declined = PersonFactory(email="declined@example.org", user=UserFactory(username="nej"))
    RoleFactory(person=declined, body=board)
    RegistrationFactory(event=event, user=declined.user, response="not_attending")
    guest = UserFactory(username="guest", email="guest@example.org")
    RegistrationFactory(event=event, user=guest, response="attending")
    english = PersonFactory(first_name="Emma", email="emma@example.org", user=UserFactory())
    services.contact_preference_set(person=english, language="en")
    RegistrationFactory(event=event, user=english.user, response="attending")
    RoleFactory(person=english, body=board)  # registered and a member: one mail
    return event


def test_registered_members_and_the_body_get_the_reminder_with_the_ics(smtp, meeting, run):
    run(TODAY)

    recipients = sorted(m["X-Envelope-To"] for m in smtp.messages)
    assert recipients == ["chair@example.org", "emma@example.org", "guest@example.org"]

    [chair] = smtp.to("chair@example.org")
    assert str(chair["Subject"]).strip() == "Påminnelse: Styrelsemöte 11 maj 2031"
    text = chair.get_body(("plain",)).get_content()
    assert "Hej Cecilia!" in text
    assert "söndag 11 maj 2031, 09:30–12:00" in text
    assert "Var: Stockholm" in text
    assert "Du får det för att du är med i Styrelsen." in text

    [attachment] = list(chair.iter_attachments())
    assert attachment.get_content_type() == "text/calendar"
    assert attachment.get_filename() == "styrelsemote-juni.ics"
    calendar = icalendar.Calendar.from_ical(attachment.get_content())
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Styrelsemöte"
    assert vevent.decoded("DTSTART") == datetime.datetime(
        2031, 5, 11, 9, 30, tzinfo=vevent.decoded("DTSTART").tzinfo
    )
    assert str(vevent.decoded("DTSTART").tzinfo) == "Europe/Stockholm"

    [emma] = smtp.to("emma@example.org")
    assert str(emma["Subject"]).strip() == "Reminder: Board meeting on 11 May 2031"
    [attachment] = list(emma.iter_attachments())
    [vevent] = icalendar.Calendar.from_ical(attachment.get_content()).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Board meeting"

    [guest] = smtp.to("guest@example.org")
    assert "anmält att du kommer" in guest.get_body(("plain",)).get_content()


def test_each_meeting_reminder_goes_once_and_again_when_the_meeting_moves(smtp, meeting, run):
    run(TODAY - datetime.timedelta(days=1))  # four days before: too early
    assert smtp.messages == []
    run(TODAY)
    run(TODAY + datetime.timedelta(days=1))
    assert len(smtp.messages) == 3

    meeting.start_date = meeting.end_date = MEETING_DAY + datetime.timedelta(days=1)
    meeting.save()
    run(TODAY + datetime.timedelta(days=1))
    assert len(smtp.messages) == 6
    assert ReminderLog.objects.filter(kind="event", status="sent").count() == 6


def test_a_meeting_moved_after_planning_is_not_reminded_with_the_old_date(
    smtp, meeting, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.reminders_run(today=TODAY)
    meeting.start_date = meeting.end_date = MEETING_DAY + datetime.timedelta(days=30)
    meeting.save()
    for callback in callbacks:
        callback()
    assert smtp.messages == []
    assert set(ReminderLog.objects.values_list("status", flat=True)) == {"skipped"}


def test_the_number_of_days_before_a_meeting_is_a_setting(smtp, meeting, run, settings):
    settings.REMINDER_EVENT_DAYS_BEFORE = 1
    run(TODAY)
    assert smtp.messages == []
    run(MEETING_DAY - datetime.timedelta(days=1))
    assert len(smtp.messages) == 3
