"""The member directory: members by county and kind, a page per organisation, the
bodies with their public roles — and personal contact data only for those allowed.
(Search, years, the partners page and the reference list: test_member_register.py.)"""

import datetime
import html
import re

import pytest
from django.utils import timezone

from events.models import Event
from members.models import Organisation
from plan.models import Plan

from ..events.pages import (
    LANGUAGES,
    assert_page_basics,
    count_queries,
    html_of,
    text_of,
    url,
)
from ..factories import (
    ActivityFactory,
    BodyFactory,
    CountyFactory,
    EventFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    PlanFactory,
    RoleFactory,
    SectionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(db):
    stockholm = CountyFactory(code="01", name_sv="Stockholms län", name_en="Stockholm County")
    uppsala = CountyFactory(code="03", name_sv="Uppsala län", name_en="Uppsala County")
    orgs = {
        "sodertalje": OrganisationFactory(
            slug="sodertalje",
            name_sv="Södertälje kommun",
            name_en="Södertälje Municipality",
            kind=Organisation.Kind.MUNICIPALITY,
            county=stockholm,
        ),
        "region-stockholm": OrganisationFactory(
            slug="region-stockholm",
            name_sv="Region Stockholm",
            name_en="Region Stockholm (en)",
            kind=Organisation.Kind.REGION,
            county=stockholm,
        ),
        "region-uppsala": OrganisationFactory(
            slug="region-uppsala",
            name_sv="Region Uppsala",
            name_en="Region Uppsala (en)",
            kind=Organisation.Kind.REGION,
            county=uppsala,
        ),
        "trafikverket": OrganisationFactory(
            slug="trafikverket",
            name_sv="Trafikverket",
            name_en="Swedish Transport Administration",
            kind=Organisation.Kind.AGENCY,
            county=None,
        ),
    }
    MembershipFactory(organisation=orgs["sodertalje"], start_date=datetime.date(2004, 1, 1))
    MembershipFactory(organisation=orgs["region-stockholm"])
    MembershipFactory(organisation=orgs["region-uppsala"], kind="associated")
    # A partner is not a member: not in the directory.
    MembershipFactory(organisation=orgs["trafikverket"], kind="partner")
    return orgs


@pytest.fixture
def people(directory):
    """A board with a sub-group; public, private and ended roles."""
    board = BodyFactory(slug="styrelsen", name_sv="Styrelsen", name_en="The Board", order=1)
    group = BodyFactory(
        slug="beredning",
        name_sv="Beredningsgruppen",
        name_en="The preparation group",
        parent=board,
    )
    org = directory["region-stockholm"]
    anna = PersonFactory(
        first_name="Anna",
        last_name="Andersson",
        organisation=org,
        email="anna@example.org",
        phone="08-123 45 67",
    )
    bo = PersonFactory(first_name="Bo", last_name="Berg", organisation=org, email="bo@example.org")
    hidden = PersonFactory(
        first_name="Hemlig", last_name="Person", organisation=org, email="hemlig@example.org"
    )
    former = PersonFactory(first_name="Före", last_name="Detta", organisation=org)
    RoleFactory(person=bo, body=board, position="member", sector="politics")
    RoleFactory(person=anna, body=board, position="chair", sector="politics")
    RoleFactory(person=anna, body=group, position="coordinator")
    RoleFactory(person=hidden, body=board, position="member", is_public=False)
    RoleFactory(
        person=former,
        body=board,
        position="member",
        end_date=timezone.localdate() - datetime.timedelta(days=1),
    )
    return {"board": board, "group": group}


# -- organisations ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_directory_lists_members_by_county_then_kind(client, directory, lang):
    response = client.get(url("members:directory", lang))

    assert_page_basics(response, lang)
    html = html_of(response)
    # What follows the filter form (whose options name the counties too).
    text = re.sub(r"<[^>]+>", " ", html[html.index('<div class="county-groups">') :])
    sv = lang == "sv"
    stockholm = "Stockholms län" if sv else "Stockholm County"
    uppsala = "Uppsala län" if sv else "Uppsala County"
    names = (
        ["Södertälje kommun", "Region Stockholm", "Region Uppsala"]
        if sv
        else ["Södertälje Municipality", "Region Stockholm (en)", "Region Uppsala (en)"]
    )
    # County order (by code), kind order inside a county (municipality before region).
    order = [stockholm, names[0], names[1], uppsala, names[2]]
    positions = [text.index(item) for item in order]
    assert positions == sorted(positions)
    assert f'href="/{lang}/members/organisations/sodertalje/"' in html
    # An associated member says so; the partner is not listed at all.
    assert ("Associerad medlem" if sv else "Associated member") in text
    assert "Trafikverket" not in text and "Transport Administration" not in text
    assert ("3 medlemmar i dag" if sv else "3 members today") in text_of(response)


def test_directory_filters_by_county_and_kind(client, directory):
    response = client.get(url("members:directory", "en"), {"county": "01"})
    html = html_of(response)
    assert "/members/organisations/region-stockholm/" in html
    assert "/members/organisations/region-uppsala/" not in html
    assert '<option value="01" selected>' in html

    html = html_of(client.get(url("members:directory", "en"), {"kind": "associated"}))
    assert "/members/organisations/region-uppsala/" in html
    assert "/members/organisations/region-stockholm/" not in html
    assert "/members/organisations/sodertalje/" not in html

    html = html_of(
        client.get(url("members:directory", "en"), {"county": "01", "kind": "associated"})
    )
    assert "No member matches these filters." in html

    # A kind that is not a member's, or an unknown county: the form again, with its error.
    for params in ({"county": "99"}, {"kind": "partner"}):
        response = client.get(url("members:directory", "en"), params)
        assert response.status_code == 400
        assert 'role="alert"' in html_of(response)
        assert "/members/organisations/" not in html_of(response)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_organisation_page(client, directory, people, lang):
    plan = PlanFactory(year=2031)
    draft = PlanFactory(year=2032, status=Plan.Status.DRAFT)
    org = directory["region-stockholm"]
    activity = ActivityFactory(
        section=SectionFactory(plan=plan), text_sv="Att samverka.", text_en="To cooperate."
    )
    activity.organisations.add(org)
    ActivityFactory(section=SectionFactory(plan=draft), text_en="Draft work.").organisations.add(
        org
    )
    EventFactory(slug="mote", title_sv="Öppet möte", title_en="Open meeting").hosts.add(org)
    EventFactory(
        slug="internt", title_en="Internal", visibility=Event.Visibility.MEMBERS
    ).hosts.add(org)

    response = client.get(url("members:organisation_detail", lang, slug="region-stockholm"))

    title = assert_page_basics(response, lang)
    sv = lang == "sv"
    assert title.startswith("Region Stockholm")
    text = text_of(response)
    html = html_of(response)
    assert ("Stockholms län" if sv else "Stockholm County") in text
    assert ("Att samverka." if sv else "To cooperate.") in text
    assert f"/{lang}/plan/2031/activity/{activity.pk}/" in html
    assert "Draft work." not in text and "/plan/2032/" not in html
    assert ("Öppet möte" if sv else "Open meeting") in text
    assert "Internal" not in text
    # Its people's public, current roles: names and positions, and the body.
    assert "Anna Andersson" in text and "Bo Berg" in text
    assert f"/{lang}/members/bodies/styrelsen/" in html
    assert "Hemlig" not in text and "Före Detta" not in text


@pytest.mark.parametrize("lang", LANGUAGES)
def test_organisation_page_shows_membership_history(client, directory, lang):
    org = directory["sodertalje"]
    org.memberships.update(end_date=datetime.date(2009, 12, 31))
    MembershipFactory(
        organisation=org,
        kind="associated",
        start_date=datetime.date(2010, 1, 1),
        note_sv="Associerad efter beslut.",
        note_en="Associated after a decision.",
    )

    response = client.get(url("members:organisation_detail", lang, slug="sodertalje"))

    text = text_of(response)
    sv = lang == "sv"
    rows = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", " ", row)).split())
        for row in re.findall(r"<tr>(.*?)</tr>", html_of(response), re.S)
    ]
    if sv:
        assert "Medlemskap i dag Associerad medlem" in text
        assert rows[1:] == [
            "Medlem 1 januari 2004 31 december 2009 Medlem enligt styrelsens beslut.",
            "Associerad medlem 1 januari 2010 Gäller fortfarande Associerad efter beslut.",
        ]
    else:
        assert "Membership today Associated member" in text
        assert rows[1:] == [
            "Member 1 January 2004 31 December 2009 A member by the board's decision.",
            "Associated member 1 January 2010 Still holds Associated after a decision.",
        ]

    # One without a membership says so.
    text = text_of(client.get(url("members:organisation_detail", "en", slug="trafikverket")))
    assert "Membership today Partner" in text
    OrganisationFactory(slug="utan", name_en="Without")
    text = text_of(client.get(url("members:organisation_detail", "en", slug="utan")))
    assert "Membership today Not a member" in text
    assert "No membership is recorded for this organisation." in text


