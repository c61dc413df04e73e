"""Real processes for the fault tests: Celery workers and beat, a Redis and a PostgreSQL
of the test's own, gunicorn. Every process is started in a session of its own and
stopped with its children when the test ends, whatever happened; waits are bounded and
poll for a condition."""

import glob
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.db import close_old_connections, connection

from tests.services import require_command, unavailable

BASE_DIR = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll `predicate` until it returns something true; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Process:
    """A command in a session of its own, its output in a log file."""

    def __init__(self, name, args, *, env=None, cwd=BASE_DIR, log_dir, user=None):
        self.name = name
        self.log_path = Path(log_dir) / f"{name}.log"
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.popen = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            user=user,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def output(self, tail: int = 4000) -> str:
        self.log.flush()
        return self.log_path.read_bytes()[-tail:].decode(errors="replace")

    def stop(self, timeout: float = 20):
        """SIGTERM to the process group, SIGKILL after `timeout` s."""
        for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.popen.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self.log.close()


@contextmanager
def processes():
    """Collects Process objects; stops them all (last started first) on the way out."""
    started: list[Process] = []
    try:
        yield started
    finally:
        for process in reversed(started):
            process.stop()


def database_url() -> str:
    """The URL of the test database (PostgreSQL), for processes outside pytest."""
    conf = connection.settings_dict
    auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf["PASSWORD"] else "")
    return f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{conf['NAME']}"


def portal_env(tmp_path, **extra) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "malardal.settings",
        "DEBUG": "1",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "LOG_LEVEL": "INFO",
    }
    for name in ("CELERY_RESULT_BACKEND", "PYTEST_CURRENT_TEST"):
        env.pop(name, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def celery_worker(started, tmp_path, *, broker, queue, name="worker", **env):
    """A real worker process (prefork, one child) on `queue`, with tests.ops.hold."""
    process = Process(
        name,
        [
            PYTHON,
            "-m",
            "celery",
            "--app",
            "malardal",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "1",
            "--queues",
            queue,
            "--hostname",
            f"{name}-{queue}@127.0.0.1",
            "--include",
            "tests.ops.hold",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        env=portal_env(
            tmp_path,
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=broker,
            CELERY_TASK_DEFAULT_QUEUE=queue,
            **env,
        ),
        log_dir=tmp_path,
    )
    started.append(process)
    return process


def celery_beat(started, tmp_path, *, broker, queue, **env):
    process = Process(
        "beat",
        [PYTHON, "-m", "celery", "--app", "malardal", "beat", "--loglevel", "INFO"],
        env=portal_env(
            tmp_path,
            DATABASE_URL=database_url(),
            CELERY_BROKER_URL=broker,
            CELERY_TASK_DEFAULT_QUEUE=queue,
            CELERY_BEAT_SCHEDULE_FILENAME=tmp_path / "celerybeat-schedule",
            **env,
        ),
        log_dir=tmp_path,
    )
    started.append(process)
    return process


@contextmanager
def producer(broker: str, queue: str):
    """Point this process's Celery app at `broker` and `queue`, so tasks queued on commit
    (report_request_create) go through Redis to the test's worker."""
    from kombu import pools

    from malardal.celery import app

    keys = ["broker_url", "task_always_eager", "task_default_queue", "result_backend"]
    saved = {key: app.conf[key] for key in keys}

    def reset():
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None
        pools.reset()

    app.conf.update(
        broker_url=broker, task_always_eager=False, task_default_queue=queue, result_backend=None
    )
    reset()
    try:
        yield app
    finally:
        app.conf.update(saved)
        reset()
        close_old_connections()


def unique_queue(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex}"


class Redis:
    """A redis-server of the test's own on a free port, without persistence: a restart
    loses everything in it, as a Redis restart without a dump does."""

    def __init__(self, started, tmp_path):
        self.binary = require_command("redis-server")
        self.started, self.tmp_path = started, tmp_path
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.start()

    def start(self):
        self.process = Process(
            f"redis-{len(self.started)}",
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp_path),
            ],
            log_dir=self.tmp_path,
        )
        self.started.append(self.process)
        wait_until(self.ping, 20, "Redis to answer")

    def client(self):
        import redis

        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def ping(self) -> bool:
        try:
            return self.client().ping()
        except Exception:
            return False

    def restart(self):
        self.process.stop()
        self.start()


def postgres_bin_dir() -> Path:
    """The PostgreSQL server binaries (Debian: /usr/lib/postgresql/<version>/bin)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: p.split("/")[4])
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).parent
    unavailable("the PostgreSQL server (initdb, pg_ctl) is not installed")


class Postgres:
    """A PostgreSQL cluster of the test's own (initdb in a temporary folder, pg_ctl on a
    free port), never the machine's shared one. As root, it runs as the postgres user
    (PostgreSQL refuses to run as root)."""

    def __init__(self):
        self.bin = postgres_bin_dir()
        self.user = "postgres" if os.geteuid() == 0 else None
        self.dir = Path(tempfile.mkdtemp(prefix="malardal-pg-"))
        if self.user:
            shutil.chown(self.dir, self.user)
        self.data = self.dir / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/malardal"
        try:
            self._run(
                "initdb",
                "-D",
                self.data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            )
            self.start()
            self._run("createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "malardal")
        except BaseException:
            self.destroy()  # a half-made cluster is stopped and removed too
            raise

    def _run(self, tool, *args, timeout=120):
        result = subprocess.run(
            [str(self.bin / tool), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=timeout,
            user=self.user,
            cwd=self.dir,
        )
        if result.returncode != 0:
            raise AssertionError(f"{tool} failed: {result.stdout}{result.stderr}")
        return result

    def start(self):
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} "
            "-c fsync=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", self.dir / "log", "-w", "start")

    def stop(self):
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def destroy(self):
        subprocess.run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"],
            capture_output=True,
            timeout=60,
            user=self.user,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


def secret_key() -> str:
    return secrets.token_urlsafe(50)
