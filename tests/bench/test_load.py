"""`manage.py load` (make bench-load) needs PostgreSQL and says so. The load run itself
(gunicorn, 200 clients for 60 s) is `make bench-load`, not part of the test suite: even
a 5-client, 2-second run takes most of a minute here (a database, collectstatic with
compression, gunicorn's start)."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection


def test_without_postgresql_the_load_run_says_what_it_needs(db):
    if connection.vendor == "postgresql":
        pytest.skip("the database is PostgreSQL: nothing to refuse")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("load", "--clients", "1", "--seconds", "1")
    out = io.StringIO()
    call_command("load", "--skip-without-postgres", stdout=out)
    assert "Load run skipped" in out.getvalue()
    assert "DATABASE_URL=postgres://" in out.getvalue()
