"""End to end: the processes of `make serve` (bin/serve: gunicorn, a Celery worker and
Celery beat, DEBUG off) on a fresh PostgreSQL database and Redis. Over HTTP, as the
secretariat: ask for the yearly follow-up report and see it finish; kill the worker and
see bin/serve start it again and the next report built; send the due reminders from the
admin and see the mail arrive at a real SMTP server."""

import http.client
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import psycopg
import pytest
from aiosmtpd.controller import Controller

from tests.services import IN_CI, require_redis, unavailable

from .conftest import MailHandler, free_port

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.postgres, pytest.mark.redis]

SETUP = """
import datetime
from django.contrib.auth.models import Group, User
from django.utils import timezone
from members.models import Person
from plan.models import Activity, Plan, ReportingPeriod, Section

today = timezone.localdate()
plan = Plan.objects.create(year=2031, title_sv="Verksamhetsplan 2031",
                           title_en="Operations plan 2031", status="adopted")
period = ReportingPeriod.objects.create(
    plan=plan, name_sv="Tertial 1", name_en="Four-month period 1",
    starts_on=datetime.date(2031, 1, 1), ends_on=datetime.date(2031, 4, 30),
    due_date=today + datetime.timedelta(days=2))
section = Section.objects.create(plan=plan, slug="gods", number="1", heading_sv="Gods",
                                 heading_en="Freight", order=1)
owner = Person.objects.create(first_name="Olle", last_name="Ägare", email="olle@example.org")
activity = Activity.objects.create(section=section, text_sv="Ta fram en godsstrategi.",
                                   text_en="Draw up a freight strategy.", order=1)
activity.owners.add(owner)
user = User.objects.create_user("kansli", "kansli@example.org", "{password}", is_staff=True)
user.groups.add(Group.objects.get(name="secretariat"))
print("ready")
"""


class Browser:
    """Just enough of a browser: cookies, CSRF tokens, and the X-Forwarded-Proto header a
    TLS-terminating proxy would add (the portal runs with DEBUG off and secure cookies)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, data: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Host": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for name, morsel in cookie.items():
                self.cookies[name] = morsel.value
        connection.close()
        return response, content

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, data):
        """GET the page, take its CSRF token, POST `data` with it."""
        _response, content = self.get(path)
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        assert token, content[:500]
        return self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **data})


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def database():
    """A fresh PostgreSQL database of this test alone."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        unavailable("the serve stack needs PostgreSQL (set DATABASE_URL=postgres://…)")
    parts = urlsplit(url)
    name = f"malardal_e2e_{secrets.token_hex(4)}"
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield parts._replace(path=f"/{name}").geturl()
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def smtp_server():
    handler = MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, controller.port
    controller.stop()


def test_make_serve_builds_a_report_and_sends_reminders(database, smtp_server, tmp_path):
    if not IN_CI and not os.environ.get("E2E"):
        pytest.skip("the serve stack takes a minute; runs in CI, or with E2E=1")
    redis_url = require_redis()
    mail, smtp_port = smtp_server
    port = free_port()
    password = secrets.token_urlsafe(16)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "malardal.settings",
        "BIN": str(Path(sys.executable).parent),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_TASK_DEFAULT_QUEUE": f"e2e-{secrets.token_hex(4)}",
        "CELERY_BEAT_SCHEDULE_FILENAME": str(tmp_path / "celerybeat-schedule"),
        "CELERY_WORKER_CONCURRENCY": "1",
        "WEB_CONCURRENCY": "2",
        "PORT": str(port),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "https://portal.example.org",
        "STATIC_ROOT": str(tmp_path / "static"),
        "MEDIA_ROOT": str(tmp_path / "media"),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "LOG_LEVEL": "WARNING",
    }
    for name in ("DEBUG", "CELERY_RESULT_BACKEND", "EMAIL_HOST_USER", "EMAIL_HOST_PASSWORD"):
        env.pop(name, None)
    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115 - read back on failure
    stack = subprocess.Popen(
        ["bin/serve"],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    browser = Browser(port)

    def output():
        log.flush()
        log.seek(0)
        return log.read()[-5000:]

    try:

        def up():
            assert stack.poll() is None, output()
            try:
                return browser.get("/sv/")[0].status == 200
            except OSError:
                return False

        wait_until(up, 240, "gunicorn to answer")
        setup = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", SETUP.replace("{password}", password)],
            cwd=BASE_DIR,
            env={**env, "DEBUG": "0"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert "ready" in setup.stdout, setup.stdout + setup.stderr

        # Static files come from whitenoise, hashed and cacheable for ever.
        page = browser.get("/sv/")[1].decode()
        css = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', page)
        assert css, page[:1000]
        response, _ = browser.get(css.group(1))
        assert response.status == 200
        assert "immutable" in response.headers["Cache-Control"]

        response, _ = browser.post_form(
            "/sv/accounts/login/", {"username": "kansli", "password": password}
        )
        assert response.status == 302, output()

        # The yearly follow-up report: requested over HTTP, built by the worker.
        response, _ = browser.post_form(
            "/sv/followup/2031/reports/", {"format": "csv", "language": "sv"}
        )
        assert response.status == 302
        detail = urlsplit(response.headers["Location"]).path
        download = (
            wait_until(
                lambda: re.search(
                    rb'href="(/sv/followup/reports/\d+/download/)"', browser.get(detail)[1]
                ),
                120,
                "the report to be built",
            )
            .group(1)
            .decode()
        )
        response, content = browser.get(download)
        assert response.status == 200
        assert "Ta fram en godsstrategi." in content.decode("utf-8-sig")

        # The worker dies (the out-of-memory killer): bin/serve starts it again, the site
        # stays up, and the next report is built by the new worker.
        def worker_pids():
            return re.findall(r"serve: worker started \(pid (\d+)\)", output())

        [first_worker] = wait_until(worker_pids, 30, "the worker's pid")
        os.kill(int(first_worker), signal.SIGKILL)
        restarted = wait_until(lambda: worker_pids()[1:], 60, "the worker to start again")
        assert restarted[0] != first_worker
        assert browser.get("/sv/")[0].status == 200
        response, _ = browser.post_form(
            "/sv/followup/2031/reports/", {"format": "csv", "language": "en"}
        )
        assert response.status == 302
        detail = urlsplit(response.headers["Location"]).path
        wait_until(
            lambda: re.search(rb"/download/", browser.get(detail)[1]),
            120,
            "the report to be built by the restarted worker",
        )
        assert stack.poll() is None

        # The reminders, run now from the admin's schedule page, sent by the worker.
        response, _ = browser.post_form("/sv/admin/reminders/reminderlog/schedule/", {})
        assert response.status == 302
        wait_until(lambda: mail.to("olle@example.org"), 60, "the reminder mail")
        [message] = mail.to("olle@example.org")
        text = message.get_body(("plain",)).get_content()
        assert "Ta fram en godsstrategi." in text
        assert "https://portal.example.org/sv/my/activities/#activity-" in text
    finally:
        stop(stack)
        log.close()


def stop(process):
    """SIGTERM to the whole process group (bin/serve and its processes), then SIGKILL."""
    for sig, wait in ((signal.SIGTERM, 60), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
