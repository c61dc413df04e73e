"""The open-data API (/api/v1/), the plan exports and the open-data page, as a program
and a person using them would see them, on the 2023 plan."""

import csv
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from events.models import Event
from members import roles
from plan.models import Activity, Plan, Status

from ..factories import (
    ActivityFactory,
    EventFactory,
    GoalFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    OrganisationFactory,
    PersonFactory,
    PlanFactory,
    ReportingPeriodFactory,
    SectionFactory,
    StatusUpdateFactory,
    UserFactory,
)

EMAIL = "anna.hemlig@example.org"
PHONE = "070-123 45 67"
DRAFT_TEXT = "Hemligt utkast till aktivitet"
MEMBERS_EVENT_TITLE = "Slutet styrelseseminarium"

LISTS = [
    "plan_list",
    "section_list",
    "goal_list",
    "activity_list",
    "status_list",
    "indicator_list",
    "event_list",
    "organisation_list",
    "programme_list",
]


class World:
    pass


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The 2023 plan as shipped, plus what must never show: a draft plan, a
    members-only event linked to a 2023 activity, a person with e-mail and phone who
    owns a 2023 activity. Built once, rolled back at the end of the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_plan_2023", verbosity=0)
        w = World()
        w.plan = Plan.objects.get(year=2023)
        w.activity = Activity.objects.filter(section__plan=w.plan).order_by("pk").first()
        w.person = PersonFactory(email=EMAIL, phone=PHONE)
        w.activity.owners.add(w.person)
        w.draft = PlanFactory(year=2024, status=Plan.Status.DRAFT)
        draft_section = SectionFactory(plan=w.draft, slug="utkast", programme="ebs")
        w.draft_activity = ActivityFactory(section=draft_section, text_sv=DRAFT_TEXT)
        GoalFactory(section=draft_section)
        w.members_event = EventFactory(
            slug="slutet-seminarium",
            title_sv=MEMBERS_EVENT_TITLE,
            visibility=Event.Visibility.MEMBERS,
        )
        w.members_event.activities.add(w.activity)
        w.members_event.hosts.add(OrganisationFactory(slug="varden"))
        period = ReportingPeriodFactory(plan=w.plan)
        w.reported = StatusUpdateFactory(
            activity=w.activity,
            period=period,
            status=Status.objects.get(slug="on-track"),
            progress=40,
            comment="Intern kommentar om läget",
        )
        w.board = UserFactory(username="styrelse-api", groups=[roles.BOARD])
        yield w
        transaction.set_rollback(True)


@pytest.fixture
def world(shared_world, db):
    return shared_world


def api(name, **kwargs):
    return reverse(f"api:{name}", kwargs=kwargs or None)


def get_json(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:300])
    return response.json()


def every_row(client, name, **params):
    """All rows of a list endpoint, page by page (200 a page)."""
    rows, url, query = [], api(name), {"page_size": 200, **params}
    while url:
        body = get_json(client, url, **query)
        if isinstance(body, list):
            return body
        rows.extend(body["results"])
        url, query = body["next"], {}
    return rows


def page_html(client, name, lang="sv", **kwargs):
    with translation.override(lang):
        url = reverse(name, kwargs=kwargs or None)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


# --- What the API shows is what the anonymous pages show -------------------------------


def test_the_api_shows_exactly_what_the_anonymous_pages_show_for_2023(world, client):
    plan_page = page_html(client, "plan:plan_detail", year=2023)
    page_sections = set(re.findall(r'id="section-([-\w]+)"', plan_page))
    page_activities = {int(pk) for pk in re.findall(r"/sv/plan/2023/activity/(\d+)/", plan_page)}
    page_goal_count = sum(
        block.count("<li>")
        for block in re.findall(r'plan-list--goals">(.*?)</div>', plan_page, flags=re.S)
    )
    events_page = page_html(client, "events:event_list")
    page_events = set(re.findall(r'href="/sv/events/([-\w]+)/"', events_page)) - {"my"}
    directory = page_html(client, "members:directory")
    page_members = set(re.findall(r'href="/sv/members/organisations/([-\w]+)/"', directory))
    partners = page_html(client, "members:partners")
    page_partners = set(re.findall(r'href="/sv/members/organisations/([-\w]+)/"', partners))
    archive = page_html(client, "plan:archive")
    page_years = {int(y) for y in re.findall(r'href="/sv/plan/(\d{4})/"', archive)}

    assert {p["year"] for p in every_row(client, "plan_list")} == page_years == {2023}
    api_sections = every_row(client, "section_list", year=2023)
    assert {s["slug"] for s in api_sections} == page_sections
    assert len(api_sections) == len(page_sections) == 24
    assert len(every_row(client, "goal_list", year=2023)) == page_goal_count
    assert {a["id"] for a in every_row(client, "activity_list", year=2023)} == page_activities
    assert {e["slug"] for e in every_row(client, "event_list")} == page_events
    # Every organisation (each has its page) with its memberships: those that hold today
    # as member or associated member are the directory's, the others' kinds the partners'.
    organisations = every_row(client, "organisation_list")
    today = timezone.localdate().isoformat()
    holding = {
        o["slug"]: m["kind"]
        for o in organisations
        for m in o["memberships"]
        if (m["start_date"] or "") <= today and (m["end_date"] or "9999") >= today
    }
    members = {slug for slug, kind in holding.items() if kind in ("member", "associated")}
    assert members == page_members
    assert len(page_members) == 10
    assert {slug for slug, kind in holding.items() if kind in ("partner", "other")} <= (
        page_partners
    )
    assert page_partners <= {o["slug"] for o in organisations}