def test_unknown_organisation_is_404(client, db):
    assert client.get(url("members:organisation_detail", "en", slug="x")).status_code == 404


# -- contact data ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["members:organisation_detail", "members:body_list", "members:body_detail"]
)
def test_contact_data_never_reaches_visitors_or_users_without_permission(client, people, name):
    kwargs = {
        "members:organisation_detail": {"slug": "region-stockholm"},
        "members:body_list": {},
        "members:body_detail": {"slug": "styrelsen"},
    }[name]
    for user in [None, UserFactory(username="plain")]:
        if user is not None:
            client.force_login(user)
        html = html_of(client.get(url(name, "en", **kwargs)))
        assert "Anna Andersson" in html
        assert "anna@example.org" not in html and "bo@example.org" not in html
        assert "123 45 67" not in html and "mailto:" not in html
        assert "hemlig@example.org" not in html


@pytest.mark.parametrize(
    "name", ["members:organisation_detail", "members:body_list", "members:body_detail"]
)
def test_members_see_contact_data_of_public_roles(client, people, member_user, name):
    kwargs = {
        "members:organisation_detail": {"slug": "region-stockholm"},
        "members:body_list": {},
        "members:body_detail": {"slug": "styrelsen"},
    }[name]
    client.force_login(member_user)

    html = html_of(client.get(url(name, "en", **kwargs)))

    assert 'href="mailto:anna@example.org"' in html
    assert "08-123 45 67" in html
    # A role that is not public stays out of the directory for everyone.
    assert "Hemlig" not in html and "hemlig@example.org" not in html


