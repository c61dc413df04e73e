"""The public plan pages: home, whole plan, section and activity, in both languages."""

import datetime
import re
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from events.models import Event
from plan.models import Activity, Plan

from ..factories import (
    ActivityFactory,
    DirectionGoalFactory,
    EventFactory,
    GoalFactory,
    OrganisationFactory,
    PersonFactory,
    PlanFactory,
    PriorityAreaFactory,
    PriorityAreaItemFactory,
    SectionFactory,
    StatusUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["sv", "en"]
OTHER = {"sv": "en", "en": "sv"}
XSS = "<script>alert(1)</script>"


def url(name, lang, **kwargs):
    with translation.override(lang):
        return reverse(f"plan:{name}", kwargs=kwargs)


def text_of(response) -> str:
    """The page's text with tags dropped and entities decoded, for order checks."""
    html = response.content.decode()
    main = html[html.index('<main id="main"') :]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


def title_of(response) -> str:
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    return unescape(match.group(1)).strip()


@pytest.fixture
def plan(db):
    """A small adopted plan with a three-level section tree:

    1 Fokusområden
      1.1 Infrastruktur            (2 goals, 2 activities, closing text)
        Systemanalys 2024          (unnumbered, 1 activity)
      1.2 Kompetens                (1 goal)
    2 Mötesplatser                 (1 activity)
    """
    plan = PlanFactory(
        year=2023,
        title_sv="Verksamhetsplan 2023",
        title_en="Operations plan 2023",
        introduction_heading_sv="Inledning",
        introduction_heading_en="Introduction",
        introduction_sv="Regionen växer.\n\nVi samlar politik.",
        introduction_en="The region grows.\n\nWe bring politics together.",
        priorities_intro_sv="De prioriterade områdena för 2023 är följande:",
        priorities_intro_en="The prioritised areas for 2023 are:",
        adopted_on=datetime.date(2022, 12, 8),
        adopted_by_sv="styrelsen",
        adopted_by_en="the board",
    )
    DirectionGoalFactory(
        plan=plan,
        order=1,
        name_sv="En sammanhållen region",
        name_en="A cohesive region",
        description_sv="Med en sammanhållen region avses en gemensam region.",
        description_en="A cohesive region means a shared region.",
    )
    DirectionGoalFactory(
        plan=plan,
        order=2,
        name_sv="En stark kunskapsregion",
        name_en="A strong knowledge region",
    )
    area = PriorityAreaFactory(
        plan=plan,
        order=1,
        title_sv="Infrastruktur och transporter",
        title_en="Infrastructure and transport",
    )
    PriorityAreaItemFactory(
        area=area, order=1, text_sv="Uppstart av processen.", text_en="Starting the process."
    )
    s1 = SectionFactory(
        plan=plan,
        slug="fokus",
        number="1",
        order=1,
        heading_sv="Fokusområden",
        heading_en="Focus areas",
        body_sv="",
        body_en="",
    )
    s11 = SectionFactory(
        plan=plan,
        parent=s1,
        slug="infra",
        number="1.1",
        order=2,
        heading_sv="Infrastruktur",
        heading_en="Infrastructure",
        body_sv="Inledande text.\n\n- punkt ett\n- punkt två",
        body_en="Opening text.\n\n- point one\n- point two",
        closing_sv="Avslutande text.",
        closing_en="Closing text.",
    )
    GoalFactory(section=s11, order=1, text_sv="Mål A.", text_en="Goal A.")
    GoalFactory(section=s11, order=2, text_sv="Mål B.", text_en="Goal B.")
    ActivityFactory(section=s11, order=1, text_sv="Aktivitet A.", text_en="Activity A.")
    ActivityFactory(section=s11, order=2, text_sv="Aktivitet B.", text_en="Activity B.")
    s111 = SectionFactory(
        plan=plan,
        parent=s11,
        slug="systemanalys",
        number="",
        order=3,
        heading_sv="Systemanalys 2024",
        heading_en="System analysis 2024",
    )
    ActivityFactory(section=s111, order=1, text_sv="Aktivitet C.", text_en="Activity C.")
    s12 = SectionFactory(
        plan=plan,
        parent=s1,
        slug="kompetens",
        number="1.2",
        order=4,
        heading_sv="Kompetens",
        heading_en="Skills",
    )
    GoalFactory(section=s12, order=1, text_sv="Mål D.", text_en="Goal D.")
    s2 = SectionFactory(
        plan=plan,
        slug="motesplatser",
        number="2",
        order=5,
        heading_sv="Mötesplatser",
        heading_en="Meeting places",
    )
    ActivityFactory(section=s2, order=1, text_sv="Aktivitet E.", text_en="Activity E.")
    return plan


def activity(plan, text_sv):
    return plan.sections.get(activities__text_sv=text_sv).activities.get(text_sv=text_sv)


# -- languages, titles, layout ---------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_home_shows_the_current_plan_in_the_page_language(client, plan, lang):
    PlanFactory(year=2022, title_sv="Verksamhetsplan 2022", status=Plan.Status.ARCHIVED)
    PlanFactory(year=2024, title_sv="Utkast 2024", status=Plan.Status.DRAFT)

    response = client.get(f"/{lang}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    sv = lang == "sv"
    assert title_of(response) == (
        "Aktuell plan: Verksamhetsplan 2023 – Mälardalsportalen"
        if sv
        else "Current plan: Operations plan 2023 – Mälardalsportalen"
    )
    page = text_of(response)
    for sv_text, en_text in [
        ("Regionen växer.", "The region grows."),
        ("En sammanhållen region", "A cohesive region"),
        ("Infrastruktur och transporter", "Infrastructure and transport"),
        ("Uppstart av processen.", "Starting the process."),
        ("Fokusområden", "Focus areas"),
        ("Systemanalys 2024", "System analysis 2024"),
    ]:
        assert (sv_text if sv else en_text) in page
        assert (en_text if sv else sv_text) not in page
    # The table of contents links to every section page; the draft is nowhere.
    for slug in ["fokus", "infra", "systemanalys", "kompetens", "motesplatser"]:
        assert f'href="/{lang}/plan/2023/{slug}/"' in html
    assert f'href="/{lang}/plan/2022/"' in html
    assert "/plan/2024/" not in html and "Utkast 2024" not in html


def test_home_without_a_published_plan_is_friendly(client):
    PlanFactory(year=2024, title_sv="Hemligt utkast", status=Plan.Status.DRAFT)

    response = client.get("/sv/")

    assert response.status_code == 200
    assert "Ingen verksamhetsplan har publicerats ännu" in text_of(response)
    assert "Hemligt utkast" not in response.content.decode()


def test_home_shows_the_newest_published_plan(client, plan):
    PlanFactory(year=2024, title_sv="Verksamhetsplan 2024", status=Plan.Status.ADOPTED)

    response = client.get("/sv/")

    assert "<h1>Verksamhetsplan 2024</h1>" in response.content.decode()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_page_has_lang_title_and_language_switch(client, plan, lang):
    a = activity(plan, "Aktivitet A.")
    pages = {
        url("home", lang): None,
        url("plan_detail", lang, year=2023): {
            "sv": "Verksamhetsplan 2023 – Mälardalsportalen",
            "en": "Operations plan 2023 – Mälardalsportalen",
        },
        url("section_detail", lang, year=2023, slug="infra"): {
            "sv": "1.1 Infrastruktur – Verksamhetsplan 2023 – Mälardalsportalen",
            "en": "1.1 Infrastructure – Operations plan 2023 – Mälardalsportalen",
        },
        url("activity_detail", lang, year=2023, pk=a.pk): {
            "sv": "Aktivitet: Aktivitet A. – Verksamhetsplan 2023 – Mälardalsportalen",
            "en": "Activity: Activity A. – Operations plan 2023 – Mälardalsportalen",
        },
    }
    titles = set()
    for path, expected_title in pages.items():
        assert path.startswith(f"/{lang}/")
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert f'<html lang="{lang}">' in html
        assert '<a class="skip-link" href="#main">' in html
        assert '<main id="main"' in html
        assert "Mälardalsportalen</a>" in html
        if expected_title:
            assert title_of(response) == expected_title[lang]
        titles.add(title_of(response))

        # The switch is a link to the same page in the other language: no form, no
        # CSRF token, no cookie.
        other = OTHER[lang]
        links = re.findall(r'<a class="language-switch" href="([^"]+)" hreflang="(\w+)"', html)
        assert links == [(f"/{other}/" + path[len(f"/{lang}/") :], other)], path
        assert "csrfmiddlewaretoken" not in html
        assert not response.cookies, path
    assert len(titles) == len(pages), "every page has its own title"


def test_language_switch_leads_to_the_same_page_in_the_other_language(client, plan):
    path = url("section_detail", "sv", year=2023, slug="infra")
    response = client.get(path)
    link = re.search(r'<a class="language-switch" href="([^"]+)"', response.content.decode())

    assert link.group(1) == "/en/plan/2023/infra/"
    assert "1.1 Infrastructure" in text_of(client.get(link.group(1)))


def test_language_switch_keeps_the_query_string(client, plan):
    response = client.get("/en/plan/2023/?print=1")

    assert 'class="language-switch" href="/sv/plan/2023/?print=1"' in response.content.decode()


# -- the whole plan --------------------------------------------------------------------


def test_whole_plan_lists_everything_in_document_order(client, plan):
    response = client.get(url("plan_detail", "sv", year=2023))

    assert response.status_code == 200
    page = text_of(response)
    # Skip the table of contents: the document starts at the introduction.
    document = page[page.index("Inledning Regionen växer.") :]
    expected = [
        "Inledning",
        "Regionen växer.",
        "Vi samlar politik.",
        "En sammanhållen region",
        "Med en sammanhållen region avses en gemensam region.",
        "En stark kunskapsregion",
        "De prioriterade områdena för 2023 är följande:",
        "Infrastruktur och transporter",
        "Uppstart av processen.",
        "1 Fokusområden",
        "1.1 Infrastruktur",
        "Inledande text.",
        "punkt ett",
        "punkt två",
        "Övergripande mål",
        "Mål A.",
        "Mål B.",
        "Aktiviteterna innefattar",
        "Aktivitet A.",
        "Aktivitet B.",
        "Avslutande text.",
        "Systemanalys 2024",
        "Aktivitet C.",
        "1.2 Kompetens",
        "Mål D.",
        "2 Mötesplatser",
        "Aktivitet E.",
    ]
    positions = [document.find(text) for text in expected]
    assert -1 not in positions, [t for t, p in zip(expected, positions, strict=True) if p < 0]
    assert positions == sorted(positions)


def test_whole_plan_uses_heading_levels_and_links_every_heading(client, plan):
    html = client.get(url("plan_detail", "en", year=2023)).content.decode()

    assert re.search(r'<h2 id="heading-fokus"><a href="/en/plan/2023/fokus/">', html)
    assert re.search(r'<h3 id="heading-infra"><a href="/en/plan/2023/infra/">', html)
    assert re.search(r'<h4 id="heading-systemanalys"><a href="/en/plan/2023/systemanalys/">', html)
    assert re.search(r'<h3 id="heading-kompetens"><a href="/en/plan/2023/kompetens/">', html)
    assert "<li>point one</li><li>point two</li>" in html
    assert "Overall goals" in html and "Activities" in html
    a = activity(plan, "Aktivitet A.")
    assert f'<a href="/en/plan/2023/activity/{a.pk}/">Activity A.</a>' in html
    assert "Mål A." not in html


def test_whole_plan_links_other_published_years(client, plan):
    PlanFactory(year=2022, title_sv="Verksamhetsplan 2022", status=Plan.Status.ARCHIVED)
    PlanFactory(year=2024, title_sv="Utkast 2024", status=Plan.Status.DRAFT)

    html = client.get(url("plan_detail", "sv", year=2023)).content.decode()

    switcher = re.search(r'<nav class="year-switcher"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert '<a href="/sv/plan/2022/">2022</a>' in switcher
    assert '<a href="/sv/plan/2023/" aria-current="page">2023</a>' in switcher
    assert "/sv/plan/2024/" not in html


def test_board_sees_drafts_among_the_other_years(client, board_user, plan):
    PlanFactory(year=2024, title_sv="Utkast 2024", status=Plan.Status.DRAFT)
    client.force_login(board_user)

    html = client.get(url("plan_detail", "sv", year=2023)).content.decode()

    assert '<a href="/sv/plan/2024/">2024 <span class="tag">utkast</span></a>' in html


def test_unknown_year_is_404(client, plan):
    assert client.get("/sv/plan/1999/").status_code == 404


# -- drafts ---------------------------------------------------------------------------


@pytest.fixture
def draft(db):
    plan = PlanFactory(year=2024, title_sv="Utkast 2024", status=Plan.Status.DRAFT)
    section = SectionFactory(plan=plan, slug="utkastdel", number="1")
    activity = ActivityFactory(section=section)
    return plan, section, activity


def draft_urls(draft):
    plan, section, activity = draft
    return [
        url("plan_detail", "sv", year=plan.year),
        url("section_detail", "sv", year=plan.year, slug=section.slug),
        url("activity_detail", "sv", year=plan.year, pk=activity.pk),
    ]


def test_draft_plan_is_404_for_visitors(client, draft):
    for path in draft_urls(draft):
        assert client.get(path).status_code == 404, path


def test_draft_plan_is_404_for_members(client, member_user, draft):
    client.force_login(member_user)
    for path in draft_urls(draft):
        assert client.get(path).status_code == 404, path


def test_draft_plan_is_shown_to_the_board_marked_as_draft(client, board_user, draft):
    client.force_login(board_user)
    for path in draft_urls(draft):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "notice--draft" in response.content.decode()
        assert "Utkast" in text_of(response)
    assert "(utkast)" in title_of(client.get(draft_urls(draft)[0]))


def test_a_published_plan_has_no_draft_notice(client, board_user, plan):
    client.force_login(board_user)
    assert "notice--draft" not in client.get("/sv/plan/2023/").content.decode()


# -- section page ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_section_page(client, plan, lang):
    response = client.get(url("section_detail", lang, year=2023, slug="infra"))

    assert response.status_code == 200
    html = response.content.decode()
    page = text_of(response)
    sv = lang == "sv"
    # Breadcrumb: plan > parent > this section.
    crumbs = re.search(r'<nav class="breadcrumb"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert f'href="/{lang}/plan/2023/"' in crumbs
    assert f'href="/{lang}/plan/2023/fokus/"' in crumbs
    assert (
        'aria-current="page">1.1 Infrastruktur<'
        if sv
        else 'aria-current="page">1.1 Infrastructure<'
    ) in crumbs
    assert re.search(r"<h1><span class=\"number\">1.1</span> Infra", html)
    expected = (
        [
            "Inledande text.",
            "punkt ett",
            "Övergripande mål",
            "Mål A.",
            "Mål B.",
            "Aktiviteterna innefattar",
            "Aktivitet A.",
            "Aktivitet B.",
            "Avslutande text.",
            "Systemanalys 2024",
        ]
        if sv
        else [
            "Opening text.",
            "point one",
            "Overall goals",
            "Goal A.",
            "Goal B.",
            "Activities",
            "Activity A.",
            "Activity B.",
            "Closing text.",
            "System analysis 2024",
        ]
    )
    positions = [page.find(text) for text in expected]
    assert -1 not in positions and positions == sorted(positions)
    a = activity(plan, "Aktivitet A.")
    assert f'href="/{lang}/plan/2023/activity/{a.pk}/"' in html
    # Sub-section link and previous/next in document order.
    assert f'href="/{lang}/plan/2023/systemanalys/"' in html
    pager = re.search(r'<nav class="pager"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert f'href="/{lang}/plan/2023/fokus/" rel="prev"' in pager
    assert f'href="/{lang}/plan/2023/systemanalys/" rel="next"' in pager
    # Nothing of the other sections' content.
    assert ("Mål D." if sv else "Goal D.") not in page


def test_first_and_last_sections_have_one_neighbour(client, plan):
    first = client.get(url("section_detail", "sv", year=2023, slug="fokus")).content.decode()
    last = client.get(url("section_detail", "sv", year=2023, slug="motesplatser")).content.decode()

    assert 'rel="prev"' not in first and 'href="/sv/plan/2023/infra/" rel="next"' in first
    assert 'rel="next"' not in last and 'href="/sv/plan/2023/kompetens/" rel="prev"' in last


def test_unknown_section_is_404(client, plan):
    assert client.get("/sv/plan/2023/finns-inte/").status_code == 404


def test_section_of_another_year_is_404(client, plan):
    other = PlanFactory(year=2022, status=Plan.Status.ARCHIVED)
    SectionFactory(plan=other, slug="gammal")
    assert client.get("/sv/plan/2023/gammal/").status_code == 404
    assert client.get("/sv/plan/2022/gammal/").status_code == 200


# -- activity page --------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGUAGES)
def test_activity_page(client, plan, lang):
    a = activity(plan, "Aktivitet A.")
    owner = PersonFactory(
        first_name="Anna", last_name="Ägare", email="anna@example.org", phone="08-123 45 67"
    )
    a.owners.add(owner)
    a.organisations.add(
        OrganisationFactory(name_sv="Region Sörmland", name_en="Region Sörmland (en)")
    )
    event = EventFactory(title_sv="Mälartinget", title_en="Mälartinget (en)")
    event.activities.add(a)
    StatusUpdateFactory(
        activity=a,
        progress=40,
        comment="Går enligt plan.",
        status__name_sv="Pågår",
        status__name_en="Ongoing",
        period__name_sv="Tertial 1",
        period__name_en="Four-month period 1",
    )

    response = client.get(url("activity_detail", lang, year=2023, pk=a.pk))

    assert response.status_code == 200
    html = response.content.decode()
    page = text_of(response)
    sv = lang == "sv"
    assert ("Aktivitet A." if sv else "Activity A.") in page
    assert f'href="/{lang}/plan/2023/infra/"' in html
    assert "Anna Ägare" in page
    assert "anna@example.org" not in html and "08-123 45 67" not in html
    assert ("Region Sörmland" if sv else "Region Sörmland (en)") in page
    assert ("Mälartinget" if sv else "Mälartinget (en)") in page
    assert ("4 maj 2023" if sv else "4 May 2023") in page
    assert ("Tertial 1" if sv else "Four-month period 1") in page
    assert ("Pågår" if sv else "Ongoing") in page
    assert "40 %" in page.replace("\xa0", " ")
    # The owner's comment is for logged-in members (issue 11); visitors are told so.
    assert "Går enligt plan." not in page
    assert ("visas för medlemmar som är inloggade" if sv else "shown to members who are") in page
    client.force_login(UserFactory(username="medlem-sida"))
    member_page = text_of(client.get(url("activity_detail", lang, year=2023, pk=a.pk)))
    assert "Går enligt plan." in member_page


def test_activity_without_follow_up_says_so(client, plan):
    a = activity(plan, "Aktivitet E.")
    page = text_of(client.get(url("activity_detail", "sv", year=2023, pk=a.pk)))
    assert "Ingen uppföljning har rapporterats ännu." in page
    assert "Inga mötesplatser är kopplade till aktiviteten." in page


def test_members_only_events_are_hidden_from_visitors(client, member_user, plan):
    a = activity(plan, "Aktivitet A.")
    EventFactory(title_sv="Öppet möte").activities.add(a)
    EventFactory(title_sv="Slutet möte", visibility=Event.Visibility.MEMBERS).activities.add(a)
    path = url("activity_detail", "sv", year=2023, pk=a.pk)

    page = text_of(client.get(path))
    assert "Öppet möte" in page
    assert "Slutet möte" not in page

    client.force_login(member_user)
    page = text_of(client.get(path))
    assert "Öppet möte" in page and "Slutet möte" in page


def test_activity_of_another_year_is_404(client, plan):
    a = activity(plan, "Aktivitet A.")
    PlanFactory(year=2022, status=Plan.Status.ARCHIVED)
    assert client.get(url("activity_detail", "sv", year=2022, pk=a.pk)).status_code == 404
    assert client.get(url("activity_detail", "sv", year=2023, pk=999999)).status_code == 404


# -- user text is escaped -------------------------------------------------------------


def test_script_in_user_text_renders_inert(client, plan):
    section = plan.sections.get(slug="infra")
    section.body_sv = f"Före.\n\n{XSS}\n\n- {XSS}"
    section.heading_sv = f"Rubrik {XSS}"
    section.save()
    a = activity(plan, "Aktivitet A.")
    a.text_sv = f"Aktivitet {XSS}"
    a.save()
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"

    for path in [
        url("home", "sv"),
        url("plan_detail", "sv", year=2023),
        url("section_detail", "sv", year=2023, slug="infra"),
        url("activity_detail", "sv", year=2023, pk=a.pk),
    ]:
        html = client.get(path).content.decode()
        assert "<script" not in html, path
        assert escaped in html, path
    html = client.get(url("plan_detail", "sv", year=2023)).content.decode()
    assert f"<p>{escaped}</p>" in html
    assert f"<li>{escaped}</li>" in html


# -- queries --------------------------------------------------------------------------


def build_plan(year, n_sections, n_activities, n_extras):
    """A plan of `n_sections` sections in three levels, each with goals and activities;
    the first activity gets `n_extras` owners, organisations, events and reports."""
    plan = PlanFactory(year=year)
    for order in range(3):
        DirectionGoalFactory(plan=plan, order=order)
        area = PriorityAreaFactory(plan=plan, order=order)
        PriorityAreaItemFactory.create_batch(2, area=area)
    parents = [None, None, None]
    first_activity = None
    for i in range(n_sections):
        depth = i % 3
        parent = parents[depth - 1] if depth else None
        section = SectionFactory(plan=plan, parent=parent, order=i, slug=f"s{year}-{i}")
        parents[depth] = section
        GoalFactory.create_batch(2, section=section)
        for activity in ActivityFactory.create_batch(n_activities, section=section):
            first_activity = first_activity or activity
    first_activity.owners.add(*PersonFactory.create_batch(n_extras))
    first_activity.organisations.add(*OrganisationFactory.create_batch(n_extras))
    for _ in range(n_extras):
        EventFactory().activities.add(first_activity)
        StatusUpdateFactory(activity=first_activity)
    middle = plan.sections.get(slug=f"s{year}-{n_sections // 2}")
    return plan, middle, first_activity


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


@pytest.mark.parametrize("as_board", [False, True])
def test_query_count_does_not_grow_with_the_plan(client, board_user, as_board):
    if as_board:
        client.force_login(board_user)
    small = build_plan(2040, n_sections=3, n_activities=1, n_extras=1)
    large = build_plan(2041, n_sections=30, n_activities=10, n_extras=5)
    PlanFactory.create_batch(3, status=Plan.Status.ARCHIVED)
    # A bound per page; the logged-in user adds the session, user and permission reads,
    # and the header's work links (issue 14) two: the activities the user owns and the
    # plan of the year's follow-up.
    login = 6 if as_board else 0
    # plan_detail and section_detail show progress figures: four reads of plan.followup's
    # plan_progress (periods, statuses, activities, reports); each page with documents
    # (plan, section, activity) reads them in one query; a section page reads its
    # indicators in one more (their values in another where it has any).
    # The home and plan pages' year strip (issue 14, point 4) adds the goal attainment
    # counts (plan.selectors_goals.goal_attainment_counts) and, on the plan page, the
    # next meeting place.
    bounds = {"home": 19, "plan_detail": 21, "section_detail": 12, "activity_detail": 9}
    # The board sees the plan's budget (plan.budget): the amounts of sections and of
    # activities, one query each.
    if as_board:
        bounds["plan_detail"] += 2

    counts = {}
    for size, (plan, section, act) in {"small": small, "large": large}.items():
        paths = {
            "plan_detail": url("plan_detail", "sv", year=plan.year),
            "section_detail": url("section_detail", "sv", year=plan.year, slug=section.slug),
            "activity_detail": url("activity_detail", "sv", year=plan.year, pk=act.pk),
        }
        for page, path in paths.items():
            counts[page, size] = count_queries(client, path)
    # The home page shows the newest published plan: first the small one, then the large.
    Plan.objects.filter(year=2041).update(status=Plan.Status.DRAFT)
    counts["home", "small"] = count_queries(client, url("home", "sv"))
    Plan.objects.filter(year=2041).update(status=Plan.Status.ADOPTED)
    counts["home", "large"] = count_queries(client, url("home", "sv"))

    for page, bound in bounds.items():
        assert counts[page, "small"] == counts[page, "large"], (page, counts)
        assert counts[page, "large"] <= bound + login, (page, counts)


def test_not_found_page_uses_the_site_layout(client, plan):
    response = client.get("/en/plan/2023/no-such-section/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert title_of(response) == "Page not found – Mälardalsportalen"
    assert 'href="/en/"' in html


def test_plan_pages_query_count_on_ten_times_the_2023_plan(
    client, board_user, django_assert_max_num_queries
):
    from . import scale

    plan = scale.load_2023()
    section = plan.sections.get(slug="medlemsrelationer")
    act = section.activities.order_by("order").first()
    paths = {
        "plan_detail": "/sv/plan/2023/",
        "section_detail": f"/sv/plan/2023/{section.slug}/",
        "activity_detail": f"/en/plan/2023/activity/{act.pk}/",
    }
    plan_activities = Activity.objects.filter(section__plan=plan)
    before = plan_activities.count()
    small = {name: scale.count_queries(client, path) for name, path in paths.items()}
    client.force_login(board_user)
    small_board = {name: scale.count_queries(client, path) for name, path in paths.items()}
    client.logout()

    scale.grow_tenfold(plan)

    # Ten times the activities, each with owners and reports; the activity has a longer
    # history and many more events.
    assert plan_activities.count() >= 10 * before
    # The plan page's year strip (issue 14, point 4): goal attainment and the next event.
    bounds = {"plan_detail": 22, "section_detail": 12, "activity_detail": 9}
    # The whole-plan page of more than 300 activities lists none of them (they are on
    # the sections' pages), so it reads one query less: no more, whatever the size.
    for name, path in paths.items():
        with django_assert_max_num_queries(bounds[name]):
            assert scale.count_queries(client, path) <= small[name], name
    client.force_login(board_user)
    grown_board = {name: scale.count_queries(client, path) for name, path in paths.items()}
    assert all(grown_board[name] <= small_board[name] for name in paths), grown_board
