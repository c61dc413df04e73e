"""Load on loopback: many concurrent clients against gunicorn and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/malardal python manage.py load
    python manage.py load --clients 5 --seconds 2 --baseline-seconds 2   # a quick look

What it does, and undoes:

1. Makes a database of its own beside the one DATABASE_URL names (``<name>_load``),
   migrates it and loads the 2023 plan into it (``load_plan_2023``, the default
   reporting periods), with a board member and a member who owns activities, and a
   session for each.
2. Collects the static files into a temporary folder and starts gunicorn with the
   portal's deploy/gunicorn.conf.py (sync workers, WEB_CONCURRENCY or 2 × cores + 1) on a
   free 127.0.0.1 port, DEBUG off, a freshly generated SECRET_KEY and
   ALLOWED_HOSTS=127.0.0.1 — production settings, behind a pretend TLS proxy (requests
   carry ``X-Forwarded-Proto: https`` from 127.0.0.1, which gunicorn trusts).
3. Measures every page of bench/pages.py interleaved with a minimal Django view (the
   bare view: HttpResponse("ok") through the whole middleware stack): ``--clients``
   clients (200) on the bare view for ``--seconds`` (5), then on the page for as long,
   ``--rounds`` times (1), so a page and its bare view see the same machine. A phase
   also stops after ``--max-requests``; a request taking longer than ``--timeout``
   counts as an error. Visitors' pages are requested once first, so the page cache is
   warm, as it is in production; logged-in pages (the board's dashboard, a member's
   activities) are never cached.
4. Then builds the bench's large data set (bench/data.py, ``--scale``, 1; 0 skips it)
   in the same database, starts gunicorn afresh and measures again.
5. Prints per page and data set the requests/s, the bare view's requests/s beside it,
   their ratio with the issue's target (visitors at least 1/2 of the bare view's rate;
   logged-in pages 1/10 at 1×, 1/40 at bench scale; reported, not asserted), latency
   p50/p95/p99 and errors; stops gunicorn, drops the database (``--keep`` keeps it) and
   exits non-zero if any request failed (anything but 200 within the timeout).

Only loopback traffic: the clients talk to 127.0.0.1 and nothing else. PostgreSQL is
required (SQLite serialises writers and is not what production runs);
``--skip-without-postgres`` makes a missing PostgreSQL a message instead of an error
(`make bench` uses it). ``--in-current-database`` uses the database in use as it is
(for the test suite's smoke test, whose database is a test database anyway).
"""

import asyncio
import io
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.utils import translation

from bench import pages as bench_pages

BASE_DIR = Path(settings.BASE_DIR)
MINIMAL_PATH = bench_pages.MINIMAL_PATH
STARTUP_SECONDS = 60


@dataclass
class PageStats:
    label: str
    path: str
    latencies: list = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)

    @property
    def requests(self):
        return len(self.latencies) + sum(self.errors.values())


@dataclass
class Phase:
    name: str
    clients: int
    seconds: float
    pages: list  # PageStats, in the order the clients take them
    elapsed: float = 0.0

    @property
    def requests(self):
        return sum(page.requests for page in self.pages)

    @property
    def errors(self):
        return sum(sum(page.errors.values()) for page in self.pages)


