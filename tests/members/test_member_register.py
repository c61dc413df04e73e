"""The member register (issue 10, point 4): the reference list of municipalities and
regions with their official codes, memberships with kinds and periods, the member
directory's search, filters and years, the partners page, Mälardalsrådet's own
partnerships by period, and the secretariat's admin action."""

import datetime
import re
from collections import Counter

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEntry
from members import reference
from members.models import Membership, Organisation, Partnership
from members.services import memberships_start
from plan.models import Plan
from plan.seed import plan_seed_load

from ..events.pages import LANGUAGES, assert_page_basics, html_of, text_of, url
from ..factories import (
    CountyFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    PlanFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

# Municipalities per county (Region Gotland is Gotland's one municipality), from SCB.
MUNICIPALITIES = {
    "01": 26,
    "03": 8,
    "04": 9,
    "05": 13,
    "09": 1,
    "17": 16,
    "18": 12,
    "19": 10,
    "20": 15,
    "21": 10,
}


# -- the reference list ------------------------------------------------------------------


def test_the_reference_list_has_every_municipality_and_region_with_its_code():
    reference.load_reference_organisations()

    coded = Organisation.objects.exclude(code=None).select_related("county")
    municipalities = [o for o in coded if o.is_municipality]
    regions = [o for o in coded if o.kind == Organisation.Kind.REGION]
    assert Counter(o.county.code for o in municipalities) == MUNICIPALITIES
    assert len(municipalities) == 120
    # A municipality's code starts with its county's.
    assert all(o.code[:2] == o.county.code for o in coded)
    # One region per county; a region's code is its county's, except Region Gotland's,
    # which is its municipality's (0980).
    assert sorted(o.county.code for o in regions) == sorted(MUNICIPALITIES)
    assert {o.code for o in regions} == {*MUNICIPALITIES, "0980"} - {"09"}
    codes = dict(coded.values_list("code", "name_sv"))
    assert codes["0180"] == "Stockholms stad"
    assert codes["0181"] == "Södertälje kommun"
    assert codes["0380"] == "Uppsala kommun"
    assert codes["0480"] == "Nyköpings kommun"
    assert codes["0580"] == "Linköpings kommun"
    assert codes["0980"] == "Region Gotland"
    assert codes["1780"] == "Karlstads kommun"
    assert codes["1880"] == "Örebro kommun"
    assert codes["1980"] == "Västerås stad"
    assert codes["2080"] == "Falu kommun"
    assert codes["2180"] == "Gävle kommun"
    assert codes["2023"] == "Malung-Sälens kommun"
    assert codes["18"] == "Region Örebro län"
    gotland = Organisation.objects.get(code="0980")
    assert gotland.is_municipality and gotland.kind == Organisation.Kind.REGION
    # Every name in both languages.
    assert not coded.filter(name_en__in=["", None]).exists()


def test_loading_the_reference_list_again_changes_nothing_and_keeps_edits():
    # An organisation entered before codes existed is found by its short name.
    county = CountyFactory(code="01", name_sv="Stockholms län", name_en="Stockholm County")
    entered = OrganisationFactory(slug="region-stockholm", name_sv="Region Sthlm", county=county)
    reference.load_reference_organisations()
    entered.refresh_from_db()
    assert entered.code == "01" and entered.name_sv == "Region Sthlm"
    count = Organisation.objects.count()

    changes = []
    reference.load_reference_organisations(on_change=lambda what, model: changes.append(what))

    assert changes == [] and Organisation.objects.count() == count


def test_the_2023_load_seeds_the_public_memberships_and_nothing_more(client):
    plan_seed_load()
    Plan.objects.filter(year=2023).update(status=Plan.Status.ADOPTED)

    members = {
        m.organisation.code: m.kind
        for m in Membership.objects.members().select_related("organisation")
    }
    assert members == {
        "01": "member",
        "03": "member",
        "04": "member",
        "19": "member",
        "18": "member",
        "05": "associated",
        "0980": "associated",
        "21": "associated",
        "20": "associated",
        "17": "associated",
    }
    # No start date is invented.
    assert not Membership.objects.exclude(start_date=None).exists()
    # Not one municipality is marked (the secretariat marks them), nor Mälardalsrådet.
    assert not Membership.objects.filter(organisation__kind="municipality").exists()
    assert not Membership.objects.filter(organisation__slug="malardalsradet").exists()
    assert set(
        Membership.objects.filter(kind="other").values_list("organisation__slug", flat=True)
    ) == {"regeringen", "riksdagen", "eu-ministerradet"}

    # The directory lists the ten regions only, today and for 2023.
    for query in ({}, {"year": "2023"}):
        response = client.get(url("members:directory", "sv"), query)
        assert "10 medlemmar" in text_of(response)
        assert sorted(listed(response)) == [
            "region-dalarna",
            "region-gavleborg",
            "region-gotland",
            "region-orebro-lan",
            "region-ostergotland",
            "region-sormland",
            "region-stockholm",
            "region-uppsala",
            "region-varmland",
            "region-vastmanland",
        ]

    # The partners page has the arenas and Mälardalsrådet's partnerships.
    text = text_of(client.get(url("members:partners", "en"), {"year": "2023"}))
    for name in (
        "Government of Sweden",
        "The Swedish Parliament (Riksdag)",
        "Council of the European Union",
        "Swedish Transport Administration",
        "Reglab",
        "Stockholm Region Association for European Affairs (SEF)",
        "East Central Sweden (ÖMS)",
    ):
        assert name in text, name
    assert "Region Stockholm" not in text

    # Loading again adds nothing.
    again = plan_seed_load()
    assert not again.created, again.created


# -- the directory ---------------------------------------------------------------------


@pytest.fixture
def register(db):
    stockholm = CountyFactory(code="01", name_sv="Stockholms län", name_en="Stockholm County")
    orebro = CountyFactory(code="18", name_sv="Örebro län", name_en="Örebro County")
    orgs = {
        "orebro": OrganisationFactory(
            slug="orebro-kommun",
            code="1880",
            name_sv="Örebro kommun",
            name_en="Örebro Municipality",
            kind="municipality",
            county=orebro,
        ),
        "region-orebro": OrganisationFactory(
            slug="region-orebro-lan",
            code="18",
            name_sv="Region Örebro län",
            name_en="Region Örebro County",
            kind="region",
            county=orebro,
        ),
        "alvdalen": OrganisationFactory(
            slug="alvdalens-kommun",
            code="2039",
            name_sv="Älvdalens kommun",
            name_en="Älvdalen Municipality",
            kind="municipality",
            county=None,
        ),
        "stockholm": OrganisationFactory(
            slug="stockholms-stad",
            code="0180",
            name_sv="Stockholms stad",
            name_en="City of Stockholm",
            kind="municipality",
            county=stockholm,
        ),
        "former": OrganisationFactory(
            slug="nacka-kommun",
            code="0182",
            name_sv="Nacka kommun",
            name_en="Nacka Municipality",
            kind="municipality",
            county=stockholm,
        ),
        "reglab": OrganisationFactory(slug="reglab", name_sv="Reglab", name_en="Reglab"),
    }
    MembershipFactory(organisation=orgs["orebro"])
    MembershipFactory(organisation=orgs["region-orebro"], kind="associated")
    MembershipFactory(organisation=orgs["alvdalen"], start_date=datetime.date(2020, 1, 1))
    MembershipFactory(organisation=orgs["stockholm"], start_date=TODAY + datetime.timedelta(1))
    MembershipFactory(
        organisation=orgs["former"],
        start_date=datetime.date(2015, 1, 1),
        end_date=datetime.date(2022, 6, 30),
    )
    MembershipFactory(organisation=orgs["reglab"], kind="partner")
    PlanFactory(year=2022, status=Plan.Status.ARCHIVED)
    PlanFactory(year=2099, status=Plan.Status.DRAFT)
    return orgs


def listed(response) -> list[str]:
    """The slugs of the organisations the directory lists, in order."""
    html = html_of(response)
    if '<div class="county-groups">' not in html:
        return []
    html = html[html.index('<div class="county-groups">') :]
    return re.findall(r'href="/(?:sv|en)/members/organisations/([\w-]+)/"', html)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("Örebro", ["orebro-kommun", "region-orebro-lan"]),
        ("örebro", ["orebro-kommun", "region-orebro-lan"]),
        ("OREBRO", ["orebro-kommun", "region-orebro-lan"]),
        ("orebro kommun", ["orebro-kommun"]),
        ("  kommun ", ["orebro-kommun", "alvdalens-kommun"]),
        ("alvdalen", ["alvdalens-kommun"]),
        ("2039", ["alvdalens-kommun"]),
        ("Municipality", ["orebro-kommun", "alvdalens-kommun"]),
    ],
)
def test_search_by_name_ignores_case_and_accents(client, register, lang, q, found):
    response = client.get(url("members:directory", lang), {"q": q})
    assert response.status_code == 200
    assert listed(response) == found
    # The form shows what was typed.
    assert f'value="{q}"' in html_of(response) or f'value="{q.strip()}"' in html_of(response)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_search_without_result_says_so(client, register, lang):
    response = client.get(url("members:directory", lang), {"q": "Göteborg", "county": "18"})
    assert response.status_code == 200
    assert listed(response) == []
    text = text_of(response)
    if lang == "sv":
        assert "Ingen medlem matchar ”Göteborg” med de här filtren." in text
        assert "0 medlemmar i dag" in text
    else:
        assert "No member matches “Göteborg” with these filters." in text
        assert "0 members today" in text
    assert 'href="?"' in html_of(response)


