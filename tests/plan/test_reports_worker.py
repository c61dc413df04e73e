"""The board's report request built by a real Celery worker through Redis, as in
production: the request is committed, the task is queued on commit, a worker claims the
request and keeps the file. Needs Redis (skips without it on a laptop, fails in CI)."""

import subprocess
import threading
import uuid
from contextlib import contextmanager

import pytest
from django.db import close_old_connections

from plan import services
from plan.models import ReportRequest
from plan.services import status_update_create
from plan.tasks import build_followup_report
from tests.factories import UserFactory
from tests.services import require_command, require_redis

from . import followup_data


@contextmanager
def celery_worker():
    """A real worker in a thread, on a queue of this test alone (parallel runs sharing a
    Redis do not take each other's tasks)."""
    from celery.contrib.testing.worker import start_worker

    from malardal.celery import app

    url = require_redis()
    queue = f"test-followup-{uuid.uuid4().hex}"
    keys = ["broker_url", "task_always_eager", "task_default_queue", "result_backend"]
    saved = {key: app.conf[key] for key in keys}
    app.conf.update(
        broker_url=url, task_always_eager=False, task_default_queue=queue, result_backend=None
    )
    _reset(app)
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            queues=[queue],
            hostname=f"followup-{queue}@127.0.0.1",
            loglevel="WARNING",
            shutdown_timeout=30,
        ) as worker:
            yield worker
    finally:
        app.conf.update(saved)
        _reset(app)
        close_old_connections()


def _reset(app):
    """Forget every connection and producer pool, the process-wide ones of kombu too:
    a pool closed at the end of one test must not be reused by the next."""
    from kombu import pools

    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    pools.reset()


@pytest.fixture
def finished():
    """Set each time the worker has finished a build task. The test reads the database
    only then: SQLite's shared in-memory test database does not wait for a lock, so
    polling while the worker writes could fail either side."""
    from celery.signals import task_postrun

    event = threading.Event()

    def on_postrun(task=None, **kwargs):
        if task is not None and task.name == build_followup_report.name:
            event.set()

    task_postrun.connect(on_postrun, weak=False)
    yield event
    task_postrun.disconnect(on_postrun)


def wait_for(finished, report_request, timeout=90):
    assert finished.wait(timeout), f"no build finished within {timeout} s"
    finished.clear()
    report_request.refresh_from_db()
    return report_request


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_worker_builds_the_requested_report_once(media, tmp_path, finished):
    require_redis()
    pdftotext = require_command("pdftotext")
    fp = followup_data.build()
    status_update_create(
        activity=fp.a1,
        period=fp.t1,
        status=fp.on_track,
        progress=30,
        comment="Byggt av en riktig arbetare.",
        by=fp.anna,
    )
    board = UserFactory(username="ordforande", is_superuser=True)
    with celery_worker():
        report_request = services.report_request_create(
            plan=fp.plan, format="pdf", language="en", by=board
        )
        assert report_request.status == ReportRequest.State.QUEUED  # queued, not built inline
        wait_for(finished, report_request)
        assert report_request.status == "done", report_request.error
        name = report_request.file.name
        # The task delivered again (a redelivery after a lost ack, a double click)
        # does nothing: the request is claimed already.
        build_followup_report.delay(report_request.pk)
        wait_for(finished, report_request)
        assert (report_request.file.name, report_request.attempts) == (name, 1)

    path = tmp_path / "report.pdf"
    path.write_bytes(report_request.file.read())
    text = subprocess.run(
        [pdftotext, str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert "To coordinate the traffic." in text
    assert "Byggt av en riktig arbetare." in text


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_failed_build_is_reported_and_a_retry_is_built(media, finished):
    require_redis()
    fp = followup_data.build()
    board = UserFactory(username="ordforande", is_superuser=True)
    broken = ReportRequest.objects.create(
        plan=fp.plan, format="doc", language="sv", requested_by=board
    )
    with celery_worker():
        build_followup_report.delay(broken.pk)
        wait_for(finished, broken)
        assert broken.status == "failed" and "doc" in broken.error
        ReportRequest.objects.filter(pk=broken.pk).update(format="xlsx")
        services.report_request_retry(report_request=broken, by=board)
        wait_for(finished, broken)
        assert broken.status == "done", broken.error
    assert broken.file.name.endswith(".xlsx")
    assert broken.attempts == 2