# -- bodies ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_bodies_are_nested_with_their_public_roles(client, people, lang):
    response = client.get(url("members:body_list", lang))

    assert_page_basics(response, lang)
    html = html_of(response)
    sv = lang == "sv"
    board = "Styrelsen" if sv else "The Board"
    group = "Beredningsgruppen" if sv else "The preparation group"
    # The sub-group's list sits inside the board's list item.
    board_at = html.index(f">{board}</a>")
    nested_at = html.index('<ul class="body-tree">', board_at)
    assert nested_at < html.index(f">{group}</a>")
    text = text_of(response)
    # The chair comes before the members, whatever the names.
    assert text.index("Anna Andersson") < text.index("Bo Berg")
    assert "Hemlig" not in text and "Före Detta" not in text


def test_body_page(client, people):
    EventFactory(
        slug="kommande",
        title_en="Next board meeting",
        body=people["board"],
        start_date=timezone.localdate() + datetime.timedelta(days=5),
        end_date=None,
    )
    EventFactory(
        slug="intern",
        title_en="Closed board meeting",
        body=people["board"],
        start_date=timezone.localdate() + datetime.timedelta(days=6),
        end_date=None,
        visibility=Event.Visibility.MEMBERS,
    )

    response = client.get(url("members:body_detail", "en", slug="styrelsen"))

    assert_page_basics(response, "en")
    text = text_of(response)
    html = html_of(response)
    assert "The preparation group" in text  # its sub-body
    assert "Next board meeting" in text and "Closed board meeting" not in text
    assert 'href="/en/events/body/styrelsen/feed.ics"' in html
    assert client.get(url("members:body_detail", "en", slug="nobody")).status_code == 404


# -- queries ---------------------------------------------------------------------------


def build(n: int):
    county = CountyFactory()
    orgs = OrganisationFactory.create_batch(n, county=county)
    for i, org in enumerate(orgs):
        MembershipFactory(organisation=org, kind="associated" if i % 2 else "member")
        MembershipFactory(
            organisation=org,
            kind="partner",
            start_date=datetime.date(2001, 1, 1),
            end_date=datetime.date(2001, 12, 31),
        )
    parent = BodyFactory()
    bodies = [BodyFactory(parent=parent) for _ in range(n)]
    plan = PlanFactory()
    for i in range(n):
        person = PersonFactory(organisation=orgs[0])
        RoleFactory(person=person, body=bodies[i])
        RoleFactory(person=person, body=parent)
        ActivityFactory(section=SectionFactory(plan=plan)).organisations.add(orgs[0])
        EventFactory(body=parent).hosts.add(orgs[0])
        EventFactory(body=parent, start_date=None, end_date=None)
    return orgs[0], parent


@pytest.mark.parametrize("as_member", [False, True])
def test_queries_do_not_grow_with_the_data(client, member_user, as_member):
    if as_member:
        client.force_login(member_user)
    counts = {}
    for size, n in [("small", 2), ("large", 20)]:
        org, body = build(n)
        counts[size] = [
            count_queries(client, url("members:directory", "sv")),
            count_queries(client, url("members:directory", "en") + "?kind=associated&q=org"),
            count_queries(client, url("members:partners", "sv")),
            count_queries(client, url("members:organisation_detail", "sv", slug=org.slug)),
            count_queries(client, url("members:body_list", "en")),
            count_queries(client, url("members:body_detail", "sv", slug=body.slug)),
        ]

    assert counts["small"] == counts["large"]
    login = 4 if as_member else 0
    assert max(counts["large"]) <= 7 + login