def test_the_directory_lists_members_today_only(client, register):
    # Not the partner, not one who starts tomorrow, not one whose membership ended.
    assert listed(client.get(url("members:directory", "en"))) == [
        "orebro-kommun",
        "region-orebro-lan",
        "alvdalens-kommun",
    ]


def test_a_year_shows_who_was_a_member_that_year(client, register, board_user):
    response = client.get(url("members:directory", "en"), {"year": "2022"})
    assert listed(response) == [
        "nacka-kommun",
        "orebro-kommun",
        "region-orebro-lan",
        "alvdalens-kommun",
    ]
    assert "4 members in 2022" in text_of(response)
    assert '<option value="2022" selected>2022</option>' in html_of(response)
    # Only a plan year the reader may read: a draft's is refused to visitors.
    response = client.get(url("members:directory", "en"), {"year": "2099"})
    assert response.status_code == 400
    client.force_login(board_user)
    assert client.get(url("members:directory", "en"), {"year": "2099"}).status_code == 200


def test_filters_by_county_and_kind(client, register):
    response = client.get(url("members:directory", "sv"), {"county": "18", "kind": "associated"})
    assert listed(response) == ["region-orebro-lan"]
    response = client.get(url("members:directory", "sv"), {"kind": "member"})
    assert listed(response) == ["orebro-kommun", "alvdalens-kommun"]


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x" * 10_000},
        {"q": "a\u202eb"},
        {"county": "'; drop table"},
        {"kind": "partner"},
        {"year": "1999"},
        {"year": "-1"},
    ],
    ids=["long", "control character", "bad county", "not a member kind", "no plan", "negative"],
)
def test_a_bad_filter_is_a_400_with_the_form_and_its_error(client, register, params):
    response = client.get(url("members:directory", "en"), params)
    assert response.status_code == 400
    html = html_of(response)
    assert "The search could not be run." in html
    assert 'aria-invalid="true"' in html
    assert listed(response) == []


