"""`manage.py bench` on a tiny data set: it builds, measures every main page and prints
the table. The real run (`make bench`) is not part of the test suite."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from plan.models import Activity, Plan

pytestmark = pytest.mark.django_db

PAGES = [
    "home (sv)",
    "home (en)",
    "plan archive",
    "events list",
    "events feed (.ics)",
    "member directory",
    "bodies",
    "En Bättre Sits",
    "En Bättre Matchning",
    "search 'region'",
    "search 'mälar'",
    "plan (whole year)",
    "search, status filter",
    "section",
    "activity",
    "event",
    "organisation",
    "body",
    "follow-up dashboard (board)",
    "my activities (member)",
]
FIGURE = r"\s+(\d+\.\d)"


@pytest.mark.django_db(transaction=True)
def test_bench_smoke(client):
    # Committed writes, as the real run has: inside a test's transaction the page cache
    # stays out of the way (malardal/pagecache.py), and "warm" would be "uncached".
    out = io.StringIO()

    call_command("bench", "--scale", "0.01", "--requests", "2", "--in-current-database", stdout=out)

    output = out.getvalue()
    assert Plan.objects.count() == 10
    assert Activity.objects.filter(section__plan__year=Plan.objects.first().year).count() >= 20
    # Two stages, each a table with the targets beside the figures …
    assert "1× (the 2023 plan): median of 2 requests per page" in output
    assert "bench scale 0.01: median of 2 requests per page" in output
    assert "uncached ≤ 15× the bare view" in output and "uncached ≤ 40× the bare view" in output
    assert "× 1/2 for visitors, × 1/10 logged in" in output
    assert "× 1/2 for visitors, × 1/40 logged in" in output
    # … and a summary: every page, × the bare view at 1× and at scale, uncached and warm.
    summary = output[output.index("Summary") :]
    rows = {}
    for line in summary.splitlines():
        match = re.match(rf"(.+?){FIGURE * 4}$", line)
        if match:
            rows[match.group(1).strip()] = [float(match.group(i)) for i in range(2, 6)]
    assert list(rows) == PAGES, output
    for page, figures in rows.items():
        assert all(figure > 0 for figure in figures), page
    # A warm visitor's page costs less than making it; a logged-in page is never cached.
    assert rows["plan (whole year)"][1] < rows["plan (whole year)"][0]
    assert rows["plan (whole year)"][3] < rows["plan (whole year)"][2]


def test_bench_never_uses_the_portals_own_database():
    with pytest.raises(CommandError, match="must not be the portal's own database"):
        call_command("bench", "--db-name", str(connection.settings_dict["NAME"]))


def test_baseline_view_is_not_part_of_the_site(client):
    assert client.get("/bench/minimal/").status_code == 404
