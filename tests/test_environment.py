"""In CI the suite must run against the production stack's parts, not quietly fall back."""

import os

import pytest
from django.db import connection

IN_CI = bool(os.environ.get("CI"))


@pytest.mark.skipif(not IN_CI, reason="outside CI the suite may run on SQLite")
def test_ci_runs_on_postgresql(db):
    assert connection.vendor == "postgresql", "CI must set DATABASE_URL to PostgreSQL"
    with connection.cursor() as cursor:
        cursor.execute("select version()")
        assert "PostgreSQL" in cursor.fetchone()[0]
