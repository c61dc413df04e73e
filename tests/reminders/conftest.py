"""Real parts for the reminder tests: an SMTP server (aiosmtpd) on 127.0.0.1 whose
delivered mail the test reads back, and Celery workers running in threads against Redis.
"""

import datetime
import email
import socket
import time
import uuid
from contextlib import ExitStack, contextmanager
from email import policy

import pytest
from aiosmtpd.controller import Controller
from django.db import close_old_connections

from members import roles
from plan.models import Plan
from tests.factories import (
    ActivityFactory,
    PersonFactory,
    PlanFactory,
    ReportingPeriodFactory,
    SectionFactory,
    UserFactory,
)
from tests.services import require_redis

# The day the tests stand on, and a period due a week later.
TODAY = datetime.date(2031, 5, 8)
DUE = datetime.date(2031, 5, 15)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class MailHandler:
    """Keeps every delivered message. ``refuse[address]`` is a list of SMTP replies to give
    (one per attempt) before that address is accepted, e.g. ["451 4.3.0 Try later"]."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.refuse: dict[str, list[str]] = {}

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        replies = self.refuse.get(address)
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for m in self.messages if address in m["X-Envelope-To"].split(", ")]

    def wait_for(self, count: int, timeout: float = 20) -> list[email.message.EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free port of 127.0.0.1, and the portal pointed at it."""
    handler = MailHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.REMINDER_RETRY_DELAY = 0
    yield handler
    controller.stop()


@contextmanager
def celery_workers(count: int = 1, *, concurrency: int = 1):
    """Start `count` real Celery workers in threads against Redis, on a queue of this test
    alone (so parallel test runs sharing a Redis do not take each other's tasks)."""
    from celery.contrib.testing.worker import start_worker

    from malardal.celery import app

    url = require_redis()
    queue = f"test-reminders-{uuid.uuid4().hex}"
    keys = ["broker_url", "task_always_eager", "task_default_queue", "result_backend"]
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=url, task_always_eager=False, task_default_queue=queue, result_backend=None
    )
    _reset_connections(app)
    try:
        with ExitStack() as stack:
            workers = [
                stack.enter_context(
                    start_worker(
                        app,
                        # Several solo workers in one process do not always stop
                        # (celery's worker state is per process): concurrency runs as
                        # threads of one worker instead.
                        pool="solo" if concurrency == 1 else "threads",
                        concurrency=concurrency,
                        perform_ping_check=False,
                        queues=[queue],
                        hostname=f"w{n}-{queue}@127.0.0.1",
                        loglevel="WARNING",
                        shutdown_timeout=30,
                    )
                )
                for n in range(count)
            ]
            yield workers
    finally:
        app.conf.update(saved)
        _reset_connections(app)
        close_old_connections()


def _reset_connections(app):
    """Forget broker connections made for another URL (kombu keeps global pools)."""
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def celery_worker():
    with celery_workers(1) as workers:
        yield workers[0]


@pytest.fixture
def followup(db):
    """An adopted plan with a period due on DUE and three activities: two owned by Anna
    (Swedish), one owned by Bob (English, no reminder yet), and a secretariat user."""
    from reminders.services import contact_preference_set

    plan = PlanFactory(year=2031, status=Plan.Status.ADOPTED)
    period = ReportingPeriodFactory(plan=plan, due_date=DUE)
    section = SectionFactory(plan=plan, number="2.1")
    anna = PersonFactory(first_name="Anna", last_name="Andersson", email="anna@example.org")
    bob = PersonFactory(first_name="Bob", last_name="Brown", email="bob@example.org")
    contact_preference_set(person=bob, language="en")
    a1 = ActivityFactory(
        section=section, text_sv="Ta fram en godsstrategi.", text_en="Draw up a freight strategy."
    )
    a2 = ActivityFactory(
        section=section, text_sv="Ordna Mälartinget.", text_en="Arrange Mälartinget."
    )
    a3 = ActivityFactory(
        section=section, text_sv="Samla in statistik.", text_en="Collect statistics."
    )
    a1.owners.add(anna)
    a2.owners.add(anna)
    a3.owners.add(bob)
    secretariat = UserFactory(
        username="kansli", email="kansli@example.org", is_staff=True, groups=[roles.SECRETARIAT]
    )
    return {
        "plan": plan,
        "period": period,
        "section": section,
        "anna": anna,
        "bob": bob,
        "activities": [a1, a2, a3],
        "secretariat": secretariat,
    }
