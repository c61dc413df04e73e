"""The role-aware header and where each role lands after logging in (issue 14, point 1)."""

import datetime
import re

import pytest
from django.utils import timezone

from members import roles
from plan import followup
from plan.navigation import start_url
from tests.factories import (
    ActivityFactory,
    PersonFactory,
    PlanFactory,
    ReportingPeriodFactory,
    SectionFactory,
    StatusFactory,
    StatusUpdateFactory,
    UserFactory,
)

PASSWORD = "correct horse battery staple"
YEAR = timezone.localdate().year


@pytest.fixture
def world(db):
    """This year's adopted plan with a period open now, an owner of three activities of
    which one is reported in that period, and a user for every role."""
    plan = PlanFactory(year=YEAR)
    today = timezone.localdate()
    period = ReportingPeriodFactory(
        plan=plan,
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=30),
        due_date=today + datetime.timedelta(days=40),
    )
    section = SectionFactory(plan=plan)
    owner = UserFactory(username="agare", first_name="Åsa", groups=[roles.MEMBER])
    person = PersonFactory(user=owner)
    activities = [ActivityFactory(section=section) for _ in range(3)]
    for activity in activities:
        activity.owners.add(person)
    StatusUpdateFactory(activity=activities[0], period=period, status=StatusFactory())
    # A draft plan's activity does not count (it takes no reports).
    draft = PlanFactory(year=YEAR + 1, status="draft")
    ActivityFactory(section=SectionFactory(plan=draft)).owners.add(person)
    return {
        "plan": plan,
        "period": period,
        "activities": activities,
        "owner": owner,
        "member": UserFactory(username="medlem", groups=[roles.MEMBER]),
        "board": UserFactory(username="styrelse", groups=[roles.BOARD]),
        "secretariat": UserFactory(username="kansli", groups=[roles.SECRETARIAT], is_staff=True),
    }


def header(client, path="/sv/") -> str:
    html = client.get(path).content.decode()
    return re.search(r"<header.*?</header>", html, re.S).group(0)


def work_nav(html: str) -> str:
    found = re.search(r'<nav class="work-nav".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def without_language_switch(html: str) -> str:
    # The language switch was a POST form with a CSRF token; it becomes plain links.
    return re.sub(r'<(form|a) class="language-switch".*?</\1>', "", html, flags=re.S)


def test_a_visitor_gets_no_work_links_and_the_same_header_as_every_visitor(client, world):
    first = without_language_switch(header(client))
    assert work_nav(first) == ""
    assert "/sv/accounts/login/" in first
    assert "csrfmiddlewaretoken" not in first
    # Another anonymous client: byte for byte the same header.
    from django.test import Client

    assert without_language_switch(header(Client())) == first


def test_the_owner_sees_my_activities_with_the_number_of_reports_due(client, world):
    client.force_login(world["owner"])
    nav = work_nav(header(client))
    assert 'href="/sv/my/activities/"' in nav
    assert "2 att rapportera" in nav
    assert "Uppföljning" not in nav and "Administration" not in nav
    # The same rule as the owner's page: its activities marked due are the count.
    owned = followup.owned_activities(world["owner"])
    assert sum(item.is_due for group in owned for item in group.activities) == 2
    assert followup.owner_work(world["owner"]).reports_due == 2


def test_the_count_goes_down_when_the_owner_reports(client, world):
    client.force_login(world["owner"])
    StatusUpdateFactory(
        activity=world["activities"][1], period=world["period"], status=StatusFactory()
    )
    assert "1 att rapportera" in work_nav(header(client))
    StatusUpdateFactory(
        activity=world["activities"][2], period=world["period"], status=StatusFactory()
    )
    nav = work_nav(header(client))
    assert 'href="/sv/my/activities/"' in nav
    assert "att rapportera" not in nav


def test_a_member_who_owns_nothing_gets_no_work_links(client, world):
    client.force_login(world["member"])
    html = header(client, "/en/")
    assert work_nav(html) == ""
    assert "Log out" in html


def test_the_board_sees_the_years_follow_up(client, world):
    client.force_login(world["board"])
    nav = work_nav(header(client, "/en/"))
    assert f'href="/en/followup/{YEAR}/"' in nav
    assert ">Follow-up<" in nav
    assert "Administration" not in nav and "My activities" not in nav


def test_the_secretariat_sees_follow_up_and_administration(client, world):
    client.force_login(world["secretariat"])
    nav = work_nav(header(client))
    assert f'href="/sv/followup/{YEAR}/"' in nav
    assert 'href="/sv/admin/"' in nav
    assert "Administration" in nav


def test_the_header_costs_a_fixed_number_of_queries(client, world, django_assert_max_num_queries):
    client.force_login(world["owner"])
    client.get("/sv/search/")
    with django_assert_max_num_queries(30) as few:
        client.get("/sv/search/")
    section = world["activities"][0].section
    for _ in range(20):
        ActivityFactory(section=section).owners.add(world["owner"].person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/sv/search/")


def log_in(client, username, next_=None):
    data = {"username": username, "password": PASSWORD}
    url = "/sv/accounts/login/" + (f"?next={next_}" if next_ else "")
    return client.post(url, data, follow=True)


@pytest.mark.parametrize(
    "username, lands_on",
    [
        ("agare", "/sv/my/activities/"),
        ("styrelse", f"/sv/followup/{YEAR}/"),
        ("kansli", "/sv/admin/todo/"),  # the secretariat's to-do page (admin:todo)
        ("medlem", "/sv/"),
    ],
)
def test_after_logging_in_each_role_lands_where_its_work_is(client, world, username, lands_on):
    response = log_in(client, username)
    assert start_url(world[_role(username)]) == lands_on
    assert response.request["PATH_INFO"] == lands_on
    assert response.status_code == 200


def _role(username):
    return {"agare": "owner", "styrelse": "board", "kansli": "secretariat", "medlem": "member"}[
        username
    ]


def test_a_board_member_with_reports_due_starts_on_my_activities(client, world):
    board = world["board"]
    world["activities"][1].owners.add(PersonFactory(user=board))
    response = log_in(client, "styrelse")
    assert response.request["PATH_INFO"] == "/sv/my/activities/"


def test_a_safe_next_wins_and_an_unsafe_one_is_ignored(client, world):
    response = log_in(client, "styrelse", next_="/sv/plan/")
    assert response.request["PATH_INFO"] == "/sv/plan/"
    client.logout()
    response = log_in(client, "styrelse", next_="https://evil.example.org/")
    assert response.request["PATH_INFO"] == f"/sv/followup/{YEAR}/"


def test_the_start_page_asks_a_visitor_to_log_in(client, world):
    response = client.get("/sv/start/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sv/accounts/login/?next=/sv/start/")
