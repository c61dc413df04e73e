"""Calendars that stay right (issue 13.7): a stored UID, a sequence that goes up when
time, place or status change, CREATED/LAST-MODIFIED in the .ics, cancelling from the
admin, webcal links, and titles with line breaks (issue 11).

The .ics is read back with icalendar the way a calendar app reads it."""

import datetime
import re

import icalendar
import pytest
from django.contrib.contenttypes.models import ContentType

from audit.models import AuditEntry
from events import services
from events.models import UID_DOMAIN, Event

from ..factories import BodyFactory, EventFactory
from .pages import html_of, text_of, url

pytestmark = pytest.mark.django_db


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.status_code
    return icalendar.Calendar.from_ical(response.content)


def only_vevent(calendar) -> icalendar.Event:
    [vevent] = calendar.walk("VEVENT")
    return vevent


@pytest.fixture
def meeting(db):
    return EventFactory(
        slug="radsmote",
        title_sv="Rådsmöte",
        title_en="Council meeting",
        start_date=datetime.date(2031, 3, 10),
        end_date=None,
        start_time=datetime.time(13, 0),
        end_time=datetime.time(15, 0),
        place_sv="Eskilstuna",
        place_en="Eskilstuna",
        registration_open=True,
    )


def feed_event(client, event, lang="sv") -> icalendar.Event:
    calendar = parse(client.get(url("events:feed", lang)))
    found = [v for v in calendar.walk("VEVENT") if str(v["UID"]) == event.uid]
    assert len(found) == 1
    return found[0]


# -- identity ---------------------------------------------------------------------------


def test_a_new_event_gets_a_random_uid_that_survives_renaming(client, meeting):
    uid = meeting.uid
    assert re.fullmatch(rf"[0-9a-f-]{{36}}@{UID_DOMAIN}", uid)
    assert "radsmote" not in uid

    meeting.slug = "radsmote-mars"
    meeting.title_sv = "Rådsmöte i mars"
    services.event_save(event=meeting)

    vevent = only_vevent(parse(client.get(url("events:event_ics", "sv", slug="radsmote-mars"))))
    assert str(vevent["UID"]) == uid
    assert str(vevent["SUMMARY"]) == "Rådsmöte i mars"
    # A title or slug edit is not a new revision for calendars.
    assert int(vevent["SEQUENCE"]) == 0


def test_the_ics_carries_sequence_created_last_modified_dtstamp_and_status(client, meeting):
    vevent = feed_event(client, meeting)

    assert int(vevent["SEQUENCE"]) == 0
    assert str(vevent["STATUS"]) == "CONFIRMED"
    meeting.refresh_from_db()
    assert vevent.decoded("CREATED") == meeting.created_at.replace(microsecond=0)
    assert vevent.decoded("LAST-MODIFIED") == meeting.modified_at.replace(microsecond=0)
    assert vevent.decoded("DTSTAMP").tzinfo is not None


def test_an_event_without_recorded_times_gets_no_invented_created(client, meeting):
    # Events made before the times were recorded have none; none is invented.
    Event.objects.filter(pk=meeting.pk).update(created_at=None, modified_at=None)

    vevent = feed_event(client, meeting)

    assert "CREATED" not in vevent
    assert "LAST-MODIFIED" not in vevent
    assert int(vevent["SEQUENCE"]) == 0


# -- the sequence -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "field, value",
    [
        ("start_date", datetime.date(2031, 3, 11)),
        ("end_date", datetime.date(2031, 3, 12)),
        ("start_time", datetime.time(14, 0)),
        ("end_time", datetime.time(16, 0)),
        ("place_sv", "Västerås"),
        ("place_en", "Vasteras"),
    ],
)
def test_changing_time_or_place_raises_the_sequence(client, meeting, field, value):
    setattr(meeting, field, value)
    services.event_save(event=meeting)

    assert Event.objects.get(pk=meeting.pk).sequence == 1
    assert int(feed_event(client, meeting)["SEQUENCE"]) == 1


def test_other_edits_keep_the_sequence_and_each_change_adds_one(meeting):
    meeting.description_sv = "Ny dagordning."
    meeting.title_en = "The council meeting"
    services.event_save(event=meeting)
    assert Event.objects.get(pk=meeting.pk).sequence == 0

    meeting.place_sv = "Västerås"
    services.event_save(event=meeting)
    meeting.start_time = datetime.time(9, 0)
    services.event_save(event=meeting)

    assert Event.objects.get(pk=meeting.pk).sequence == 2


def test_a_stale_sequence_from_a_form_cannot_lower_the_stored_one(meeting):
    stale = Event.objects.get(pk=meeting.pk)
    meeting.place_sv = "Västerås"
    services.event_save(event=meeting)  # sequence 1

    stale.start_time = datetime.time(10, 0)  # still holds sequence 0
    services.event_save(event=stale)

    assert Event.objects.get(pk=meeting.pk).sequence == 2


def test_the_sequence_change_is_in_the_audit_trail(meeting):
    meeting.place_sv = "Västerås"
    services.event_save(event=meeting)

    entry = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Event),
        object_id=str(meeting.pk),
        action=AuditEntry.Action.UPDATE,
    ).latest("pk")
    assert entry.changes["sequence"] == [0, 1]
    assert entry.changes["place_sv"] == ["Eskilstuna", "Västerås"]


