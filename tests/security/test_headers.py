"""Every response carries the security headers — pages, the admin, errors and
redirects — and production settings pass `check --deploy` with no warning."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from tests import factories

BASE_DIR = Path(__file__).resolve().parents[2]

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def parse_csp(header):
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_security_headers(response):
    csp = response.headers.get("Content-Security-Policy")
    assert csp, f"no CSP on {response.status_code} response"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert parse_csp(csp) == EXPECTED_CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in response.headers["Permissions-Policy"]


@pytest.fixture
def published_plan(db):
    return factories.SectionFactory(plan=factories.PlanFactory(year=2023)).plan


@pytest.mark.parametrize(
    "url", ["/sv/", "/en/", "/sv/plan/2023/", "/en/plan/2023/", "/sv/admin/login/"]
)
def test_public_pages_carry_the_headers(client, published_plan, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize(
    "url", ["/sv/admin/", "/sv/admin/plan/plan/", "/sv/admin/plan/plan/add/", "/en/admin/"]
)
def test_admin_pages_carry_the_headers(client, admin_user, published_plan, url):
    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    assert_security_headers(response)


@pytest.mark.parametrize("url", ["/sv/no-such-page/", "/en/plan/1999/", "/static/nothing.css"])
def test_not_found_carries_the_headers(client, db, url):
    response = client.get(url)
    assert response.status_code == 404
    assert_security_headers(response)


@pytest.mark.parametrize(
    ("url", "to"),
    [
        ("/", "/sv/"),  # the language prefix
        ("/sv/admin", "/sv/admin/"),  # the trailing slash
        ("/sv/admin/", "/sv/admin/login/?next=/sv/admin/"),  # to the login page
    ],
)
def test_redirects_carry_the_headers(client, db, url, to):
    response = client.get(url)
    assert response.status_code in (301, 302)
    assert response["Location"] == to
    assert_security_headers(response)


def test_language_switch_redirect_carries_the_headers(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/en/"})
    assert response.status_code == 302
    assert_security_headers(response)


def production_env(**extra):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.org,testserver",
        "DJANGO_SETTINGS_MODULE": "malardal.settings",
        # Behind one nginx, as the README's deployment has it (accounts.W001 otherwise).
        "NUM_PROXIES": "1",
        # Redis for the cache, as deploy/env.example has it (malardal.W010 otherwise).
        "CACHE_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"),
    }
    env.pop("SECURE_SSL_REDIRECT", None)
    # A developer's shell may allow async-unsafe calls for browser tests; production never.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.update(extra)
    return env


def test_check_deploy_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


PRODUCTION_PROBE = """
import json
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
# Pages name their static files; production looks them up in collectstatic's manifest,
# which a checkout does not have. Nothing else differs.
override_settings(
    STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
).enable()
client = Client()
plain = client.get("/sv/")
secure = client.get("/sv/accounts/login/", secure=True)
lang = client.post("/i18n/setlang/", {"language": "en", "next": "/en/"}, secure=True)
def cookie(response, name):
    morsel = response.cookies[name]
    return {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"]),
            "samesite": morsel["samesite"]}
print(json.dumps({
    "plain": [plain.status_code, plain["Location"], plain.headers.get("Content-Security-Policy")],
    "hsts": secure.headers.get("Strict-Transport-Security"),
    "csrf": cookie(secure, settings.CSRF_COOKIE_NAME),
    "language": cookie(lang, settings.LANGUAGE_COOKIE_NAME),
    "session": {
        "secure": settings.SESSION_COOKIE_SECURE,
        "httponly": settings.SESSION_COOKIE_HTTPONLY,
        "browser_close": settings.SESSION_EXPIRE_AT_BROWSER_CLOSE,
        "age": settings.SESSION_COOKIE_AGE,
    },
}))
"""


def test_production_cookies_are_secure_and_http_only():
    """Run the production settings in a process of their own, as gunicorn would."""
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_PROBE],
        cwd=BASE_DIR,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    status, location, csp = probe["plain"]
    # Plain HTTP is sent to HTTPS, and even that redirect carries the CSP.
    assert status == 301 and location == "https://testserver/sv/"
    assert csp and "unsafe-inline" not in csp
    assert probe["hsts"].startswith("max-age=")
    for name in ("csrf", "language"):
        assert probe[name] == {"secure": True, "httponly": True, "samesite": "Lax"}, name
    assert probe["session"] == {
        "secure": True,
        "httponly": True,
        "browser_close": True,
        "age": 8 * 60 * 60,
    }