def test_the_activity_status_and_progress_are_the_section_pages(world, client):
    row = get_json(client, api("activity_detail", pk=world.activity.pk))
    assert row["status"]["slug"] == "on-track"
    assert row["status"]["name_sv"] == "Enligt plan"
    assert row["progress"] == 40
    section_page = page_html(
        client, "plan:section_detail", year=2023, slug=world.activity.section.slug
    )
    assert "Enligt plan" in section_page and "40" in section_page
    other = get_json(client, api("activity_detail", pk=world.activity.pk + 1))
    assert other["status"] is None and other["progress"] is None
    # "Rapport saknas" and "Försenad" as the section page tags them.
    in_section = every_row(client, "activity_list", year=2023)
    in_section = [a for a in in_section if a["section"] == world.activity.section_id]
    assert row["report_missing"] is False
    assert sum(a["report_missing"] for a in in_section) == section_page.count("tag--missing")
    assert sum(a["is_late"] for a in in_section) == section_page.count("tag--late")
    assert sum(a["report_missing"] for a in in_section) > 0


def _everything(client) -> str:
    """Every body the API gives: all lists, every detail of a 2023 row, the exports
    and the catalogue record."""
    bodies = []
    for name in LISTS:
        bodies.append(json.dumps(every_row(client, name), ensure_ascii=False))
    bodies.append(client.get(api("plan_export_json", year=2023)).content.decode())
    bodies.append(client.get(api("plan_export_csv", year=2023)).content.decode("utf-8-sig"))
    bodies.append(client.get(api("dcat")).content.decode())
    bodies.append(client.get(api("schema")).content.decode())
    return "\n".join(bodies)


@pytest.mark.parametrize("who", ["visitor", "board"])
def test_drafts_members_only_events_and_personal_data_never_appear(world, who):
    client = Client()
    if who == "board":
        # The board may read drafts on the pages; the API is the public view all the same.
        client.force_login(world.board)
        assert client.get(f"/sv/plan/{world.draft.year}/").status_code == 200
    everything = _everything(client)
    for secret in (
        EMAIL,
        PHONE,
        world.person.last_name,
        DRAFT_TEXT,
        MEMBERS_EVENT_TITLE,
        world.members_event.slug,
        "Intern kommentar",
        "Verksamhetsplan 2024",
        "Operations plan 2024",
    ):
        assert secret not in everything, secret
    assert client.get(api("plan_detail", year=2024)).status_code == 404
    assert client.get(api("plan_export_json", year=2024)).status_code == 404
    assert client.get(api("plan_export_csv", year=2024)).status_code == 404
    assert client.get(api("event_detail", slug=world.members_event.slug)).status_code == 404
    assert client.get(api("activity_detail", pk=world.draft_activity.pk)).status_code == 404
    assert get_json(client, api("section_list"), year=2024)["count"] == 0
    assert get_json(client, api("activity_list"), programme="ebs", year=2024)["count"] == 0


def test_a_draft_status_filter_is_refused_not_answered(world, client):
    response = client.get(api("plan_list"), {"status": "draft"})
    assert response.status_code == 400
    assert "status" in response.json()


# --- Filters, pages, order -------------------------------------------------------------


