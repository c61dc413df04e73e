"""The board's dashboard: filters (GET, no script) for "late" and "report missing", and
a query count that does not grow with the plan or the filters."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plan.models import StatusUpdate
from tests.factories import ActivityFactory, SectionFactory

from . import followup_data
from .test_progress_figures import figures_on

LAST_YEAR = followup_data.YEAR - 1


@pytest.fixture
def fp(db):
    """Last year's plan: every due date has passed. A1 is late (ended in March, 60 %)
    and reported in tertial 2; A2 is reported in tertial 1 only (its tertial 2 report is
    missing); A3 was never reported (missing) and ended in May (late)."""
    fp = followup_data.build(LAST_YEAR)
    fp.a1.end_date = datetime.date(LAST_YEAR, 3, 31)
    fp.a1.save()
    fp.a3.end_date = datetime.date(LAST_YEAR, 5, 31)
    fp.a3.save()
    StatusUpdate.objects.create(activity=fp.a1, period=fp.t2, status=fp.on_track, progress=60)
    StatusUpdate.objects.create(activity=fp.a2, period=fp.t1, status=fp.on_track, progress=40)
    return fp


def rows(html) -> set[str]:
    """The activity rows of the per-section tables (their ids)."""
    part = html[html.index('id="sections-heading"') :]
    return set(re.findall(r'<tr id="row-(\d+)"', part))


def dashboard(client, fp, **params):
    response = client.get(f"/sv/followup/{fp.plan.year}/", {"period": fp.t2.pk, **params})
    assert response.status_code == 200
    return response.content.decode()


def test_the_filters_narrow_the_list_but_not_the_figures(client, fp, board_user):
    client.force_login(board_user)
    everything = dashboard(client, fp)
    ids = {str(a.pk) for a in (fp.a1, fp.a2, fp.a3)}
    assert rows(everything) == ids
    plan_figure = figures_on(everything)[0]
    # (60 + 40 + 0) / 3: A2's tertial 1 report carries forward.
    assert plan_figure.startswith("Planens genomförandegrad: 33 % av 3 aktiviteter, Tertial 2")
    assert plan_figure.endswith("2 försenade, 2 rapporter saknas")

    late = dashboard(client, fp, late="1")
    assert rows(late) == {str(fp.a1.pk), str(fp.a3.pk)}
    assert "Visar 2 aktiviteter av 3." in late
    missing = dashboard(client, fp, missing="1")
    assert rows(missing) == {str(fp.a2.pk), str(fp.a3.pk)}
    both = dashboard(client, fp, late="1", missing="1")
    assert rows(both) == {str(fp.a3.pk)}
    # The figure is the plan's whatever the filter.
    for html in (late, missing, both):
        assert figures_on(html)[0] == plan_figure
    # The ticked boxes stay ticked; the form works without script (GET).
    assert 'name="late" value="1" checked' in both and 'name="missing" value="1" checked' in both
    assert 'name="late" value="1" checked' not in everything


def test_nothing_matches_says_so(client, fp, board_user):
    client.force_login(board_user)
    html = dashboard(client, fp, late="1", period=fp.t1.pk)
    # In tertial 1 (ended 30 April) A1 was late (ended in March); A3 not yet.
    assert rows(html) == {str(fp.a1.pk)}
    StatusUpdate.objects.create(activity=fp.a1, period=fp.t1, status=fp.completed, progress=100)
    html = dashboard(client, fp, late="1", period=fp.t1.pk)
    assert rows(html) == set()
    assert "Ingen aktivitet motsvarar filtren." in html


def test_hostile_filter_values_are_harmless(client, fp, board_user):
    client.force_login(board_user)
    for params in ({"late": "<script>"}, {"missing": ["1", "2"]}, {"late": ""}):
        response = client.get(f"/en/followup/{fp.plan.year}/", params)
        assert response.status_code == 200
        assert "<script>" not in response.content.decode()[-20000:]
    assert client.get(f"/en/followup/{fp.plan.year}/", {"period": "x"}).status_code == 404


def test_the_dashboard_query_count_does_not_grow_with_the_plan_or_the_filters(
    client, fp, board_user
):
    client.force_login(board_user)

    def count(**params):
        with CaptureQueriesContext(connection) as queries:
            dashboard(client, fp, **params)
        return len(queries)

    small = [count(), count(late="1"), count(missing="1", late="1")]
    for n in range(8):
        section = SectionFactory(plan=fp.plan, slug=f"extra-{n}", order=10 + n)
        for i in range(4):
            activity = ActivityFactory(section=section, end_date=datetime.date(LAST_YEAR, 2, 1))
            StatusUpdate.objects.create(
                activity=activity, period=fp.t2, status=fp.on_track, progress=10 * i
            )
    large = [count(), count(late="1"), count(missing="1", late="1")]
    assert small == large
    # Login (4), plan, the follow-up (7), goal attainment (7), the goals (4), the
    # report's files (2: the data version and the files built, plan.report_files), the
    # header's work links (2: the activities the user owns, the year's plan).
    assert max(large) <= 26