def test_a_nul_in_the_search_is_a_400(client, register):
    assert client.get(url("members:directory", "en") + "?q=%00").status_code == 400


def test_the_directory_runs_a_fixed_number_of_queries(
    client, register, django_assert_max_num_queries
):
    reference.load_reference_organisations()
    for organisation in Organisation.objects.filter(memberships=None)[:100]:
        MembershipFactory(organisation=organisation)
    assert Membership.objects.members().count() > 100
    with django_assert_max_num_queries(4):
        response = client.get(url("members:directory", "sv"), {"q": "kommun"})
    assert len(listed(response)) > 50
    with django_assert_max_num_queries(4):
        client.get(url("members:directory", "en"), {"year": "2022", "county": "01"})
    with django_assert_max_num_queries(4):
        client.get(url("members:partners", "en"), {"year": "2022"})


# -- the partners page and Mälardalsrådet's partnerships by period -----------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_partners_page_shows_what_held_in_the_year(client, register, lang):
    sef = OrganisationFactory(slug="sef", name_sv="SEF", name_en="SEF (en)")
    old = OrganisationFactory(slug="gammal", name_sv="Gammalt nätverk", name_en="Old network")
    PartnershipFactory(organisation=sef, kind="member", since=datetime.date(2010, 1, 1))
    PartnershipFactory(
        organisation=old,
        kind="collaboration",
        since=datetime.date(2019, 1, 1),
        until=datetime.date(2022, 12, 31),
        description_sv="Samarbetet slutade 2022.",
        description_en="The collaboration ended in 2022.",
    )

    response = client.get(url("members:partners", lang))
    assert_page_basics(response, lang)
    text = text_of(response)
    sv = lang == "sv"
    assert ("Medlem i" if sv else "Member of") in text
    assert ("SEF" if sv else "SEF (en)") in text
    assert "Reglab" in text  # a partner (Membership of kind partner)
    assert ("Gammalt nätverk" if sv else "Old network") not in text
    for member in ("Örebro", "Älvdalen"):
        assert member not in text

    text = text_of(client.get(url("members:partners", lang), {"year": "2022"}))
    assert ("Gammalt nätverk" if sv else "Old network") in text
    assert ("Samarbetet slutade 2022." if sv else "The collaboration ended in 2022.") in text
    assert ("till och med 31 december 2022" if sv else "until 31 December 2022") in text
    assert client.get(url("members:partners", lang), {"year": "x"}).status_code == 400