def test_filters_by_year_programme_and_status(world, client):
    ebs = every_row(client, "activity_list", year=2023, programme="ebs")
    assert ebs and all(Activity.objects.get(pk=row["id"]).section.programme == "ebs" for row in ebs)
    on_track = every_row(client, "activity_list", status="on-track")
    assert [row["id"] for row in on_track] == [world.activity.pk]
    assert every_row(client, "activity_list", status="completed") == []
    assert every_row(client, "section_list", year=2022) == []
    ebm_sections = every_row(client, "section_list", programme="ebm")
    assert ebm_sections and {s["programme"] for s in ebm_sections} == {"ebm"}
    kinds = {e["kind"] for e in every_row(client, "event_list", kind="malartinget")}
    assert kinds == {"malartinget"}
    assert [p["year"] for p in every_row(client, "plan_list", year=2023)] == [2023]
    county = every_row(client, "organisation_list", county="01")
    assert county and {o["county"]["code"] for o in county} == {"01"}


def test_pages_are_stable_and_capped(world, client):
    first = get_json(client, api("activity_list"), page_size=20)
    second = get_json(client, first["next"])
    third = get_json(client, second["next"])
    assert first["count"] == 50
    assert len(first["results"]) == 20 and len(third["results"]) == 10
    ids = [r["id"] for page in (first, second, third) for r in page["results"]]
    assert ids == [r["id"] for r in every_row(client, "activity_list")]
    assert len(set(ids)) == 50
    again = get_json(client, api("activity_list"), page_size=20, page=2)
    assert [r["id"] for r in again["results"]] == [r["id"] for r in second["results"]]
    assert len(get_json(client, api("activity_list"), page_size=100000)["results"]) == 50
    assert get_json(client, api("activity_list"))["next"] is None  # 50 a page by default
    many = get_json(client, api("section_list"), page_size=5)
    assert len(many["results"]) == 5


