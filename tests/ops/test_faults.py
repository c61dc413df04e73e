"""Faults survived, with real processes: a worker process killed in the middle of a
report build (as the out-of-memory killer would), a Redis restarted between queueing a
build and building it, a PostgreSQL stopped under a running gunicorn. Each test has a
hard time limit and stops every process it started; a missing binary skips the test on
a laptop and fails it in CI (`CI` set)."""

import http.client
import os
import signal
import subprocess

import pytest

from plan import services
from plan.models import ReportRequest
from tests.factories import UserFactory
from tests.services import require_postgres, require_redis

from ..plan import followup_data
from .processes import (
    PYTHON,
    Postgres,
    Process,
    Redis,
    celery_beat,
    celery_worker,
    free_port,
    portal_env,
    processes,
    producer,
    secret_key,
    unique_queue,
    wait_until,
)

pytestmark = [pytest.mark.faults]


def status_of(report_request) -> str:
    report_request.refresh_from_db()
    return report_request.status


def started_builds(hold) -> list:
    return sorted(hold.glob("started-*"), key=lambda p: p.stat().st_mtime_ns)


@pytest.fixture
def hold(tmp_path):
    folder = tmp_path / "hold"
    folder.mkdir()
    return folder


@pytest.fixture
def requester(db):
    return UserFactory(username="ordforande", is_superuser=True)


@pytest.mark.timeout(240)
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_build_whose_worker_process_is_killed_is_finished_by_another(tmp_path, hold, requester):
    require_postgres()
    broker = require_redis()
    fp = followup_data.build()
    queue = unique_queue("faults-kill")
    with processes() as started:
        worker = celery_worker(
            started, tmp_path, broker=broker, queue=queue, MALARDAL_TEST_HOLD_DIR=hold
        )
        with producer(broker, queue):
            report_request = services.report_request_create(
                plan=fp.plan, format="csv", language="sv", by=requester
            )
        first = wait_until(lambda: started_builds(hold), 90, "the build to start")[0]
        child = int(first.read_text())
        assert child != worker.pid  # a child of the worker, not the worker itself
        assert status_of(report_request) == ReportRequest.State.RUNNING
        assert report_request.attempts == 1

        os.kill(child, signal.SIGKILL)  # the out-of-memory killer, mid-build

        # The worker puts the task back (task_reject_on_worker_lost); a new child takes
        # the same task and its claim over.
        again = wait_until(
            lambda: started_builds(hold)[1:], 90, "the build to start again", interval=0.2
        )[0]
        assert int(again.read_text()) != child
        (hold / "release").touch()
        wait_until(
            lambda: status_of(report_request) == ReportRequest.State.DONE,
            90,
            "the report to be done",
            interval=0.2,
        )
        assert worker.alive(), worker.output()
    assert report_request.attempts == 2
    assert "uppfoljningsrapport" in report_request.file.name
    assert (tmp_path / "media" / report_request.file.name).read_bytes()


@pytest.mark.timeout(240)
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_build_queued_before_a_redis_restart_is_built_after_it(tmp_path, hold, requester):
    require_postgres()
    fp = followup_data.build()
    queue = unique_queue("faults-redis")
    recovery = {"JOB_RECOVERY_SECONDS": 2, "MALARDAL_TEST_HOLD_DIR": hold}
    with processes() as started:
        redis = Redis(started, tmp_path)
        celery_worker(started, tmp_path, broker=redis.url, queue=queue, **recovery)
        celery_beat(started, tmp_path, broker=redis.url, queue=queue, **recovery)
        with producer(redis.url, queue):
            # The worker is busy with the first build (held) …
            busy = services.report_request_create(
                plan=fp.plan, format="csv", language="sv", by=requester
            )
            wait_until(lambda: started_builds(hold), 90, "the first build to start")
            # … so the second waits in Redis.
            waiting = services.report_request_create(
                plan=fp.plan, format="xlsx", language="en", by=requester
            )
        client = redis.client()
        wait_until(lambda: client.llen(queue) >= 1, 30, "the second build to wait in Redis")

        redis.restart()  # without a dump: the queued message is gone
        assert redis.client().llen(queue) == 0
        assert status_of(waiting) == ReportRequest.State.QUEUED

        (hold / "release").touch()
        # The worker and beat reconnect; the first build finishes, and the recovery
        # (beat, every 2 s here) queues the second again.
        for report_request in (busy, waiting):
            wait_until(
                lambda r=report_request: status_of(r) == ReportRequest.State.DONE,
                120,
                f"report request {report_request.pk} to be done",
                interval=0.3,
            )
    assert waiting.attempts == 1 and waiting.file.name.endswith(".xlsx")
    assert busy.file.name.endswith(".csv")


def get(port: int, path: str):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        return response, response.read().decode()
    finally:
        connection.close()


@pytest.mark.timeout(420)
@pytest.mark.postgres
def test_pages_answer_503_while_postgresql_is_stopped_and_recover_after(tmp_path):
    postgres = Postgres()
    try:
        env = portal_env(
            tmp_path,
            DEBUG=0,
            SECRET_KEY=secret_key(),
            DATABASE_URL=postgres.url,
            ALLOWED_HOSTS="127.0.0.1",
            SECURE_SSL_REDIRECT=0,
            STATIC_ROOT=tmp_path / "static",
            LOG_LEVEL="WARNING",
            # The page cache shared by both gunicorn workers (as in production), so the
            # page stored by one is what the other serves while the database is down.
            CACHE_URL=require_redis(),
        )
        for command in (["migrate", "--no-input"], ["collectstatic", "--no-input", "-v0"]):
            result = subprocess.run(
                [PYTHON, "manage.py", *command],
                env=env,
                capture_output=True,
                text=True,
                timeout=240,
            )
            assert result.returncode == 0, result.stdout + result.stderr
        port = free_port()
        with processes() as started:
            web = Process(
                "gunicorn",
                [PYTHON, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py", "malardal.wsgi"],
                env={**env, "PORT": str(port), "WEB_CONCURRENCY": "2"},
                log_dir=tmp_path,
            )
            started.append(web)

            def answers(status):
                assert web.alive(), web.output()
                try:
                    return get(port, "/sv/")[0].status == status
                except OSError:
                    return False

            wait_until(lambda: answers(200), 90, "gunicorn to answer", interval=0.3)

            postgres.stop()
            # /sv/ was answered to a visitor above, so the anonymous page cache holds it
            # (malardal/pagecache.py). It is still served while the database is down, by
            # design: a stored page is the current one until a write bumps the data
            # version, and no write can happen without the database, so visitors keep
            # the front page instead of an error. Pages not in the cache answer 503.
            response, body = get(port, "/sv/")
            assert response.status == 200, (body[:500], web.output())
            assert "Portalen är tillfälligt otillgänglig" not in body
            for path, text in (
                ("/sv/?inte-i-cachen=1", "Portalen är tillfälligt otillgänglig"),
                ("/en/", "The portal is temporarily unavailable"),
                ("/sv/plan/2023/", "Portalen är tillfälligt otillgänglig"),
            ):
                response, body = get(port, path)
                assert response.status == 503, (path, body[:500], web.output())
                assert text in body
                assert response.getheader("Retry-After") == "30"
            assert web.alive()

            postgres.start()
            wait_until(lambda: answers(200), 60, "pages to come back", interval=0.3)
            response, body = get(port, "/en/")
            assert response.status == 200 and "unavailable" not in body
    finally:
        postgres.destroy()