def test_a_partnership_cannot_overlap_itself_or_end_before_it_starts(db):
    from django.core.exceptions import ValidationError

    sef = OrganisationFactory(slug="sef")
    PartnershipFactory(organisation=sef, kind="member", until=datetime.date(2020, 12, 31))
    again = Partnership(organisation=sef, kind="member", since=datetime.date(2020, 6, 1))
    with pytest.raises(ValidationError):
        again.full_clean()
    again.since = datetime.date(2021, 1, 1)
    again.full_clean()  # after the first ended: a new period
    again.until = datetime.date(2020, 1, 1)
    with pytest.raises(ValidationError):
        again.full_clean()


# -- the secretariat's writes ------------------------------------------------------------


def changelist(lang="sv"):
    with translation.override(lang):
        return reverse("admin:members_organisation_changelist")


def test_mark_as_member_from_a_date_goes_through_the_service_and_is_audited(
    client, register, secretariat_user
):
    client.force_login(secretariat_user)
    nacka, region = register["former"], register["region-orebro"]
    start = datetime.date(2026, 1, 1)
    # The first post asks for the kind and the date.
    response = client.post(
        changelist(),
        {"action": "mark_member_from_date", "_selected_action": [nacka.pk, region.pk]},
    )
    assert response.status_code == 200
    assert "Markera som medlem från ett datum" in html_of(response)

    response = client.post(
        changelist(),
        {
            "action": "mark_member_from_date",
            "_selected_action": [nacka.pk, region.pk],
            "apply": "yes",
            "kind": "member",
            "start_date": start.isoformat(),
            "note_sv": "Beslut i styrelsen § 12.",
            "note_en": "Board decision § 12.",
        },
        follow=True,
    )
    assert "2 organisationer markerade." in html_of(response)
    new = Membership.objects.get(organisation=nacka, start_date=start)
    assert (new.kind, new.end_date, new.note_sv) == ("member", None, "Beslut i styrelsen § 12.")
    # The associated membership ends the day before; the history keeps it.
    ended = Membership.objects.get(organisation=region, kind="associated")
    assert ended.end_date == datetime.date(2025, 12, 31)
    assert Membership.objects.filter(organisation=region).count() == 2
    membership_type = ContentType.objects.get_for_model(Membership)
    entries = AuditEntry.objects.filter(content_type=membership_type, user=secretariat_user)
    assert entries.filter(action="create").count() == 2
    assert entries.filter(action="update", object_id=str(ended.pk)).exists()