@pytest.mark.parametrize(
    "name, params",
    [
        ("activity_list", {"year": "abc"}),
        ("activity_list", {"year": "99999999999999999999"}),
        ("activity_list", {"year": "-1"}),
        ("activity_list", {"status": "on\x00track"}),
        ("activity_list", {"status": "x" * 10000}),
        ("activity_list", {"programme": "<script>"}),
        ("section_list", {"programme": "\u202eebs"}),
        ("event_list", {"kind": "nope"}),
        ("organisation_list", {"county": "1"}),
        ("organisation_list", {"county": "\x00\x01"}),
        ("activity_list", {"page": "0"}),
        ("activity_list", {"page": "abc"}),
        ("activity_list", {"page": "99999999999999999999"}),
        ("plan_list", {"status": "draft"}),
    ],
)
def test_hostile_parameters_get_a_4xx(world, client, name, params):
    response = client.get(api(name), params)
    assert 400 <= response.status_code < 500, response.status_code
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/activities/99999999999999999999/",
        "/api/v1/events/%00/",
        "/api/v1/plans/0/",
        "/api/v1/nothing-here/",
        "/api/v1/organisations/%E2%80%AE/",
    ],
)
def test_hostile_paths_get_a_json_4xx(world, client, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert response.json()["detail"]


def test_writes_are_refused(world, client):
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(api("plan_list"))
        assert response.status_code == 405, method


# --- Caching, CORS, no cookies ---------------------------------------------------------


def test_responses_are_cached_like_anonymous_pages(world, client):
    url = api("event_list")
    response = client.get(url)
    etag = response["ETag"]
    assert re.fullmatch(r'"[0-9a-f]+"', etag)
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response
    not_modified = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert not_modified["Access-Control-Allow-Origin"] == "*"
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    # A change to the data changes the answer and so its tag.
    EventFactory(slug="nytt-mote")
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_errors_are_not_cached(world, client):
    response = client.get(api("activity_list"), {"year": "abc"})
    assert "public" not in response.get("Cache-Control", "")
    assert "ETag" not in response


def test_cors_preflight_offers_reading_only(world, client):
    response = client.options(
        api("plan_list"),
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"


def test_no_cookies_are_set_and_a_login_changes_nothing(world):
    for client in (Client(), _logged_in(world)):
        for name in LISTS:
            response = client.get(api(name))
            assert not response.cookies, (name, response.cookies)
            assert "Cookie" not in response.get("Vary", "")
            assert response["Cache-Control"] == "public, max-age=60", name
    assert (
        Client().get(api("activity_list")).content
        == _logged_in(world).get(api("activity_list")).content
    )


def test_follow_up_comments_only_where_the_plan_makes_them_public(world, client):
    url = api("activity_detail", pk=world.activity.pk)
    reports = get_json(client, url)["reports"]
    assert [(r["status"], r["progress"], r["comment"]) for r in reports] == [("on-track", 40, None)]
    assert "reported_by" not in reports[0]
    Plan.objects.filter(pk=world.plan.pk).update(public_followup_comments=True)
    reports = get_json(client, url)["reports"]
    assert reports[0]["comment"] == "Intern kommentar om läget"
    page = page_html(client, "plan:activity_detail", year=2023, pk=world.activity.pk)
    assert "Intern kommentar om läget" in page
    export = client.get(api("plan_export_json", year=2023)).content.decode()
    assert "Intern kommentar om läget" in export


def _logged_in(world):
    client = Client()
    client.force_login(world.board)
    return client


# --- Query counts ----------------------------------------------------------------------


def _queries(client, name, **params):
    with CaptureQueriesContext(connection) as queries:
        get_json(client, api(name), **params)
    return len(queries)


def test_list_endpoints_run_a_fixed_number_of_queries(world, client):
    before = {name: _queries(client, name, page_size=200) for name in LISTS}
    plan = world.plan
    section = SectionFactory(plan=plan, programme="ebs", order=999)
    for _ in range(15):
        activity = ActivityFactory(section=section)
        activity.organisations.add(OrganisationFactory())
        GoalFactory(section=section)
        event = EventFactory()
        event.activities.add(activity)
        event.sections.add(section)
        event.hosts.add(OrganisationFactory())
        indicator = IndicatorFactory()
        IndicatorValueFactory(indicator=indicator, year=2021)
        IndicatorValueFactory(indicator=indicator, year=2022)
    after = {name: _queries(client, name, page_size=200) for name in LISTS}
    assert after == before
    assert max(before.values()) <= 12, before


# --- Exports -----------------------------------------------------------------------------


def test_the_plan_as_json(world, client):
    response = client.get(api("plan_export_json", year=2023))
    assert response["Content-Disposition"] == 'attachment; filename="verksamhetsplan-2023.json"'
    document = response.json()
    assert document["licence"] == "http://creativecommons.org/publicdomain/zero/1.0/"
    assert document["plan"]["year"] == 2023
    assert len(document["sections"]) == 24
    assert len(document["goals"]) == len(every_row(client, "goal_list", year=2023))
    assert len(document["activities"]) == 50


def test_the_plan_as_csv_for_excel_in_swedish(world, client):
    response = client.get(api("plan_export_csv", year=2023))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    data = response.content
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "\r\n" in text and text.count("\r\n") == text.count("\n")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["type", "id", "section"]
    kinds = [row[0] for row in body]
    assert kinds.count("section") == 24 and kinds.count("activity") == 50
    assert kinds.count("goal") == len(every_row(client, "goal_list", year=2023))
    reported = next(
        row for row in body if row[0] == "activity" and row[1] == str(world.activity.pk)
    )
    assert reported[header.index("status_sv")] == "Enligt plan"
    assert reported[header.index("progress")] == "40"
    assert "Mälardalsrådet" in text  # UTF-8, not mangled


def test_a_formula_in_the_plan_is_text_in_the_csv(world, client):
    activity = ActivityFactory(section=world.activity.section, text_sv="=HYPERLINK(1)")
    text = client.get(api("plan_export_csv", year=2023)).content.decode("utf-8-sig")
    row = next(r for r in csv.reader(io.StringIO(text), delimiter=";") if r[1] == str(activity.pk))
    assert row[5] == "'=HYPERLINK(1)"


def test_the_plan_page_links_its_open_data(world, client):
    for lang in ("sv", "en"):
        html = page_html(client, "plan:plan_detail", lang=lang, year=2023)
        assert 'href="/api/v1/plans/2023/export.json"' in html
        assert 'href="/api/v1/plans/2023/export.csv"' in html
        assert f'href="/{lang}/open-data/"' in html
    board = _logged_in(world)
    draft_page = board.get("/sv/plan/2024/").content.decode()
    assert "/api/v1/plans/2024/" not in draft_page


# --- The open-data page ----------------------------------------------------------------


@pytest.mark.parametrize(
    "lang, heading, licence", [("sv", "Öppna data", "Licens"), ("en", "Open data", "Licence")]
)
def test_the_open_data_page(world, client, lang, heading, licence):
    response = client.get(f"/{lang}/open-data/")
    html = response.content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert licence in html
    assert "creativecommons.org/publicdomain/zero/1.0/" in html
    assert 'href="http://testserver/api/v1/openapi.json"' in html
    assert 'href="http://testserver/api/v1/dcat.jsonld"' in html
    assert "curl http://testserver/api/v1/plans/" in html
    assert """'If-None-Match: "…"' http://testserver/api/v1/events/""" in html
    assert 'href="/api/v1/plans/2023/export.csv"' in html
    # Nothing loaded from elsewhere: stylesheets and scripts are the site's own.
    assert not re.search(r'<(?:script|link|img)[^>]+(?:src|href)="https?://', html)
