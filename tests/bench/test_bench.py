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
    "minimal view (baseline)",
    "home",
    "plan (whole year)",
    "plan archive",
    "section",
    "activity",
    "events list",
    "event",
    "member directory",
    "organisation",
    "bodies",
    "body",
    "En Bättre Sits",
    "En Bättre Matchning",
    "search 'region'",
    "search 'mälar'",
    "search, status filter",
    "follow-up dashboard (board)",
]


def test_bench_smoke(client):
    out = io.StringIO()

    call_command("bench", "--scale", "0.01", "--requests", "2", "--in-current-database", stdout=out)

    output = out.getvalue()
    assert Plan.objects.count() == 10
    assert Activity.objects.filter(section__plan__year=Plan.objects.first().year).count() >= 20
    rows = {}
    for line in output.splitlines():
        match = re.match(
            r"(.+?)\s+(\d+\.\d)\s+(\d+\.\d)\s+(\d+\.\d)\s+(\d+)\s+(\d+)\s+(/\S*)$", line
        )
        if match:
            rows[match.group(1).strip()] = match
    assert list(rows) == PAGES, output
    baseline = rows["minimal view (baseline)"]
    assert baseline.group(5) == "0" and baseline.group(4) == "1.0"
    for page in PAGES[1:]:
        assert int(rows[page].group(5)) > 0, page
    assert "median ms" in output and "p95 ms" in output and "× minimal" in output


def test_bench_never_uses_the_portals_own_database():
    with pytest.raises(CommandError, match="must not be the portal's own database"):
        call_command("bench", "--db-name", str(connection.settings_dict["NAME"]))


def test_baseline_view_is_not_part_of_the_site(client):
    assert client.get("/bench/minimal/").status_code == 404
