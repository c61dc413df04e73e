"""Guards for tests that need a real service on this machine.

Outside CI a missing service skips the test with a reason, so `make test` passes on a bare
laptop; in CI (env ``CI`` set) it fails the test, so a missing service can never hide a
missing feature.
"""

import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
from django.db import connection

IN_CI = bool(os.environ.get("CI"))


def _redis_url() -> str:
    """REDIS_URL, with a database number of its own for each pytest-xdist worker (gw0 keeps
    the configured one, gw1 the next …): workers never see each other's keys or tasks."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    offset = int(worker[2:]) if worker[2:].isdigit() else 0
    if not offset:
        return url
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return parts._replace(path=f"/{(base + offset) % 16}").geturl()


REDIS_URL = _redis_url()
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def unavailable(reason: str):
    if IN_CI:
        pytest.fail(f"{reason} (required in CI)")
    pytest.skip(reason)


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_redis() -> str:
    """Return the Redis URL for tests, or skip/fail when Redis does not answer."""
    parts = urlsplit(REDIS_URL)
    if not _port_open(parts.hostname or "127.0.0.1", parts.port or 6379):
        unavailable(f"Redis does not answer at {REDIS_URL}")
    return REDIS_URL


def require_postgres() -> None:
    if connection.vendor != "postgresql":
        unavailable("this test needs PostgreSQL (set DATABASE_URL=postgres://…)")


def require_chromium() -> str:
    path = CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium")
    if not path:
        unavailable(f"Chromium is not installed at {CHROMIUM}")
    return path


def require_command(name: str) -> str:
    path = shutil.which(name)
    if not path:
        unavailable(f"the command {name!r} is not installed")
    return path


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
