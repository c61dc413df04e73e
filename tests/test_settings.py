"""Settings come from the environment; a bad value stops start-up naming the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from malardal.env import parse_database_url

ROOT = Path(__file__).resolve().parent.parent


def start(**env):
    """Import the production settings module in a fresh interpreter, as start-up does."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import malardal.settings"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = start(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_development_runs_without_a_secret_key():
    assert start(DEBUG="1").returncode == 0


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG must be a boolean"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must start with sqlite:// or postgres://"),
        ("DATABASE_URL", "postgres://host:notaport/db", "DATABASE_URL: the port is not a number"),
        ("EMAIL_PORT", "twenty-five", "EMAIL_PORT must be a whole number"),
    ],
)
def test_a_bad_value_names_the_variable(variable, value, message):
    result = start(**{"DEBUG": "1", variable: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_database_urls():
    assert parse_database_url("X", "sqlite:////tmp/x.sqlite3", ROOT)["NAME"] == "/tmp/x.sqlite3"
    assert parse_database_url("X", "sqlite:///db.sqlite3", ROOT)["NAME"] == str(ROOT / "db.sqlite3")
    pg = parse_database_url("X", "postgres://u:p%40ss@db.example:6432/portal?sslmode=require", ROOT)
    assert (pg["ENGINE"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"], pg["NAME"]) == (
        "django.db.backends.postgresql",
        "u",
        "p@ss",
        "db.example",
        "6432",
        "portal",
    )
    assert pg["OPTIONS"] == {"sslmode": "require"}
