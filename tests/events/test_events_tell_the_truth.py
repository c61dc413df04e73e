"""Events tell the truth (issue 14, point 7): an undated event of a year that is over is
a past event whose date was never set; a visitor learns that members-only meetings
exist and a link to one leads to the login page and back, not to a 404."""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from events.selectors import event_is_past, event_listing, members_only_count
from members import roles
from plan.selectors import upcoming_events
from tests.factories import EventFactory, PlanFactory, SectionFactory, UserFactory

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1
PASSWORD = "correct horse battery staple"


def section_of(year):
    return SectionFactory(plan=PlanFactory(year=year))


@pytest.fixture
def events(db):
    old_section = section_of(LAST_YEAR)
    this_section = section_of(TODAY.year)
    undated_old = EventFactory(
        slug="maritim-dag",
        title_sv="Sjöfartsträffen",
        title_en="Shipping meet",
        start_date=None,
        end_date=None,
        date_note_sv="Datum meddelas",
        date_note_en="Date to be announced",
    )
    undated_old.sections.add(old_section)
    undated_now = EventFactory(
        slug="godsdag",
        title_sv="Godstransportdagen",
        start_date=None,
        end_date=None,
        date_note_sv="Datum meddelas",
        date_note_en="Date to be announced",
    )
    undated_now.sections.add(this_section)
    # Part of an event that is over: over too, whatever plan it serves.
    over = TODAY - datetime.timedelta(days=40)
    parent = EventFactory(slug="malartinget", start_date=over, end_date=over)
    child = EventFactory(
        slug="radsmotet", start_date=None, end_date=None, parent=parent, date_note_sv="Inom"
    )
    child.sections.add(this_section)
    # Serves no plan: nothing says its year is over.
    unknown = EventFactory(slug="okant", start_date=None, end_date=None, date_note_sv="Senare")
    soon = TODAY + datetime.timedelta(days=10)
    members = [
        EventFactory(slug=f"styrelsemote-{n}", visibility="members", start_date=soon, end_date=soon)
        for n in range(3)
    ]
    # A members-only meeting that is over is not announced to visitors.
    EventFactory(
        slug="styrelsemote-gammalt", visibility="members", start_date=None, end_date=None
    ).sections.add(old_section)
    return {
        "undated_old": undated_old,
        "undated_now": undated_now,
        "child": child,
        "unknown": unknown,
        "members": members,
    }


def slugs(events):
    return {e.slug for e in events}


def test_an_undated_event_of_a_year_that_is_over_is_past(events):
    from django.contrib.auth.models import AnonymousUser

    listing = event_listing(AnonymousUser())
    past, upcoming = slugs(listing.past), slugs(listing.upcoming)
    assert {"maritim-dag", "radsmotet"} <= past
    assert {"godsdag", "okant"} <= upcoming
    assert not past & upcoming
    assert event_is_past(events["undated_old"]) and event_is_past(events["child"])
    assert not event_is_past(events["undated_now"]) and not event_is_past(events["unknown"])
    # The home page's meeting places agree.
    home = upcoming_events(AnonymousUser())
    assert "maritim-dag" not in slugs(home.undated) and "godsdag" in slugs(home.undated)


@pytest.mark.parametrize(
    "language, text", [("sv", "Datum fastställdes inte"), ("en", "Date not set")]
)
def test_the_past_list_says_the_date_was_never_set(client, events, language, text):
    html = client.get(f"/{language}/events/").content.decode()
    upcoming, past = html.split('id="past-heading"')
    assert "Sjöfartsträffen" in past or "Shipping meet" in past
    assert "Sjöfartsträffen" not in upcoming and "Shipping meet" not in upcoming
    item = re.search(r"(Sjöfartsträffen|Shipping meet).*?</li>", past, re.S).group(0)
    assert text in item
    assert "Datum meddelas" not in item and "Date to be announced" not in item
    # A coming undated event still says when it will be.
    assert "Datum meddelas" in upcoming or "Date to be announced" in upcoming


def test_a_visitor_is_told_of_the_meetings_for_members(client, events):
    assert members_only_count() == 3
    html = client.get("/sv/events/?kind=board_meeting").content.decode()
    notice = re.search(r'<p class="notice notice--members">(.*?)</p>', html, re.S).group(1)
    assert "Det finns 3 möten för medlemmar" in " ".join(notice.split())
    assert 'href="/sv/accounts/login/?next=%2Fsv%2Fevents%2F%3Fkind%3Dboard_meeting"' in notice
    # The same for every visitor: no cookie, no token, no name.
    other = Client().get("/sv/events/?kind=board_meeting")
    assert other.content.decode() == html or "csrfmiddlewaretoken" in html
    english = client.get("/en/events/").content.decode()
    assert "There are 3 meetings for members" in " ".join(english.split())


def test_a_member_is_not_told_to_log_in(client, events):
    client.force_login(UserFactory(groups=[roles.MEMBER]))
    html = client.get("/sv/events/").content.decode()
    assert "notice--members" not in html


def test_a_members_only_link_leads_to_login_and_back(client, events):
    url = "/sv/events/styrelsemote-0/"
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == "/sv/accounts/login/?next=/sv/events/styrelsemote-0/"
    member = UserFactory(username="medlem", groups=[roles.MEMBER])
    response = client.post(
        response["Location"], {"username": member.username, "password": PASSWORD}, follow=True
    )
    assert response.request["PATH_INFO"] == url
    assert response.status_code == 200


def test_an_unknown_event_is_still_a_404(client, events):
    assert client.get("/sv/events/finns-inte/").status_code == 404
    # A logged-in user without the members' permission gets 404, not a login loop.
    client.force_login(UserFactory(username="utan-roll"))
    assert client.get("/sv/events/styrelsemote-0/").status_code == 404
