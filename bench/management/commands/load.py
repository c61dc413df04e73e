"""Load on loopback: many concurrent clients against gunicorn and PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/malardal python manage.py load
    python manage.py load --clients 5 --seconds 2 --baseline-seconds 2   # a quick look

What it does, and undoes:

1. Makes a database of its own beside the one DATABASE_URL names (``<name>_load``),
   migrates it and loads the 2023 plan into it (``load_plan_2023``, the default
   reporting periods), with a board member and a session for the board's pages.
2. Collects the static files into a temporary folder and starts gunicorn with the
   portal's deploy/gunicorn.conf.py (sync workers, WEB_CONCURRENCY or 2 × cores + 1) on a
   free 127.0.0.1 port, DEBUG off, a freshly generated SECRET_KEY and
   ALLOWED_HOSTS=127.0.0.1 — production settings, behind a pretend TLS proxy (requests
   carry ``X-Forwarded-Proto: https`` from 127.0.0.1, which gunicorn trusts).
3. ``--clients`` clients (200) each request the main pages in turn for ``--seconds``
   (60), then the same number of clients request a minimal Django view (HttpResponse
   "ok" through the whole middleware stack) for ``--baseline-seconds`` (20). Each
   phase also stops after ``--max-requests``; a request taking longer than
   ``--timeout`` counts as an error.
4. Prints per page the requests, requests/s, latency p50/p95/p99 and errors; stops
   gunicorn, drops the database (``--keep`` keeps it) and exits non-zero if any request
   failed (anything but 200 within the timeout).

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
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import translation

BASE_DIR = Path(settings.BASE_DIR)
BOARD_USERNAME = "load-board"
MINIMAL_PATH = "/bench/minimal/"
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
        "Start gunicorn on loopback against a PostgreSQL database with the 2023 plan and "
        "put it under load: many concurrent clients over the main pages, then a minimal "
        "view; print requests/s, latency percentiles and errors."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clients", type=int, default=200, help="Concurrent clients (200).")
        parser.add_argument(
            "--seconds", type=float, default=60, help="Seconds of load on the pages (60)."
        )
        parser.add_argument(
            "--baseline-seconds",
            type=float,
            default=20,
            help="Seconds of load on the minimal view (20).",
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=500_000,
            help="At most this many requests per phase (500,000).",
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
            help="Use the database in use as it is, without loading the plan (for tests).",
        )
        parser.add_argument(
            "--skip-without-postgres",
            action="store_true",
            help="Without PostgreSQL, say so and stop without an error.",
        )

    def handle(self, *args, **options):
        if options["clients"] < 1 or options["seconds"] <= 0 or options["max_requests"] < 1:
            raise CommandError("--clients, --seconds and --max-requests must be above 0.")
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
        try:
            if not options["in_current_database"]:
                self.stdout.write("Loading the 2023 plan …")
                call_command("load_plan_2023", verbosity=0)
                call_command("create_default_periods", verbosity=0, stdout=io.StringIO())
            secret_key = secrets.token_urlsafe(50)
            cookie = self._board_session(secret_key)
            paths = self._paths()
            with tempfile.TemporaryDirectory(prefix="malardal-load-") as tmp:
                phases = self._run(Path(tmp), secret_key, cookie, paths, options)
        finally:
            connection.close()
            if old_name is not None:
                if options["keep"]:
                    self.stdout.write(f"Kept the load database {connection.settings_dict['NAME']}.")
                else:
                    connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
        self._print(phases, options)
        self.stdout.write(f"Total time {time.perf_counter() - started:.0f} s.")
        errors = sum(phase.errors for phase in phases)
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

    def _board_session(self, secret_key: str) -> str:
        """A logged-in session of a board member, signed with the server's key: the
        clients send it as their cookie on the board's pages."""
        from members import roles

        user, _ = get_user_model().objects.get_or_create(username=BOARD_USERNAME)
        user.groups.add(*Group.objects.filter(name=roles.BOARD))
        with override_settings(SECRET_KEY=secret_key):
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session.create()
            return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"

    def _paths(self) -> list[tuple[str, str, bool]]:
        """(label, path, as the board) of the main pages, from what is in the database."""
        from events.models import Event
        from members.models import Body, Organisation
        from plan.models import Activity, Plan, Section

        plan = Plan.objects.published().order_by("-year").first()
        section = plan and Section.objects.filter(plan=plan).order_by("order", "pk").first()
        activity = plan and Activity.objects.filter(section__plan=plan).order_by("pk").first()
        event = Event.objects.filter(visibility="public").order_by("pk").first()
        organisation = Organisation.objects.order_by("pk").first()
        body = Body.objects.order_by("pk").first()

        def url(name, language="sv", **kwargs):
            with translation.override(language):
                return reverse(name, kwargs=kwargs or None)

        pages = [
            ("home (sv)", url("plan:home"), False),
            ("home (en)", url("plan:home", "en"), False),
            ("plan archive", url("plan:archive"), False),
            ("events", url("events:event_list"), False),
            ("member directory", url("members:directory"), False),
            ("bodies", url("members:body_list"), False),
            ("En Bättre Sits", url("ebs:programme"), False),
            ("En Bättre Matchning", url("ebm:programme"), False),
            ("search 'region'", url("plan:search") + "?q=region", False),
        ]
        if plan:
            pages += [
                ("plan (whole year)", url("plan:plan_detail", year=plan.year), False),
                (
                    "follow-up dashboard (board)",
                    url("plan:followup_dashboard", year=plan.year),
                    True,
                ),
            ]
        if section:
            pages.append(
                ("section", url("plan:section_detail", year=plan.year, slug=section.slug), False)
            )
        if activity:
            pages.append(
                ("activity", url("plan:activity_detail", year=plan.year, pk=activity.pk), False)
            )
        if event:
            pages.append(("event", url("events:event_detail", slug=event.slug), False))
        if organisation:
            pages.append(
                ("organisation", url("members:organisation_detail", slug=organisation.slug), False)
            )
        if body:
            pages.append(("body", url("members:body_detail", slug=body.slug), False))
        return pages

    # --- gunicorn -----------------------------------------------------------------

    def _run(self, tmp: Path, secret_key: str, cookie: str, paths, options) -> list[Phase]:
        port = _free_port()
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
        self.stdout.write("Collecting static files …")
        collected = subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        if collected.returncode != 0:
            raise CommandError(f"collectstatic failed:\n{collected.stdout}{collected.stderr}")
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
                f"gunicorn {base} ({workers} sync workers, DEBUG off), database "
                f"{connection.settings_dict['NAME']}."
            )
            headers = {"X-Forwarded-Proto": "https"}
            board_headers = {**headers, "Cookie": cookie}
            pages = [
                (label, path, board_headers if as_board else headers)
                for label, path, as_board in paths
            ]
            self._warm_up(base, pages, log_path)
            phases = []
            for name, targets, seconds in [
                ("main pages", pages, options["seconds"]),
                (
                    "minimal view (baseline)",
                    [("minimal view", MINIMAL_PATH, headers)],
                    options["baseline_seconds"],
                ),
            ]:
                if seconds <= 0:
                    continue
                self.stdout.write(f"{options['clients']} clients for {seconds:g} s on the {name} …")
                phase = asyncio.run(
                    _load(
                        name,
                        base,
                        targets,
                        clients=options["clients"],
                        seconds=seconds,
                        max_requests=options["max_requests"],
                        timeout=options["timeout"],
                    )
                )
                phases.append(phase)
            if server.poll() is not None:
                raise CommandError(f"gunicorn stopped during the run:\n{_tail(log_path)}")
            return phases
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

    def _warm_up(self, base, pages, log_path):
        for label, path, headers in pages:
            status = _get_status(base + path, headers)
            if status != 200:
                raise CommandError(f"{label}: {path} answered {status}:\n{_tail(log_path)}")

    # --- Output -------------------------------------------------------------------

    def _print(self, phases, options):
        header = (
            f"{'page':<30} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'p99 ms':>8} {'errors':>7}"
        )
        self.stdout.write("")
        self.stdout.write(
            f"{options['clients']} concurrent clients on loopback; latency from the client's "
            "side, connect to last byte."
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for phase in phases:
            rows = phase.pages
            if len(rows) > 1:
                rows = [*rows, _combined(f"all {len(phase.pages)} pages", phase.pages)]
            for page in rows:
                self.stdout.write(_row(page, phase.elapsed))
            self.stdout.write(
                f"  {phase.name}: {phase.requests:,} requests in {phase.elapsed:.1f} s = "
                f"{phase.requests / phase.elapsed:,.0f} requests/s, {phase.errors} errors"
            )
            for page in phase.pages:
                if page.errors:
                    kinds = ", ".join(f"{kind} × {n}" for kind, n in page.errors.most_common())
                    self.stdout.write(f"  errors on {page.label} ({page.path}): {kinds}")
        self.stdout.write("")


def _row(page: PageStats, elapsed: float) -> str:
    ms = sorted(x * 1000 for x in page.latencies)

    def pct(p):
        return f"{_percentile(ms, p):8.0f}" if ms else f"{'–':>8}"

    return (
        f"{page.label[:30]:<30} {page.requests:>9,} {page.requests / elapsed:>8.1f} "
        f"{pct(50)} {pct(95)} {pct(99)} {sum(page.errors.values()):>7}"
    )


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
