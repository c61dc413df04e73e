"""The En Bättre Sits and En Bättre Matchning pages: counties or regions (with a tile
map), bodies and roles, the plan's sections, and the programme's own registers."""

import re

import pytest

from members.county_map import TILE_POSITIONS, county_map
from plan.models import Plan

from ..events.pages import LANGUAGES, assert_page_basics, count_queries, html_of, text_of, url
from ..factories import (
    ActionPlanAreaFactory,
    BodyFactory,
    CountyFactory,
    FreightMeasureFactory,
    FreightStrategyFactory,
    OccupationalAreaFactory,
    OrganisationFactory,
    ParticipatingCountyFactory,
    ParticipatingRegionFactory,
    PersonFactory,
    PlanFactory,
    PrioritisedMeasureFactory,
    RailwayProgrammeFactory,
    RoleFactory,
    SectionFactory,
    SystemAnalysisFactory,
    TrainingFacilityFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def counties(db):
    return {
        "01": CountyFactory(code="01", name_sv="Stockholms län", name_en="Stockholm County"),
        "03": CountyFactory(code="03", name_sv="Uppsala län", name_en="Uppsala County"),
        "20": CountyFactory(code="20", name_sv="Dalarnas län", name_en="Dalarna County"),
    }


@pytest.fixture
def plan(db):
    plan = PlanFactory(year=2031)
    top = SectionFactory(
        plan=plan,
        slug="infra",
        number="1.1",
        programme="ebs",
        order=1,
        heading_sv="Infrastruktur",
        heading_en="Infrastructure",
    )
    SectionFactory(
        plan=plan,
        slug="systemanalys",
        number="",
        programme="ebs",
        parent=top,
        order=2,
        heading_sv="Systemanalys 2024",
        heading_en="System analysis 2024",
    )
    SectionFactory(
        plan=plan,
        slug="kompetens",
        number="1.2",
        programme="ebm",
        order=3,
        heading_sv="Kompetensförsörjning",
        heading_en="Skills supply",
    )
    # A newer draft is not "the current plan".
    draft = PlanFactory(year=2032, status=Plan.Status.DRAFT)
    SectionFactory(plan=draft, slug="utkast", programme="ebs", heading_en="Draft section")
    return plan


@pytest.fixture
def ebs(counties, plan):
    ParticipatingCountyFactory(county=counties["01"], order=1)
    ParticipatingCountyFactory(county=counties["03"], order=2)
    group = BodyFactory(
        slug="lilla-gruppen", programme="ebs", name_sv="Lilla gruppen", name_en="The small group"
    )
    BodyFactory(slug="referens", programme="ebs", parent=group, name_en="Reference group")
    BodyFactory(slug="ebm-grupp", programme="ebm", name_en="EBM steering group")
    person = PersonFactory(first_name="Anna", last_name="Andersson", email="anna@example.org")
    RoleFactory(person=person, body=group, position="chair", sector="politics")
    analysis = SystemAnalysisFactory(
        year=2020,
        title_sv="Systemanalys 2020",
        title_en="System analysis 2020",
        status="adopted",
    )
    PrioritisedMeasureFactory(
        system_analysis=analysis,
        name_sv="Ostlänken",
        name_en="East Link",
        mode="rail",
        national_plan="included",
    )
    strategy = FreightStrategyFactory(year=2020, title_en="Freight strategy 2020")
    FreightMeasureFactory(strategy=strategy, name_en="Freight council", status="ongoing")


@pytest.fixture
def ebm(counties, plan):
    ParticipatingRegionFactory(
        county=counties["20"],
        organisation=OrganisationFactory(
            slug="region-dalarna",
            name_sv="Region Dalarna",
            name_en="Region Dalarna (en)",
            kind="region",
        ),
    )
    BodyFactory(slug="ebm-grupp", programme="ebm", name_en="EBM steering group")
    OccupationalAreaFactory(name_sv="Lärare", name_en="Teachers", description_en="Shortage.")
    ActionPlanAreaFactory(text_sv="Stärkt rekrytering", text_en="Stronger recruitment")
    RailwayProgrammeFactory(
        name_en="Signalling technician",
        occupation_en="Signal technician",
        places=30,
        county=counties["01"],
    )
    TrainingFacilityFactory(name_en="Practice track", status="proposed", county=counties["03"])


# -- En Bättre Sits --------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ebs_page(client, ebs, lang):
    response = client.get(url("ebs:programme", lang))

    title = assert_page_basics(response, lang)
    assert title.startswith("En Bättre Sits")
    html = html_of(response)
    text = text_of(response)
    sv = lang == "sv"
    assert ("Stockholms län" if sv else "Stockholm County") in text
    assert ("Uppsala län" if sv else "Uppsala County") in text
    # Its bodies, nested, with public roles; not the other programme's.
    assert ("Lilla gruppen" if sv else "The small group") in text
    assert f'href="/{lang}/members/bodies/referens/"' in html
    assert "Anna Andersson" in text
    assert "EBM steering group" not in text
    # Its sections of the current (published) plan.
    assert f'href="/{lang}/plan/2031/infra/"' in html
    assert f'href="/{lang}/plan/2031/systemanalys/"' in html
    assert "/plan/2031/kompetens/" not in html and "Draft section" not in text
    # The registers.
    assert ("Systemanalys 2020" if sv else "System analysis 2020") in text
    assert ("Ostlänken" if sv else "East Link") in text
    assert "Freight council" in text or "Godsåtgärd" in text


def test_ebs_page_hides_contact_data_from_visitors(client, ebs, member_user):
    assert "anna@example.org" not in html_of(client.get(url("ebs:programme", "en")))
    client.force_login(member_user)
    assert "mailto:anna@example.org" in html_of(client.get(url("ebs:programme", "en")))


def test_county_map_is_an_accessible_svg_with_a_list_alternative(client, ebs):
    html = html_of(client.get(url("ebs:programme", "en")))

    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="county-map-title county-map-desc"' in svg
    title = re.search(r'<title id="county-map-title">(.*?)</title>', svg).group(1)
    desc = re.search(r'<desc id="county-map-desc">(.*?)</desc>', svg).group(1)
    assert "En Bättre Sits" in title
    assert "2 counties take part: Stockholm County, Uppsala County." == desc
    # No inline style or script: the picture works under the Content-Security-Policy
    # and in a PDF.
    assert "style=" not in svg and "<script" not in svg
    # The participating tiles are the dark ones, labelled with the county names.
    assert svg.count('rx="4" fill="#163a5f"') == 2
    white = re.findall(r'fill="#ffffff" font-weight="700">([^<]+)</text>', svg)
    # Long names take two lines; Uppsala lies north of Stockholm, so it comes first.
    assert white == ["Uppsala County", "Stockholm", "County"]
    # The same counties as a list.
    assert '<ul aria-labelledby="county-list-heading">' in html
    assert "?county=01" in html and "?county=03" in html


def test_county_map_places_every_county_once():
    positions = list(TILE_POSITIONS.values())
    assert len(TILE_POSITIONS) == 21
    assert len(set(positions)) == 21

    picture = county_map([], ["01", "09", "99"])
    assert {tile.code for tile in picture.participating} == {"01", "09"}
    assert all(tile.label_lines for tile in picture.tiles)
    right = max(tile.x + tile.width for tile in picture.tiles)
    bottom = max(tile.y + tile.height for tile in picture.tiles)
    assert right <= picture.width and bottom <= picture.height


# -- En Bättre Matchning ---------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ebm_page(client, ebm, lang):
    response = client.get(url("ebm:programme", lang))

    title = assert_page_basics(response, lang)
    assert title.startswith("En Bättre Matchning")
    html = html_of(response)
    text = text_of(response)
    sv = lang == "sv"
    assert ("Region Dalarna" if sv else "Region Dalarna (en)") in text
    assert f'href="/{lang}/members/organisations/region-dalarna/"' in html
    assert ("Dalarnas län" if sv else "Dalarna County") in text
    assert "EBM steering group" in text or "Grupp" in text
    assert f'href="/{lang}/plan/2031/kompetens/"' in html
    assert "/plan/2031/infra/" not in html
    assert ("Lärare" if sv else "Teachers") in text
    assert ("Stärkt rekrytering" if sv else "Stronger recruitment") in text
    if not sv:
        assert "Signalling technician" in text and "30" in text
        assert "Practice track" in text
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "Dalarna" in svg


def test_programme_pages_without_data(client, db):
    for name in ["ebs:programme", "ebm:programme"]:
        response = client.get(url(name, "en"))
        assert response.status_code == 200
        assert "<svg" not in html_of(response)


# -- queries ---------------------------------------------------------------------------


def build(n: int, counties):
    plan = PlanFactory()
    for programme in ["ebs", "ebm"]:
        parent = BodyFactory(programme=programme)
        for _ in range(n):
            SectionFactory(plan=plan, programme=programme)
            RoleFactory(body=BodyFactory(programme=programme, parent=parent))
            RoleFactory(body=parent)
    analysis = SystemAnalysisFactory()
    strategy = FreightStrategyFactory()
    for _ in range(n):
        county = CountyFactory()
        ParticipatingCountyFactory(county=county)
        ParticipatingRegionFactory(county=CountyFactory())
        PrioritisedMeasureFactory(system_analysis=analysis)
        FreightMeasureFactory(strategy=strategy)
        OccupationalAreaFactory()
        ActionPlanAreaFactory()
        RailwayProgrammeFactory()
        TrainingFacilityFactory()


@pytest.mark.parametrize("as_member", [False, True])
def test_queries_do_not_grow_with_the_data(client, counties, as_member):
    if as_member:
        client.force_login(UserFactory(username="m", groups=["member"]))
    counts = {}
    for size, n in [("small", 2), ("large", 20)]:
        build(n, counties)
        counts[size] = [
            count_queries(client, url("ebs:programme", "sv")),
            count_queries(client, url("ebm:programme", "en")),
        ]

    assert counts["small"] == counts["large"]
    # A logged-in reader adds the session, user and permission reads and the header's
    # work links (plan.navigation).
    login = 6 if as_member else 0
    # 14: the pages show the programme's progress figure (plan.followup.plan_progress).
    assert max(counts["large"]) <= 14 + login
