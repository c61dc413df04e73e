"""Search at /sv/search/?q=… across sections, goals, activities, events and
organisations, in both languages, with filters for year, programme and status."""

import re
from html import unescape

import pytest
from django.db import connection

from events.models import Event
from plan.models import Plan

from ..factories import (
    ActivityFactory,
    CountyFactory,
    EventFactory,
    GoalFactory,
    OrganisationFactory,
    ParticipatingCountyFactory,
    PlanFactory,
    ReportingPeriodFactory,
    SectionFactory,
    StatusFactory,
    StatusUpdateFactory,
)
from . import scale

pytestmark = pytest.mark.django_db


def hits(response, kind: str) -> list[str]:
    """The titles (as text) of the hits of one kind, in order."""
    html = response.content.decode()
    match = re.search(
        rf'<section class="search-group" aria-labelledby="group-{kind}">(.*?)</section>', html, re.S
    )
    if not match:
        return []
    titles = re.findall(r'<p class="search-hit__title">(.*?)</p>', match.group(1), re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", "", t)).split()) for t in titles]


def group_counts(response) -> dict[str, int]:
    html = response.content.decode()
    return {
        kind: int(count)
        for kind, count in re.findall(
            r'aria-labelledby="group-(\w+)">\s*<h3 id="group-\w+">[^<]*'
            r'<span class="count">\((\d+)\)',
            html,
        )
    }


@pytest.fixture
def data(db):
    plan = PlanFactory(year=2023, title_sv="Verksamhetsplan 2023", title_en="Operations plan 2023")
    ebs = SectionFactory(
        plan=plan,
        slug="infra",
        number="1.1",
        order=1,
        programme="ebs",
        heading_sv="Infrastruktur och transporter",
        heading_en="Infrastructure and transport",
        body_sv="Godstransporter på järnväg och sjöfart.",
        body_en="Freight on rail and by sea.",
    )
    freight = SectionFactory(
        plan=plan,
        parent=ebs,
        slug="godsstrategi",
        number="",
        order=2,
        heading_sv="Storregional godsstrategi",
        heading_en="Cross-regional freight strategy",
        body_sv="Godstransportrådet träffas två gånger per år.",
        body_en="The freight transport council meets twice a year.",
    )
    skills = SectionFactory(
        plan=plan,
        slug="kompetens",
        number="1.2",
        order=3,
        programme="ebm",
        heading_sv="Kompetensförsörjning",
        heading_en="Skills supply",
        body_sv="Lärare och järnvägsutbildningar i Örebro.",
        body_en="Teachers and railway education in Örebro.",
    )
    GoalFactory(
        section=ebs,
        text_sv="Att godstransporter flyttas till järnväg.",
        text_en="Freight moves to rail.",
    )
    council = ActivityFactory(
        section=freight,
        text_sv="Att samordna Godstransportrådet.",
        text_en="To coordinate the Freight Transport Council.",
    )
    ActivityFactory(
        section=skills,
        text_sv="Att stärka lärarförsörjningen i Örebro län.",
        text_en="To strengthen the supply of teachers in Örebro County.",
    )
    period = ReportingPeriodFactory(plan=plan)
    delayed = StatusFactory(
        slug="delayed-s", name_sv="Försenad", name_en="Delayed", colour="#b3261e"
    )
    StatusUpdateFactory(activity=council, period=period, status=delayed, progress=25)

    old = PlanFactory(year=2022, status=Plan.Status.ARCHIVED)
    ActivityFactory(
        section=SectionFactory(
            plan=old, slug="gammal", number="", heading_sv="Gods 2022", heading_en="Freight 2022"
        ),
        text_sv="Godstransportdag 2022.",
        text_en="Freight transport day 2022.",
    )
    draft = PlanFactory(year=2024, title_sv="Utkast 2024", status=Plan.Status.DRAFT)
    ActivityFactory(
        section=SectionFactory(
            plan=draft,
            slug="hemlig",
            number="",
            heading_sv="Hemligt gods",
            heading_en="Secret freight",
        ),
        text_sv="Hemlig godsaktivitet.",
        text_en="Secret freight activity.",
    )

    EventFactory(
        slug="godsdagen",
        title_sv="Godstransportdagen",
        title_en="The freight transport day",
        description_sv="Om godstransporter i regionen.",
        description_en="About freight in the region.",
    )
    EventFactory(
        slug="styrelsen",
        title_sv="Styrelsemöte om gods",
        title_en="Board meeting on freight",
        visibility=Event.Visibility.MEMBERS,
    )
    county = CountyFactory(code="18", name_sv="Örebro län", name_en="Örebro County")
    ParticipatingCountyFactory(county=county)
    OrganisationFactory(
        slug="orebro",
        name_sv="Region Örebro län",
        name_en="Region Örebro County",
        county=county,
        description_sv="Regionen som driver godsfrågor.",
        description_en="The region that drives freight issues.",
    )
    OrganisationFactory(slug="annan", name_sv="Annan kommun", name_en="Another municipality")
    return plan


def test_empty_query_gives_a_helpful_page(client, data):
    for path in ["/sv/search/", "/sv/search/?q=", "/sv/search/?q=%20%20", "/en/search/?year=abc"]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert 'id="search-help-heading"' in html, path
        assert 'class="search-results"' not in html


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_search_finds_every_kind_in_both_languages(client, data, lang):
    word = "gods" if lang == "sv" else "freight"

    response = client.get(f"/{lang}/search/", {"q": word})

    assert response.status_code == 200
    counts = group_counts(response)
    # Sections: 1.1 (body), its sub-section, 2022's; not the draft. Goals: one.
    # Activities: the council and 2022's. Events: the public one only. Organisations: one.
    assert counts == {"section": 3, "goal": 1, "activity": 2, "event": 1, "organisation": 1}
    sv = lang == "sv"
    sections = hits(response, "section")
    # Title hits come first (the best-ranked first), then the section with the word in
    # its text only.
    assert set(sections[:2]) == (
        {"Storregional godsstrategi", "Gods 2022"}
        if sv
        else {"Cross-regional freight strategy", "Freight 2022"}
    )
    assert sections[2] == (
        "1.1 Infrastruktur och transporter" if sv else "1.1 Infrastructure and transport"
    )
    assert hits(response, "event") == ["Godstransportdagen" if sv else "The freight transport day"]
    html = response.content.decode()
    assert "Hemlig" not in html and "Secret" not in html
    assert "Styrelsemöte" not in html and "Board meeting" not in html


def test_search_in_the_other_language_shows_this_language_with_the_match(client, data):
    response = client.get("/sv/search/", {"q": "teachers"})

    assert hits(response, "activity") == ["Att stärka lärarförsörjningen i Örebro län."]
    html = response.content.decode()
    # The English words that matched are shown too, marked as English.
    assert re.search(
        r'<p class="search-hit__excerpt" lang="en">.*?<mark>teachers</mark>', html, re.S
    )


def test_matches_are_highlighted_in_the_page_language(client, data):
    html = client.get("/en/search/", {"q": "freight council"}).content.decode()

    assert '<a href="/en/plan/2023/activity/' in html
    assert "To coordinate the <mark>Freight</mark> Transport <mark>Council</mark>." in html


def test_every_word_must_match(client, data):
    response = client.get("/en/search/", {"q": "freight Örebro"})

    assert group_counts(response) == {"organisation": 1}


def test_letters_outside_ascii_match_in_any_case(client, data):
    # SQLite's LIKE folds only ASCII; the search must still find Örebro from "örebro".
    response = client.get("/sv/search/", {"q": "örebro"})

    assert hits(response, "organisation") == ["Region Örebro län"]
    assert hits(response, "activity") == ["Att stärka lärarförsörjningen i Örebro län."]
    assert "<mark>Örebro</mark>" in response.content.decode()


def test_user_text_is_escaped_before_highlighting(client, data):
    ActivityFactory(
        section=data.sections.get(slug="infra"),
        text_sv="Gods <script>alert(1)</script> & <b>mark</b>",
        text_en="Freight <script>alert(1)</script> & <b>mark</b>",
    )

    for q in ["script", "mark", "<b>", "amp", "&"]:
        html = client.get("/sv/search/", {"q": q}).content.decode()
        main = html[html.index('<main id="main"') :]
        assert "<script" not in main, q
        assert "<b>" not in main, q
    html = client.get("/sv/search/", {"q": "script"}).content.decode()
    assert (
        "Gods &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; "
        "&amp; &lt;b&gt;mark&lt;/b&gt;" in html
    )
    # The query itself is shown escaped.
    html = client.get("/sv/search/", {"q": '"><script>x</script>'}).content.decode()
    assert "<script>x" not in html


def test_year_filter(client, data):
    response = client.get("/en/search/", {"q": "freight", "year": "2022"})

    assert hits(response, "section") == ["Freight 2022"]
    assert hits(response, "activity") == ["Freight transport day 2022."]
    # Events are filtered by the year they take place (the factory's events are in 2023).
    assert hits(response, "event") == []
    # Organisations have no year.
    assert hits(response, "organisation") == ["Region Örebro County"]


def test_programme_filter_includes_sub_sections(client, data):
    response = client.get("/en/search/", {"q": "freight", "programme": "ebs"})

    assert hits(response, "section") == [
        "Cross-regional freight strategy",
        "1.1 Infrastructure and transport",
    ]
    assert hits(response, "activity") == ["To coordinate the Freight Transport Council."]
    # Region Örebro is in a county that takes part in En Bättre Sits.
    assert hits(response, "organisation") == ["Region Örebro County"]

    response = client.get("/en/search/", {"q": "freight", "programme": "ebm"})
    assert group_counts(response) == {}


def test_status_filter_shows_activities_by_their_latest_status(client, data):
    response = client.get("/en/search/", {"status": "delayed-s"})

    assert hits(response, "activity") == ["To coordinate the Freight Transport Council."]
    assert list(group_counts(response)) == ["activity"]
    html = response.content.decode()
    # Status in words next to its colour.
    assert 'fill="#b3261e"' in html and "Delayed" in html and "25&nbsp;%" in html

    response = client.get("/en/search/", {"status": "none", "year": "2023"})
    assert hits(response, "activity") == ["To strengthen the supply of teachers in Örebro County."]


def test_drafts_are_searchable_for_the_board_only(client, member_user, board_user, data):
    client.force_login(member_user)
    assert "Secret" not in client.get("/en/search/", {"q": "secret"}).content.decode()
    assert "2024" not in re.search(
        r'<select id="search-year"(.*?)</select>',
        client.get("/en/search/").content.decode(),
        re.S,
    ).group(1)

    client.force_login(board_user)
    response = client.get("/en/search/", {"q": "secret"})
    assert hits(response, "activity") == ["Secret freight activity. draft"]
    assert hits(response, "section") == ["Secret freight draft"]


def test_members_see_members_only_events(client, member_user, data):
    client.force_login(member_user)

    response = client.get("/en/search/", {"q": "freight"})

    found = hits(response, "event")
    assert sorted(found) == ["Board meeting on freight Members only", "The freight transport day"]
    if connection.vendor == "postgresql":
        # Both have the word in the title; the freight transport day has it in its
        # description too, so it ranks first.
        assert found[0] == "The freight transport day"


def test_each_group_is_capped_with_a_link_to_all(client, data):
    section = data.sections.get(slug="infra")
    ActivityFactory.create_batch(
        45, section=section, text_sv="Mer om godsflöden.", text_en="More on freight flows."
    )

    response = client.get("/en/search/", {"q": "freight"})

    assert group_counts(response)["activity"] == 47
    assert len(hits(response, "activity")) == 5
    html = unescape(response.content.decode())
    assert '<a href="/en/search/?q=freight&kind=activity">Show all 47 activities</a>' in html

    page1 = client.get("/en/search/", {"q": "freight", "kind": "activity"})
    page3 = client.get("/en/search/", {"q": "freight", "kind": "activity", "page": "3"})
    assert len(hits(page1, "activity")) == 20 and len(hits(page3, "activity")) == 7
    assert hits(page1, "section") == []
    html = unescape(page3.content.decode())
    assert "Page 3 of 3" in html
    assert 'href="/en/search/?q=freight&kind=activity&page=2" rel="prev"' in html
    # A page past the end shows the last one.
    assert (
        len(
            hits(
                client.get("/en/search/", {"q": "freight", "kind": "activity", "page": "9"}),
                "activity",
            )
        )
        == 7
    )


def test_filters_are_kept_in_the_links(client, data):
    html = unescape(
        client.get(
            "/en/search/", {"q": "freight", "year": "2023", "programme": "ebs"}
        ).content.decode()
    )

    assert 'href="/en/search/?year=2023&programme=ebs&q=freight&kind=activity"' in html
    assert '<option value="2023" selected>' in html
    assert '<option value="ebs" selected>' in html
    assert 'href="/en/search/?q=freight">' in html  # clear filters


def test_nothing_found_says_so(client, data):
    response = client.get("/en/search/", {"q": "zebra"})

    assert response.status_code == 200
    assert "0 results for “zebra”" in unescape(response.content.decode())
    assert "Nothing matched" in response.content.decode()


def test_search_query_count_is_the_same_on_ten_times_the_2023_plan(
    client, member_user, django_assert_max_num_queries
):
    scale.load_2023()
    paths = [
        "/sv/search/?q=mälar",
        "/en/search/?q=region",
        "/sv/search/?q=gods&kind=activity&page=2",
        "/sv/search/?q=gods&year=2023&programme=ebs",
        "/sv/search/?status=on-track",
        "/sv/search/?status=none&year=2023",
    ]
    small = [scale.count_queries(client, path) for path in paths]
    client.force_login(member_user)
    small_member = [scale.count_queries(client, path) for path in paths]
    client.logout()

    scale.grow_tenfold(Plan.objects.get(year=2023))

    for path, before in zip(paths, small, strict=True):
        with django_assert_max_num_queries(12):
            assert scale.count_queries(client, path) == before, path
    client.force_login(member_user)
    assert [scale.count_queries(client, path) for path in paths] == small_member
