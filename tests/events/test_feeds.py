"""The calendar feeds, read back with the icalendar library: the public feed, a feed per
body, and the personal feed behind a secret token."""

import datetime
import hashlib
import re
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.utils import timezone

from events.ics import calendar_for, event_to_ical
from events.models import CalendarToken, Event, Registration
from events.services import calendar_token_issue

from ..factories import BodyFactory, EventFactory, RegistrationFactory, UserFactory
from .pages import count_queries, html_of, text_of, url

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")


def parse(response) -> icalendar.Calendar:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def vevents(calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


@pytest.fixture
def board():
    return BodyFactory(slug="styrelsen", name_sv="Styrelsen", name_en="The Board")


@pytest.fixture
def events(db, board):
    # UIDs as events made before UIDs were stored have them (migration 0006); new
    # events get random ones (tests/events/test_calendar_changes.py).
    return {
        "allday": EventFactory(
            slug="malartinget",
            uid="malartinget@malardalsportalen",
            title_sv="Mälartinget",
            title_en="Mälartinget conference",
            description_sv="Konferens och rådsmöte.",
            description_en="Conference and council meeting.",
            start_date=datetime.date(2027, 5, 6),
            end_date=datetime.date(2027, 5, 7),
            place_sv="Västerås konserthus",
            place_en="Västerås Concert Hall",
        ),
        "timed": EventFactory(
            slug="styrelsemote",
            uid="styrelsemote@malardalsportalen",
            title_sv="Styrelsemöte",
            title_en="Board meeting",
            start_date=datetime.date(2027, 2, 10),
            end_date=None,
            start_time=datetime.time(13, 0),
            end_time=datetime.time(15, 30),
            place_sv="Stockholm",
            place_en="Stockholm",
            body=board,
        ),
        "summer": EventFactory(
            slug="sommarmote",
            uid="sommarmote@malardalsportalen",
            title_en="Summer meeting",
            start_date=datetime.date(2027, 7, 1),
            end_date=None,
            start_time=datetime.time(9, 0),
            end_time=None,
            body=board,
        ),
        "members": EventFactory(
            slug="internt",
            uid="internt@malardalsportalen",
            title_en="Internal meeting",
            start_date=datetime.date(2027, 3, 1),
            end_date=None,
            body=board,
            visibility=Event.Visibility.MEMBERS,
        ),
        "undated": EventFactory(
            slug="odaterat",
            uid="odaterat@malardalsportalen",
            title_en="Undated",
            start_date=None,
            end_date=None,
            date_note_en="Date to be announced",
        ),
    }


# -- the public feed -------------------------------------------------------------------


def test_public_feed_has_correct_all_day_dates(client, events):
    calendar = parse(client.get(url("events:feed", "en")))
    event = vevents(calendar)["malartinget@malardalsportalen"]

    # All-day: DATE values, DTEND exclusive (the day after the last day).
    assert event.decoded("DTSTART") == datetime.date(2027, 5, 6)
    assert event.decoded("DTEND") == datetime.date(2027, 5, 8)
    assert not isinstance(event.decoded("DTSTART"), datetime.datetime)
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert str(event["LOCATION"]) == "Västerås Concert Hall"
    assert str(event["SUMMARY"]) == "Mälartinget conference"
    assert "Conference and council meeting." in str(event["DESCRIPTION"])
    assert str(event["URL"]).endswith("/en/events/malartinget/")


def test_public_feed_has_timed_events_in_stockholm_time(client, events):
    calendar = parse(client.get(url("events:feed", "en")))
    by_uid = vevents(calendar)
    winter = by_uid["styrelsemote@malardalsportalen"]
    summer = by_uid["sommarmote@malardalsportalen"]

    start = winter.decoded("DTSTART")
    assert start == datetime.datetime(2027, 2, 10, 13, 0, tzinfo=STOCKHOLM)
    assert start.utcoffset() == datetime.timedelta(hours=1)
    assert winter["DTSTART"].params["TZID"] == "Europe/Stockholm"
    assert winter.decoded("DTEND") == datetime.datetime(2027, 2, 10, 15, 30, tzinfo=STOCKHOLM)
    # Summer time: 09:00 in Stockholm is 07:00 UTC.
    assert summer.decoded("DTSTART").astimezone(datetime.UTC).hour == 7
    assert "DTEND" not in summer  # no end time given, none invented
    # The calendar carries the time zone definition its events refer to.
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Stockholm"]


def test_public_feed_leaves_out_members_only_and_undated_events(client, events):
    calendar = parse(client.get(url("events:feed", "sv")))

    assert set(vevents(calendar)) == {
        "malartinget@malardalsportalen",
        "styrelsemote@malardalsportalen",
        "sommarmote@malardalsportalen",
    }


def test_public_feed_is_the_same_for_members(client, events, member_user):
    client.force_login(member_user)

    calendar = parse(client.get(url("events:feed", "sv")))

    assert "internt@malardalsportalen" not in vevents(calendar)


def test_feed_texts_follow_the_url_language(client, events):
    sv = vevents(parse(client.get(url("events:feed", "sv"))))["malartinget@malardalsportalen"]
    en = vevents(parse(client.get(url("events:feed", "en"))))["malartinget@malardalsportalen"]

    assert str(sv["SUMMARY"]) == "Mälartinget"
    assert str(sv["LOCATION"]) == "Västerås konserthus"
    assert str(sv["URL"]).endswith("/sv/events/malartinget/")
    assert str(en["SUMMARY"]) == "Mälartinget conference"
    # The UID is the same in both languages, so an app does not see two events.
    assert str(sv["UID"]) == str(en["UID"])


# -- the feed of a body ----------------------------------------------------------------


def test_body_feed_has_the_public_events_of_that_body(client, events, board):
    calendar = parse(client.get(url("events:body_feed", "en", slug=board.slug)))

    assert set(vevents(calendar)) == {
        "styrelsemote@malardalsportalen",
        "sommarmote@malardalsportalen",
    }
    assert "The Board" in str(calendar["X-WR-CALNAME"])


def test_body_feed_of_unknown_body_is_404(client, db):
    assert client.get(url("events:body_feed", "en", slug="nobody")).status_code == 404


# -- the personal feed -----------------------------------------------------------------


@pytest.fixture
def registrations(events, member_user):
    other = UserFactory(username="other", groups=["member"])
    RegistrationFactory(event=events["allday"], user=member_user, response="attending")
    RegistrationFactory(event=events["members"], user=member_user, response="attending")
    RegistrationFactory(event=events["timed"], user=member_user, response="not_attending")
    RegistrationFactory(event=events["undated"], user=member_user, response="attending")
    RegistrationFactory(event=events["summer"], user=other, response="attending")
    _token, raw = calendar_token_issue(user=member_user)
    return raw


def test_personal_feed_has_exactly_the_users_attending_registrations(client, registrations):
    response = client.get(url("events:personal_feed", "en", token=registrations))

    calendar = parse(response)
    assert set(vevents(calendar)) == {
        "malartinget@malardalsportalen",
        "internt@malardalsportalen",  # members-only, and the member may see it
    }
    assert response["Cache-Control"] == "private, no-store"


def test_personal_feed_needs_the_right_token(client, registrations):
    wrong = registrations[:-1] + ("A" if registrations[-1] != "A" else "B")

    assert client.get(url("events:personal_feed", "en", token=wrong)).status_code == 404
    assert client.get(url("events:personal_feed", "en", token="x")).status_code == 404


def test_personal_feed_of_an_inactive_user_is_404(client, registrations, member_user):
    member_user.is_active = False
    member_user.save()

    assert client.get(url("events:personal_feed", "en", token=registrations)).status_code == 404


def test_personal_feed_drops_members_only_events_when_membership_ends(
    client, registrations, member_user
):
    member_user.groups.clear()

    calendar = parse(client.get(url("events:personal_feed", "en", token=registrations)))

    assert set(vevents(calendar)) == {"malartinget@malardalsportalen"}


# -- the member's calendar page --------------------------------------------------------


def test_calendar_page_needs_a_member(client, db):
    page = url("events:my_calendar", "en")
    assert client.get(page).status_code == 302  # to the login page

    client.force_login(UserFactory(username="plain"))
    assert client.get(page).status_code == 403


def test_member_creates_sees_and_resets_the_feed_address(client, member_user, events):
    RegistrationFactory(event=events["allday"], user=member_user, response="attending")
    client.force_login(member_user)
    page = url("events:my_calendar", "en")

    assert not CalendarToken.objects.exists()
    assert "Create my calendar address" in text_of(client.get(page))
    # Creating is a POST; a GET never writes. The answer shows the address, this once.
    response = client.post(page)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    html = html_of(response)
    match = re.search(r'value="http://testserver/en/events/my/([^/"]+)/feed.ics"', html)
    assert match, html
    token = match[1]
    assert len(token) >= 40
    assert "shown only this once" in text_of(response)
    assert "Mälartinget conference" in html  # the events the member attends

    # Stored as its SHA-256 only; the page never shows it again.
    stored = CalendarToken.objects.get(user=member_user)
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(CalendarToken.objects.filter(pk=stored.pk).values().get())
    later = client.get(page)
    assert token not in later.content.decode()
    assert "Replace with a new address" in text_of(later)
    assert client.get(f"/en/events/my/{token}/feed.ics").status_code == 200

    replaced = client.post(page, {"reset": "1"})
    new_token = re.search(r"/en/events/my/([^/\"]+)/feed.ics", html_of(replaced))[1]
    assert new_token != token
    assert "The old address no longer works" in text_of(replaced)
    assert client.get(f"/en/events/my/{token}/feed.ics").status_code == 404
    assert client.get(f"/en/events/my/{new_token}/feed.ics").status_code == 200


# -- the functions the reminder mails use ----------------------------------------------


def test_event_to_ical_refuses_an_undated_event(events):
    with pytest.raises(ValueError):
        event_to_ical(events["undated"], language="en")


def test_calendar_for_builds_a_parsable_calendar(events):
    content = calendar_for(Event.objects.all(), language="sv", name="Test")

    calendar = icalendar.Calendar.from_ical(content)
    assert str(calendar["X-WR-CALNAME"]) == "Test"
    assert len(calendar.walk("VEVENT")) == 4  # everything dated
    assert str(calendar["VERSION"]) == "2.0"


def test_members_only_event_is_marked_private(events):
    assert str(event_to_ical(events["members"], language="en")["CLASS"]) == "PRIVATE"


def test_single_event_download(client, events):
    calendar = parse(client.get(url("events:event_ics", "sv", slug="malartinget")))

    assert list(vevents(calendar)) == ["malartinget@malardalsportalen"]


# -- queries ---------------------------------------------------------------------------


def test_feed_queries_do_not_grow_with_the_events(client, member_user, board):
    _token, token = calendar_token_issue(user=member_user)

    def add(n):
        for _ in range(n):
            event = EventFactory(
                start_date=timezone.localdate(),
                end_date=None,
                body=board,
                start_time=datetime.time(10, 0),
            )
            Registration.objects.create(event=event, user=member_user, response="attending")

    paths = [
        url("events:feed", "sv"),
        url("events:body_feed", "sv", slug=board.slug),
        url("events:personal_feed", "sv", token=token),
    ]
    add(2)
    small = [count_queries(client, path) for path in paths]
    add(20)
    large = [count_queries(client, path) for path in paths]

    assert small == large
    assert max(large) <= 5


# -- how far back, and conditional requests (issue 12) ---------------------------------


@pytest.fixture
def years_of_events(db, board):
    today = timezone.localdate()
    return {
        "old": EventFactory(
            slug="old", start_date=today - datetime.timedelta(days=800), end_date=None
        ),
        "last-year": EventFactory(
            slug="last-year",
            start_date=today - datetime.timedelta(days=400),
            end_date=None,
            body=board,
        ),
        "recent": EventFactory(
            slug="recent",
            start_date=today - datetime.timedelta(days=200),
            end_date=None,
            body=board,
        ),
        # Began before the window, ends inside it.
        "long": EventFactory(
            slug="long",
            start_date=today - datetime.timedelta(days=370),
            end_date=today - datetime.timedelta(days=360),
        ),
        "coming": EventFactory(
            slug="coming",
            start_date=today + datetime.timedelta(days=30),
            end_date=None,
            body=board,
        ),
    }


def slugs(response) -> set[str]:
    return {Event.objects.get(uid=uid).slug for uid in vevents(parse(response))}


def test_feeds_carry_the_last_year_and_the_future_unless_asked_for_more(
    client, years_of_events, board
):
    feed = url("events:feed", "sv")
    assert slugs(client.get(feed)) == {"recent", "long", "coming"}
    assert slugs(client.get(feed, {"past": "all"})) == set(years_of_events)
    two_years_ago = timezone.localdate().year - 2
    assert slugs(client.get(feed, {"since": str(two_years_ago)})) == {
        slug
        for slug, event in years_of_events.items()
        if (event.end_date or event.start_date).year >= two_years_ago
    }
    body_feed = url("events:body_feed", "en", slug=board.slug)
    assert slugs(client.get(body_feed)) == {"recent", "coming"}
    assert slugs(client.get(body_feed, {"past": "all"})) == {"last-year", "recent", "coming"}


@pytest.mark.parametrize(
    "query",
    [
        {"since": "abc"},
        {"since": "20"},
        {"since": "99999"},
        {"past": "yes"},
        {"past": "all", "since": "2020"},
    ],
)
def test_a_window_the_feed_cannot_give_is_a_clear_400(client, years_of_events, query):
    response = client.get(url("events:feed", "sv"), query)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "since" in response.content.decode() or "past" in response.content.decode()


def test_feed_answers_304_until_an_event_changes(
    client, years_of_events, django_assert_max_num_queries
):
    feed = url("events:feed", "sv")
    first = client.get(feed)
    etag = first["ETag"]
    assert etag and first["Last-Modified"]
    assert first["Cache-Control"].startswith("public")

    with django_assert_max_num_queries(1):
        again = client.get(feed, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    # Another language is another calendar.
    assert client.get(url("events:feed", "en"), HTTP_IF_NONE_MATCH=etag).status_code == 200
    # More of the past is another calendar too.
    assert client.get(feed, {"past": "all"}, HTTP_IF_NONE_MATCH=etag).status_code == 200

    event = years_of_events["coming"]
    event.place_sv = "Eskilstuna"
    event.save()
    changed = client.get(feed, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert str(vevents(parse(changed))[event.uid]["LOCATION"]) == "Eskilstuna"
    etag = changed["ETag"]

    years_of_events["recent"].delete()
    after_delete = client.get(feed, HTTP_IF_NONE_MATCH=etag)
    assert after_delete.status_code == 200
    assert "recent" not in slugs(after_delete)
    # If-Modified-Since alone cannot see a deleted event: it never gives a 304.
    assert client.get(feed, HTTP_IF_MODIFIED_SINCE=after_delete["Last-Modified"]).status_code == 200


def test_personal_feed_answers_304_and_stays_private(client, member_user, years_of_events):
    _token, token = calendar_token_issue(user=member_user)
    event = years_of_events["coming"]
    Registration.objects.create(event=event, user=member_user, response="attending")
    feed = url("events:personal_feed", "sv", token=token)

    first = client.get(feed)
    assert first["Cache-Control"] == "private, no-store"
    assert client.get(feed, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304

    Registration.objects.filter(event=event, user=member_user).update(response="not_attending")
    assert client.get(feed, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