# -- cancelling -------------------------------------------------------------------------


def cancel_in_admin(client, user, *events):
    client.force_login(user)
    return client.post(
        "/sv/admin/events/event/",
        {"action": "cancel_events", "_selected_action": [e.pk for e in events]},
        follow=True,
    )


def test_cancelling_in_the_admin_keeps_the_event_in_feeds_as_cancelled(
    client, meeting, secretariat_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = cancel_in_admin(client, secretariat_user, meeting)
    assert response.status_code == 200
    assert "1 mötesplats är inställd" in text_of_admin(response)

    meeting.refresh_from_db()
    assert meeting.status == Event.Status.CANCELLED
    assert meeting.cancelled_at is not None
    assert meeting.sequence == 1
    assert not meeting.registration_open

    client.logout()
    for lang, summary in [("sv", "Inställt: Rådsmöte"), ("en", "Cancelled: Council meeting")]:
        vevent = feed_event(client, meeting, lang)
        assert str(vevent["STATUS"]) == "CANCELLED"
        assert int(vevent["SEQUENCE"]) == 1
        assert str(vevent["SUMMARY"]) == summary


def test_cancelling_twice_changes_nothing_the_second_time(
    client, meeting, secretariat_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancel_in_admin(client, secretariat_user, meeting)
        response = cancel_in_admin(client, secretariat_user, meeting)

    assert "var redan inställd" in text_of_admin(response)
    assert Event.objects.get(pk=meeting.pk).sequence == 1


def test_a_member_cannot_cancel(client, meeting, member_user):
    response = cancel_in_admin(client, member_user, meeting)

    assert response.status_code == 200  # the admin's login page
    assert Event.objects.get(pk=meeting.pk).status == Event.Status.CONFIRMED


def test_the_page_of_a_cancelled_event_says_so_and_closes_registration(
    client, meeting, member_user
):
    services.event_cancel(event=meeting)
    client.force_login(member_user)

    for lang, words in [("sv", "Mötesplatsen är inställd."), ("en", "This event is cancelled.")]:
        response = client.get(url("events:event_detail", lang, slug=meeting.slug))
        text = text_of(response)
        assert words in text
        assert 'name="response"' not in html_of(response)  # no registration form
        assert "<del>" in html_of(response)  # the date is struck out

    listing = text_of(client.get(url("events:event_list", "sv")))
    assert "Inställt" in listing


def test_registering_for_a_cancelled_event_is_refused(client, meeting, member_user):
    services.event_cancel(event=meeting)
    client.force_login(member_user)

    response = client.post(
        url("events:event_register", "sv", slug=meeting.slug), {"response": "attending"}
    )

    assert response.status_code == 302
    assert not meeting.registrations.exists()


# -- line breaks (issue 11) -------------------------------------------------------------


def test_line_breaks_in_title_place_and_description_cannot_break_the_ics(client, meeting):
    meeting.title_sv = "Rådsmöte\r\nBEGIN:VEVENT\rdel två\u2028slut"
    meeting.place_sv = "Eskilstuna\nrum 3"
    meeting.description_sv = "Rad ett\r\nRad två\x0b"
    Event.objects.filter(pk=meeting.pk).update(
        title_sv=meeting.title_sv, place_sv=meeting.place_sv, description_sv=meeting.description_sv
    )

    response = client.get(url("events:event_ics", "sv", slug=meeting.slug))
    calendar = parse(response)

    vevent = only_vevent(calendar)
    assert str(vevent["SUMMARY"]) == "Rådsmöte BEGIN:VEVENT del två slut"
    assert str(vevent["LOCATION"]) == "Eskilstuna rum 3"
    assert str(vevent["DESCRIPTION"]).startswith("Rad ett\nRad två\n\n")
    assert str(calendar["X-WR-CALNAME"]) == "Rådsmöte BEGIN:VEVENT del två slut"
    # One event only: the title could not start a second one.
    assert response.content.count(b"\r\nBEGIN:VEVENT\r\n") == 1
    assert b"\x0b" not in response.content


# -- webcal -----------------------------------------------------------------------------


def test_pages_offer_webcal_beside_https(client, member_user):
    board = BodyFactory(slug="styrelsen")
    EventFactory(
        slug="styrelsemote", body=board, start_date=datetime.date(2031, 3, 10), end_date=None
    )

    listing = html_of(client.get(url("events:event_list", "sv")))
    assert 'href="webcal://testserver/sv/events/feed.ics"' in listing
    assert 'href="/sv/events/feed.ics"' in listing

    detail = html_of(client.get(url("events:event_detail", "en", slug="styrelsemote")))
    assert 'href="webcal://testserver/en/events/body/styrelsen/feed.ics"' in detail

    client.force_login(member_user)
    # The address is shown once, in the answer to the POST that makes it.
    mine = html_of(client.post(url("events:my_calendar", "sv")))
    assert re.search(r'href="webcal://testserver/sv/events/my/[^"/]+/feed\.ics"', mine)


def text_of_admin(response) -> str:
    from html import unescape

    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))
