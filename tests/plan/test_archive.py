"""The archive of every year's plan at /sv/plan/, and the year switcher on plan pages."""

import datetime
import re

import pytest

from plan.models import Plan

from ..factories import ActivityFactory, PlanFactory, SectionFactory
from . import scale

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(db):
    archived = PlanFactory(
        year=2022,
        title_sv="Verksamhetsplan 2022",
        title_en="Operations plan 2022",
        status=Plan.Status.ARCHIVED,
        adopted_on=datetime.date(2021, 12, 9),
        adopted_by_sv="styrelsen",
        adopted_by_en="the board",
    )
    adopted = PlanFactory(
        year=2023, title_sv="Verksamhetsplan 2023", title_en="Operations plan 2023"
    )
    draft = PlanFactory(
        year=2024,
        title_sv="Utkast 2024",
        title_en="Draft 2024",
        status=Plan.Status.DRAFT,
    )
    for plan, n in [(archived, 1), (adopted, 3), (draft, 2)]:
        section = SectionFactory(plan=plan)
        SectionFactory(plan=plan, parent=section)
        ActivityFactory.create_batch(n, section=section)
    return archived, adopted, draft


def years_listed(html: str) -> list[str]:
    listing = html[html.index('<ol class="archive-list">') :]
    return re.findall(r'<h2 class="archive-item__title"><a href="/\w\w/plan/(\d+)/">', listing)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_archive_lists_every_published_year_newest_first(client, plans, lang):
    response = client.get(f"/{lang}/plan/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{lang}">' in html
    assert years_listed(html) == ["2023", "2022"]
    assert ("Verksamhetsplan 2022" if lang == "sv" else "Operations plan 2022") in html
    assert "Utkast 2024" not in html and "Draft 2024" not in html
    assert "/plan/2024/" not in html
    # Status in words, adoption and size.
    item = html[html.index('href="/' + lang + '/plan/2022/"') :]
    item = item[: item.index("</li>")]
    assert ("Arkiverad" if lang == "sv" else "Archived") in item
    if lang == "en":
        assert "Adopted by the board on 9 December 2021." in item
        assert "2 sections" in item and "1 activity" in item


def test_archive_shows_drafts_to_the_board_marked(client, board_user, plans):
    client.force_login(board_user)

    html = client.get("/sv/plan/").content.decode()

    assert years_listed(html) == ["2024", "2023", "2022"]
    assert "archive-item--draft" in html and "Utkast 2024" in html


def test_archive_hides_drafts_from_members(client, member_user, plans):
    client.force_login(member_user)

    assert years_listed(client.get("/sv/plan/").content.decode()) == ["2023", "2022"]


def test_archive_without_plans_is_friendly(client, db):
    response = client.get("/sv/plan/")

    assert response.status_code == 200
    assert "Ingen verksamhetsplan har publicerats ännu" in response.content.decode()


def test_archive_is_in_the_main_menu_and_marked_there(client, plans):
    html = client.get("/en/plan/").content.decode()

    menu = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', html, re.S).group(1)
    # Under "More" in the header's one row (issue 14), with the programmes.
    more = re.search(r'<details class="dropdown">(.*?)</details>', menu, re.S).group(1)
    assert '<a href="/en/plan/" aria-current="page">' in more
    # Search is a link to the search page (its form has the filters).
    assert 'href="/en/search/"' in menu


@pytest.mark.parametrize(
    "path, current",
    [
        ("/sv/plan/2022/", "page"),
        ("/sv/plan/2022/{slug}/", "true"),
        ("/sv/plan/2022/activity/{activity}/", "true"),
    ],
)
def test_plan_pages_have_a_year_switcher(client, plans, path, current):
    archived = plans[0]
    section = archived.sections.filter(parent=None).get()
    path = path.format(slug=section.slug, activity=section.activities.first().pk)

    html = client.get(path).content.decode()

    switcher = re.search(r'<nav class="year-switcher"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert re.findall(r'href="/sv/plan/(\d+)/"', switcher) == ["2023", "2022"]
    assert f'<a href="/sv/plan/2022/" aria-current="{current}">2022</a>' in switcher
    assert 'href="/sv/plan/2023/">2023</a>' in switcher
    assert 'href="/sv/plan/"' in switcher


def test_archive_query_count_is_the_same_on_ten_times_the_2023_plan(
    client, board_user, django_assert_max_num_queries
):
    scale.load_2023()
    small = scale.count_queries(client, "/sv/plan/")
    client.force_login(board_user)
    small_board = scale.count_queries(client, "/sv/plan/")
    client.logout()

    scale.grow_tenfold(Plan.objects.get(year=2023))

    with django_assert_max_num_queries(1):
        assert scale.count_queries(client, "/sv/plan/") == small
    client.force_login(board_user)
    assert scale.count_queries(client, "/sv/plan/") == small_board
    html = client.get("/en/plan/").content.decode()
    assert years_listed(html)[:2] == ["2023", "2022"] and len(years_listed(html)) == 10
