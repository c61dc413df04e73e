"""Pages cost what they show (issue 12): past a few hundred rows, the whole-plan page
and the board's dashboard fold their lists instead of rendering every activity, and a
section's rows are read and rendered only when the section is opened. The dashboard
opens with its summary (issue 14)."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plan import views, views_followup
from plan.models import StatusUpdate
from tests.factories import ActivityFactory

from . import followup_data

LAST_YEAR = followup_data.YEAR - 1


@pytest.fixture
def fp(db):
    """Last year's plan (every due date has passed) with 10 more activities in 1.1,
    some reported in tertial 2."""
    fp = followup_data.build(LAST_YEAR)
    for i in range(10):
        activity = ActivityFactory(
            section=fp.infra, text_sv=f"Extra {i}.", end_date=datetime.date(LAST_YEAR, 3, 1)
        )
        if i % 2:
            StatusUpdate.objects.create(
                activity=activity, period=fp.t2, status=fp.on_track, progress=10 * i
            )
    return fp


def rows(html) -> set[str]:
    return set(re.findall(r'<tr id="row-(\d+)"', html))


def get(client, path, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_the_dashboard_opens_with_the_summary_and_folds_each_section(client, fp, board_user):
    client.force_login(board_user)
    html, _count = get(client, f"/sv/followup/{LAST_YEAR}/", period=fp.t2.pk)
    main = html[html.index('<main id="main"') :]
    # The summary (the plan's figure and its counts) comes before everything else.
    order = [
        main.index('id="summary-heading"'),
        main.index('class="filter-form"'),
        main.index('id="goals-heading"'),
        main.index('id="sections-heading"'),
    ]
    assert order == sorted(order)
    summary = main[order[0] : order[1]]
    assert "Planens genomförandegrad:" in summary and 'data-count="late">' in summary
    # Every section has its heading and figure; its activities are folded below it
    # (a closed <details>, no script), all of them in the page at this size.
    sections = main[order[3] :]
    assert sections.count('<section class="followup-section"') == 3  # 1, 1.1 and 2
    assert sections.count('<details class="fold followup-section__activities">') == 2
    assert '<details class="fold followup-section__activities" open' not in sections
    assert rows(html) == {
        str(a.pk) for a in fp.plan.sections.get(pk=fp.infra.pk).activities.all()
    } | {str(fp.a3.pk)}
    assert "Avsnittets 12 aktiviteter" in sections


def test_past_the_row_limit_a_section_is_read_only_when_opened(client, fp, board_user, monkeypatch):
    client.force_login(board_user)
    monkeypatch.setattr(views_followup, "DASHBOARD_ROW_LIMIT", 5)
    monkeypatch.setattr(views_followup, "ATTENTION_LIMIT", 3)
    path = f"/sv/followup/{LAST_YEAR}/"
    folded, folded_queries = get(client, path, period=fp.t2.pk)
    # No rows: each section links to its drill-down, keeping the period.
    assert rows(folded) == set()
    link = f'href="?period={fp.t2.pk}&amp;section={fp.infra.slug}#followup-section-{fp.infra.pk}"'
    assert link in folded and "Visa avsnittets 12 aktiviteter" in folded
    # The attention list names three and says how many more there are.
    attention = folded[
        folded.index('id="attention-heading"') : folded.index('id="sections-heading"')
    ]
    assert attention.count("<li>") == 3 and "Och 10 till" in attention
    assert f"section={fp.infra.slug}#row-" in attention

    opened, opened_queries = get(client, path, period=fp.t2.pk, section=fp.infra.slug)
    assert rows(opened) == {str(a.pk) for a in fp.infra.activities.all()}
    assert '<details class="fold followup-section__activities" open>' in opened
    # Opening a section reads its rows in a fixed number of queries.
    assert opened_queries == folded_queries
    # The figures do not change with what is opened.
    assert opened.count("12 aktiviteter, Tertial 2") == folded.count("12 aktiviteter, Tertial 2")

    # Filters keep their place in the drill-down links.
    late, _n = get(client, path, period=fp.t2.pk, late="1")
    assert f"?period={fp.t2.pk}&amp;late=1&amp;section={fp.infra.slug}" in late
    assert client.get(path, {"section": "no-such-section"}).status_code == 404


def test_the_dashboard_html_does_not_grow_with_rows_it_does_not_show(
    client, fp, board_user, monkeypatch
):
    client.force_login(board_user)
    monkeypatch.setattr(views_followup, "DASHBOARD_ROW_LIMIT", 5)
    monkeypatch.setattr(views_followup, "ATTENTION_LIMIT", 3)
    path = f"/sv/followup/{LAST_YEAR}/"
    small, _n = get(client, path, period=fp.t2.pk)
    for i in range(60):
        ActivityFactory(section=fp.infra, text_sv=f"Ytterligare aktivitet nummer {i}.")
    large, _n = get(client, path, period=fp.t2.pk)
    assert len(large) < len(small) + 2000  # only numbers changed, no row was added


def test_the_whole_plan_page_names_how_many_activities_past_the_limit(client, fp, monkeypatch):
    path = f"/sv/plan/{LAST_YEAR}/"
    listed, listed_queries = get(client, path)
    assert "Extra 3." in listed and fp.a3.get_absolute_url() in listed
    monkeypatch.setattr(views, "PLAN_PAGE_ACTIVITY_LIMIT", 5)
    folded, folded_queries = get(client, path)
    assert "Extra 3." not in folded and fp.a3.get_absolute_url() not in folded
    assert f'<a href="{fp.infra.get_absolute_url()}">Avsnittets 12 aktiviteter</a>' in folded
    assert folded_queries == listed_queries - 1  # the activities are not read