class Command(BaseCommand):
    help = (
        "Start gunicorn on loopback against a PostgreSQL database with the 2023 plan, "
        "then with the bench's large data set, and put each page under load interleaved "
        "with a minimal view; print requests/s per page, the ratio to the minimal view, "
        "latency percentiles and errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=200, help="Concurrent clients (200).")
        parser.add_argument(
            "--seconds",
            type=float,
            default=5,
            help="Seconds of load per window: the bare view, then the page (5).",
        )
        parser.add_argument("--rounds", type=int, default=1, help="Windows of each per page (1).")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Size of the large data set measured after the 2023 plan (1, as make "
            "bench; 0 measures the 2023 plan only).",
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=500_000,
            help="At most this many requests per window (500,000).",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=60,
            help="A request taking longer than this many seconds is an error (60, "
            "gunicorn's own worker timeout).",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="gunicorn workers (default: WEB_CONCURRENCY, or 2 × cores + 1).",
        )
        parser.add_argument(
            "--db-name", default="", help="The load database (default <name>_load)."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the load database.")
        parser.add_argument(
            "--in-current-database",
            action="store_true",
            help="Use the database in use as it is, without loading the plan or building "
            "the large data set (for tests).",
        )
        parser.add_argument(
            "--skip-without-postgres",
            action="store_true",
            help="Without PostgreSQL, say so and stop without an error.",
        )

    def handle(self, *args, **options):
        if (
            options["clients"] < 1
            or options["seconds"] <= 0
            or options["max_requests"] < 1
            or options["rounds"] < 1
            or options["scale"] < 0
        ):
            raise CommandError(
                "--clients, --seconds, --rounds and --max-requests must be above 0, "
                "--scale not below 0."
            )
        if connection.vendor != "postgresql":
            message = (
                "The load run needs PostgreSQL, as production has: set DATABASE_URL, e.g. "
                "DATABASE_URL=postgres://postgres@127.0.0.1:5432/malardal make bench-load "
                f"(the database in use is {connection.vendor})."
            )
            if options["skip_without_postgres"]:
                self.stdout.write(f"Load run skipped. {message}")
                return
            raise CommandError(message)
        started = time.perf_counter()
        old_name = None
        if not options["in_current_database"]:
            old_name = self._create_database(options["db_name"])
        stages = []
        try:
            if not options["in_current_database"]:
                self.stdout.write("Loading the 2023 plan …")
                with translation.override("sv"):
                    call_command("load_plan_2023", verbosity=0)
                    call_command("create_default_periods", verbosity=0, stdout=io.StringIO())
            secret_key = secrets.token_urlsafe(50)
            with tempfile.TemporaryDirectory(prefix="malardal-load-") as tmp:
                self._collect_static(Path(tmp), secret_key)
                stages.append(
                    ("1x", "1× (the 2023 plan)", self._stage(Path(tmp), secret_key, options))
                )
                self._print(*stages[-1], options)
                if options["scale"] > 0 and not options["in_current_database"]:
                    from bench import data as bench_data

                    self.stdout.write(f"Building the bench data set, scale {options['scale']:g} …")
                    with translation.override("sv"):
                        bench_data.build(scale=options["scale"], out=lambda message: None)
                    title = f"bench scale {options['scale']:g}"
                    stages.append(("scale", title, self._stage(Path(tmp), secret_key, options)))
                    self._print(*stages[-1], options)
        finally:
            connection.close()
            if old_name is not None:
                if options["keep"]:
                    self.stdout.write(f"Kept the load database {connection.settings_dict['NAME']}.")
                else:
                    connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        self.stdout.write(f"Total time {time.perf_counter() - started:.0f} s.")
        errors = sum(
            phase.errors for _s, _t, results in stages for _p, phases in results for phase in phases
        )
        if errors:
            raise CommandError(f"{errors} request(s) failed; zero are expected.")

    # --- The database -------------------------------------------------------------

    def _create_database(self, db_name: str) -> str:
        settings_dict = connection.settings_dict
        name = db_name or f"{settings_dict['NAME']}_load"
        if name == settings_dict["NAME"]:
            raise CommandError("The load database must not be the portal's own database.")
        settings_dict.setdefault("TEST", {})["NAME"] = name
        old_name = settings_dict["NAME"]
        self.stdout.write(f"Creating the load database {name} …")
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
        return old_name

    def _database_url(self) -> str:
        d = connection.settings_dict
        user = quote(d.get("USER") or "", safe="")
        password = quote(d.get("PASSWORD") or "", safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = d.get("HOST") or "127.0.0.1"
        port = d.get("PORT") or "5432"
        return f"postgres://{auth}{host}:{port}/{quote(d['NAME'], safe='')}"

    def _session(self, user, secret_key: str) -> str:
        """A logged-in session of ``user``, signed with the server's key: the clients
        send it as their cookie on the logged-in pages."""
        with override_settings(SECRET_KEY=secret_key):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    # --- gunicorn -----------------------------------------------------------------

    def _env(self, tmp: Path, secret_key: str, options, port=0) -> dict:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings_load",
            "DEBUG": "0",
            "SECRET_KEY": secret_key,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": self._database_url(),
            "BIND": f"127.0.0.1:{port}",
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("CELERY_BROKER_URL", None)  # nothing here queues work
        if options["workers"]:
            env["WEB_CONCURRENCY"] = str(options["workers"])
        return env

    def _collect_static(self, tmp: Path, secret_key: str) -> None:
        self.stdout.write("Collecting static files …")
        collected = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=BASE_DIR,
            env=self._env(tmp, secret_key, {"workers": 0}),
            capture_output=True,
            text=True,
        )
        if collected.returncode != 0:
            raise CommandError(f"collectstatic failed:\n{collected.stdout}{collected.stderr}")

    def _stage(self, tmp: Path, secret_key: str, options) -> list:
        """Start gunicorn on the database as it is now, measure every page interleaved
        with the bare view, stop gunicorn. [(Page, [bare, page, bare, page …])]."""
        board, member = bench_pages.users()
        cookies = {
            "board": self._session(board, secret_key),
            "member": self._session(member, secret_key),
        }
        pages = bench_pages.main_pages()
        connection.close()  # gunicorn's workers and the clients only, from here
        port = _free_port()
        env = self._env(tmp, secret_key, options, port)
        log_path = tmp / "gunicorn.log"
        with open(log_path, "wb") as log:
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "--config",
                    "deploy/gunicorn.conf.py",
                    "--access-logfile",
                    str(tmp / "access.log"),
                    "malardal.wsgi",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        base = f"http://127.0.0.1:{port}"
        try:
            self._wait_until_up(server, base, log_path)
            workers = env.get("WEB_CONCURRENCY") or f"{(os.cpu_count() or 1) * 2 + 1}"
            self.stdout.write(
                f"gunicorn {base} ({workers} sync workers, DEBUG off, cache "
                f"{'Redis' if env.get('CACHE_URL') or env.get('REDIS_URL') else 'local memory'}"
                f"), database {connection.settings_dict['NAME']}."
            )
            visitor = {"X-Forwarded-Proto": "https", "Accept-Encoding": "gzip"}
            headers = {
                "visitor": visitor,
                **{who: {**visitor, "Cookie": cookie} for who, cookie in cookies.items()},
            }
            for page in pages:  # warm-up: the page cache filled, every page answering
                status = _get_status(base + page.path, headers[page.who])
                if status != 200:
                    raise CommandError(
                        f"{page.label}: {page.path} answered {status}:\n{_tail(log_path)}"
                    )
            self.stdout.write(
                f"{options['clients']} clients, {options['seconds']:g} s per window, "
                f"{options['rounds']} round(s) of bare view + page for {len(pages)} pages …"
            )
            results = []
            for page in pages:
                phases = []
                for _ in range(options["rounds"]):
                    for label, path, who in [
                        ("bare view", MINIMAL_PATH, "visitor"),
                        (page.label, page.path, page.who),
                    ]:
                        phases.append(
                            asyncio.run(
                                _load(
                                    label,
                                    base,
                                    [(label, path, headers[who])],
                                    clients=options["clients"],
                                    seconds=options["seconds"],
                                    max_requests=options["max_requests"],
                                    timeout=options["timeout"],
                                )
                            )
                        )
                results.append((page, phases))
            if server.poll() is not None:
                raise CommandError(f"gunicorn stopped during the run:\n{_tail(log_path)}")
            return results
        finally:
            _stop(server)

    def _wait_until_up(self, server, base, log_path):
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn did not start:\n{_tail(log_path)}")
            try:
                status = _get_status(base + MINIMAL_PATH, {"X-Forwarded-Proto": "https"})
            except OSError:
                time.sleep(0.2)
                continue
            if status == 200:
                return
            raise CommandError(f"{MINIMAL_PATH} answered {status}:\n{_tail(log_path)}")
        raise CommandError(f"gunicorn did not answer in {STARTUP_SECONDS} s:\n{_tail(log_path)}")

    # --- Output -------------------------------------------------------------------

    def _print(self, stage, title, results, options):
        user_target = bench_pages.share_label(bench_pages.WARM_MIN_SHARE["user"][stage])
        header = (
            f"{'page':<30} {'req/s':>8} {'bare req/s':>11} {'share':>7} {'target':>7} "
            f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'errors':>7}"
        )
        self.stdout.write("")
        self.stdout.write(
            f"{title}: {options['clients']} concurrent clients on loopback; share = the "
            "page's requests/s ÷ the bare view's in the windows beside it; latency from the "
            "client's side, connect to last byte. Targets (issue 12, cache warm): visitors "
            f"≥ 1/2, logged in ≥ {user_target}."
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for page, phases in results:
            bare = [phase for phase in phases[0::2]]
            mine = [phase for phase in phases[1::2]]
            rate = _rate(mine)
            bare_rate = _rate(bare)
            share = rate / bare_rate if bare_rate else 0.0
            target = bench_pages.warm_min_share(page, stage)
            stats = _combined(page.label, [p for phase in mine for p in phase.pages])
            ms = sorted(x * 1000 for x in stats.latencies)

            def pct(p, ms=ms):
                return f"{_percentile(ms, p):7.0f}" if ms else f"{'–':>7}"

            errors = sum(phase.errors for phase in phases)
            verdict = "ok" if share >= target else "<" + bench_pages.share_label(target)
            self.stdout.write(
                f"{page.label[:30]:<30} {rate:>8.1f} {bare_rate:>11.1f} "
                f"{_share(share):>7} {verdict:>7} "
                f"{pct(50)} {pct(95)} {pct(99)} {errors:>7}"
            )
            for phase in phases:
                for stats in phase.pages:
                    if stats.errors:
                        kinds = ", ".join(f"{k} × {n}" for k, n in stats.errors.most_common())
                        self.stdout.write(f"  errors on {stats.label} ({stats.path}): {kinds}")
        self.stdout.write("")


def _rate(phases) -> float:
    """Successful requests per second over the windows."""
    ok = sum(len(p.latencies) for phase in phases for p in phase.pages)
    elapsed = sum(phase.elapsed for phase in phases)
    return ok / elapsed if elapsed else 0.0


def _share(share: float) -> str:
    if share <= 0:
        return "0"
    return f"1/{1 / share:.1f}" if share < 1 else f"{share:.2f}"


def _combined(label, pages) -> PageStats:
    total = PageStats(label, "")
    for page in pages:
        total.latencies += page.latencies
        total.errors.update(page.errors)
    return total


def _percentile(ordered, percent):
    """Nearest-rank percentile of an ordered list."""
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]


# --- The clients ------------------------------------------------------------------------


async def _load(name, base, targets, *, clients, seconds, max_requests, timeout) -> Phase:
    """`clients` clients, each requesting `targets` in turn (starting at different
    places) until `seconds` have passed or `max_requests` have been started."""
    import aiohttp

    pages = [PageStats(label, path) for label, path, _headers in targets]
    left = [max_requests]
    connector = aiohttp.TCPConnector(limit=clients)
    client_timeout = aiohttp.ClientTimeout(total=timeout)

    async with aiohttp.ClientSession(
        connector=connector, timeout=client_timeout, auto_decompress=False
    ) as session:
        start = time.monotonic()
        deadline = start + seconds

        async def client(offset):
            index = offset
            while time.monotonic() < deadline and left[0] > 0:
                left[0] -= 1
                position = index % len(targets)
                index += 1
                _label, path, headers = targets[position]
                stats = pages[position]
                began = time.perf_counter()
                try:
                    async with session.get(
                        base + path, headers=headers, allow_redirects=False
                    ) as response:
                        await response.read()
                        status = response.status
                except TimeoutError:
                    stats.errors["timeout"] += 1
                    continue
                except aiohttp.ClientError as error:
                    stats.errors[type(error).__name__] += 1
                    continue
                if status == 200:
                    stats.latencies.append(time.perf_counter() - began)
                else:
                    stats.errors[f"HTTP {status}"] += 1

        await asyncio.gather(*(client(n) for n in range(clients)))
        elapsed = time.monotonic() - start
    return Phase(name, clients, seconds, pages, elapsed)


def _get_status(url: str, headers: dict) -> int:
    """One plain request (start-up check and warm-up)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers
        )
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(server: subprocess.Popen) -> None:
    """TERM to gunicorn's process group (the arbiter and its workers), KILL if it has
    not stopped within its graceful timeout."""
    if server.poll() is not None:
        return
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=35)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
    except ProcessLookupError:
        pass


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except FileNotFoundError:
        return "(no log)"