def test_mark_as_member_is_all_or_nothing(client, register, secretariat_user):
    client.force_login(secretariat_user)
    stockholm, reglab = register["stockholm"], register["reglab"]
    before = Membership.objects.count()
    response = client.post(
        changelist("en"),
        {
            "action": "mark_member_from_date",
            "_selected_action": [reglab.pk, stockholm.pk],
            "apply": "yes",
            "kind": "member",
            "start_date": TODAY.isoformat(),
        },
        follow=True,
    )
    html = html_of(response)
    # Stockholm's membership starts tomorrow: refused, and Reglab is not changed either.
    assert "Stockholm" in html and "Nothing was changed." in html
    assert Membership.objects.count() == before
    assert not Membership.objects.filter(organisation=reglab, kind="member").exists()

    with pytest.raises(Exception) as error:
        memberships_start(
            organisations=[reglab, stockholm], kind="member", start_date=TODAY, by=None
        )
    assert "Stockholm" in str(error.value)
    assert Membership.objects.count() == before


def test_the_inline_ends_one_membership_and_starts_the_next_in_one_save(
    client, register, secretariat_user
):
    client.force_login(secretariat_user)
    region = register["region-orebro"]
    held = region.memberships.get()
    with translation.override("sv"):
        change = reverse("admin:members_organisation_change", args=[region.pk])
    page = client.get(change)
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields if form.initial.get(name)}
    data.update(
        {
            "name_sv": region.name_sv,
            "name_en": region.name_en,
            "slug": region.slug,
            "code": region.code,
            "kind": region.kind,
            "county": region.county_id,
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": held.pk,
            "memberships-0-organisation": region.pk,
            "memberships-0-kind": "associated",
            "memberships-0-end_date": "2025-12-31",
            "memberships-1-organisation": region.pk,
            "memberships-1-kind": "member",
            "memberships-1-start_date": "2026-01-01",
        }
    )
    response = client.post(change, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert list(region.memberships.order_by("pk").values_list("kind", "end_date")) == [
        ("associated", datetime.date(2025, 12, 31)),
        ("member", None),
    ]

    # Two rows that overlap are refused with a message, and nothing is saved.
    data.update(
        {
            "memberships-TOTAL_FORMS": "3",
            "memberships-INITIAL_FORMS": "2",
            "memberships-1-id": region.memberships.get(kind="member").pk,
            "memberships-2-organisation": region.pk,
            "memberships-2-kind": "partner",
            "memberships-2-start_date": "2027-01-01",
        }
    )
    response = client.post(change, data)
    assert response.status_code == 200
    assert "Två medlemskap överlappar." in html_of(response)
    assert region.memberships.count() == 2


def test_the_admin_finds_organisations_by_code_and_membership_today(
    client, register, secretariat_user, django_assert_max_num_queries
):
    client.force_login(secretariat_user)
    response = client.get(changelist(), {"q": "1880"})
    assert [o.slug for o in response.context["cl"].result_list] == ["orebro-kommun"]
    response = client.get(changelist(), {"member_now": "associated"})
    assert [o.slug for o in response.context["cl"].result_list] == ["region-orebro-lan"]
    response = client.get(changelist(), {"member_now": "none"})
    assert {o.slug for o in response.context["cl"].result_list} == {
        "stockholms-stad",
        "nacka-kommun",
    }
    reference.load_reference_organisations()
    with django_assert_max_num_queries(14):
        response = client.get(changelist())
    assert "Associerad medlem" in html_of(response)


def test_the_api_gives_an_organisations_code_and_memberships(client, register):
    response = client.get("/api/v1/organisations/region-orebro-lan/")
    assert response.status_code == 200
    data = response.json()
    assert data["code"] == "18"
    assert data["memberships"] == [
        {
            "kind": "associated",
            "kind_label_sv": "Associerad medlem",
            "kind_label_en": "Associated member",
            "start_date": None,
            "end_date": None,
            "note_sv": "Medlem enligt styrelsens beslut.",
            "note_en": "A member by the board's decision.",
        }
    ]
