"""Time the main pages on a large synthetic data set.

    python manage.py bench                   # scale 1: 10 plans × 2,000 activities …
    python manage.py bench --scale 0.1 --requests 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/malardal python manage.py bench

The data set is built in a database of its own, never in the one DATABASE_URL names:
for SQLite a fresh file (``--db-name``, by default /tmp/malardal-bench.sqlite3), for
PostgreSQL a database named ``<name>_bench`` beside it. It is made the way the test
runner makes its database (migrated from scratch) and dropped at the end unless
``--keep`` is given. ``--in-current-database`` builds in the database already in use;
the test suite's smoke test uses it, since its database is a test database anyway.

It measures twice: first with the 2023 plan alone (``load_plan_2023``: "1×"), then
with the large data set built on top of it ("bench scale"). Each page (bench/pages.py)
is requested with Django's test Client, timing each request from the client's side (the
whole middleware stack, URL resolving, view, queries and template, without a network or
a WSGI server), interleaved with the bare view (HttpResponse("ok") through the same
middleware, registered only in bench.urls): bare view, page, bare view, page …
``--requests`` times each after a warm-up request, so both see the same machine at the
same moment. The figure is the page's median over the bare view's median, once with the
page cache off (uncached: what a page costs to make) and once with it on and filled
(warm: what a visitor's request costs; logged-in pages are never cached). A further
request counts the page's SQL queries. The issue's targets are printed beside the
figures (reported, not asserted).
"""

import io
import statistics
import time
import warnings
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import translation

from bench import data as bench_data
from bench import pages as bench_pages

try:
    from malardal import pagecache
except ImportError:  # a checkout from before the page cache (to measure "before")
    pagecache = None

DEFAULT_SQLITE_FILE = "/tmp/malardal-bench.sqlite3"

# Settings while measuring: production-like (no DEBUG), plain static file names (no
# collectstatic manifest needed), a fast password hasher for the bench's users, and the
# urlconf that adds the baseline view.
MEASURE_SETTINGS = {
    "DEBUG": False,
    "ROOT_URLCONF": "bench.urls",
    "ALLOWED_HOSTS": ["testserver"],
    "SECURE_SSL_REDIRECT": False,
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "CELERY_TASK_ALWAYS_EAGER": True,
}


class Command(BaseCommand):
    help = "Build a large synthetic data set in a database of its own and time the main pages."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Size of the data set: 1 is 10 plans × 2,000 activities, 300 organisations, "
            "3,000 persons, 500 events (default 1).",
        )
        parser.add_argument(
            "--requests", type=int, default=20, help="Timed requests per page (default 20)."
        )
        parser.add_argument(
            "--db-name",
            default="",
            help=f"The bench database: a file for SQLite (default {DEFAULT_SQLITE_FILE}), "
            "a database name for PostgreSQL (default <name>_bench).",
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the bench database afterwards."
        )
        parser.add_argument(
            "--in-current-database",
            action="store_true",
            help="Build in the database in use instead of a new one (for tests).",
        )

    def handle(self, *args, scale, requests, db_name, keep, in_current_database, **options):
        if scale <= 0 or requests < 1:
            raise CommandError("--scale must be above 0 and --requests at least 1.")
        started = time.perf_counter()
        # Static files are not served in the bench; whitenoise need not say so.
        warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
        old_name = None
        if not in_current_database:
            old_name = self._create_database(db_name)
        try:
            with override_settings(**MEASURE_SETTINGS):
                self._run(scale, requests, started)
        finally:
            if old_name is not None:
                if keep:
                    self.stdout.write(
                        f"Kept the bench database {connection.settings_dict['NAME']}."
                    )
                else:
                    connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)

    # --- Database -----------------------------------------------------------------

    def _create_database(self, db_name: str) -> str:
        """Create and migrate the bench database; return the configured database's name
        (to switch back to when the bench database is dropped)."""
        settings_dict = connection.settings_dict
        if connection.vendor == "sqlite":
            name = db_name or DEFAULT_SQLITE_FILE
            if Path(name).resolve() == Path(str(settings_dict["NAME"])).resolve():
                raise CommandError("The bench database must not be the portal's own database.")
        else:
            name = db_name or f"{settings_dict['NAME']}_bench"
            if name == settings_dict["NAME"]:
                raise CommandError("The bench database must not be the portal's own database.")
        settings_dict.setdefault("TEST", {})["NAME"] = name
        old_name = settings_dict["NAME"]
        self.stdout.write(f"Creating the bench database {name} ({connection.vendor}) …")
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
        return old_name

    # --- Measuring ----------------------------------------------------------------

    def _run(self, scale, requests, started):
        from django.core.management import call_command

        self.stdout.write(
            f"Cache: {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
            "uncached = PAGE_CACHE_SECONDS=0, warm = the page cache on and filled by a "
            "first request (logged-in pages are never cached: the same figure twice)."
        )
        with translation.override("sv"):
            call_command("load_plan_2023", verbosity=0, stdout=io.StringIO())
            call_command("create_default_periods", verbosity=0, stdout=io.StringIO())
        stages = [("1x", "1× (the 2023 plan)", self._measure_stage(requests))]
        self._print(*stages[-1], requests)

        with translation.override("sv"):
            built = time.perf_counter()
            data = bench_data.build(scale=scale, out=self.stdout.write)
            build_seconds = time.perf_counter() - built
        sizes = ", ".join(f"{count:,} {name}" for name, count in data.sizes.items())
        self.stdout.write(f"Built in {build_seconds:.0f} s: {sizes}.")
        stages.append(("scale", f"bench scale {scale:g}", self._measure_stage(requests)))
        self._print(*stages[-1], requests)
        self._summary(stages)
        self.stdout.write(
            f"Database: {connection.vendor}. Total time {time.perf_counter() - started:.0f} s."
        )

    def _measure_stage(self, requests):
        board_user, member_user = bench_pages.users()
        clients = {"visitor": Client(), "board": Client(), "member": Client()}
        clients["board"].force_login(board_user)
        clients["member"].force_login(member_user)
        rows = []
        for page in bench_pages.main_pages():
            client = clients[page.who]
            with override_settings(PAGE_CACHE_SECONDS=0):
                uncached = self._measure(page, client, clients["visitor"], requests)
            if pagecache is not None:
                pagecache.bump()
            warm = self._measure(page, client, clients["visitor"], requests)
            rows.append((page, uncached, warm))
        # The bare view's time: the median of its medians beside every page (the "bare
        # ms" column), so one busy moment beside one page does not skew its figure.
        bare = statistics.median(uncached["bare"] for _page, uncached, _warm in rows)
        for _page, *both in rows:
            for measured in both:
                measured["ratio"] = measured["median"] / (bare or 1e-9)
        return rows

    def _measure(self, page, client, visitor, requests):
        """The page and the bare view, one after the other, ``requests`` times (after a
        warm-up request of each): medians of each, so both see the same machine."""
        response = client.get(page.path)
        if response.status_code != 200:
            raise CommandError(f"{page.label}: {page.path} answered {response.status_code}")
        visitor.get(bench_pages.MINIMAL_PATH)
        timings, bare = [], []
        for _ in range(requests):
            start = time.perf_counter()
            visitor.get(bench_pages.MINIMAL_PATH)
            bare.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            client.get(page.path)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(page.path)
        return {
            "median": statistics.median(timings),
            "p95": _percentile(timings, 95),
            "bare": statistics.median(bare),
            "queries": len(queries.captured_queries),
            "size": len(response.content),
        }

    def _print(self, stage, title, rows, requests):
        header = (
            f"{'page':<30} {'bare ms':>8} {'uncached ms':>12} {'× bare':>8} {'target':>7} "
            f"{'warm ms':>8} {'× bare':>8} {'target':>7} {'queries':>8} {'KiB':>6}  path"
        )
        self.stdout.write("")
        self.stdout.write(
            f"{title}: median of {requests} requests per page, each after a request of the "
            f"bare view {bench_pages.MINIMAL_PATH} (bare ms: its median beside the page; "
            "× bare: the page's median ÷ the median of the bare column). "
            "Targets (issue 12): uncached ≤ "
            f"{bench_pages.UNCACHED_MAX[stage]}× the bare view; warm, the bare view's rate "
            f"× {bench_pages.share_label(bench_pages.WARM_MIN_SHARE['visitor'][stage])} for "
            f"visitors, × {bench_pages.share_label(bench_pages.WARM_MIN_SHARE['user'][stage])}"
            " logged in (as time: ≤ 2×, ≤ "
            f"{round(1 / bench_pages.WARM_MIN_SHARE['user'][stage])}×)."
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for page, uncached, warm in rows:
            warm_max = 1 / bench_pages.warm_min_share(page, stage)
            uncached_max = bench_pages.UNCACHED_MAX[stage]
            self.stdout.write(
                f"{page.label[:30]:<30} {uncached['bare']:>8.2f} {uncached['median']:>12.1f} "
                f"{uncached['ratio']:>8.1f} {_mark(uncached['ratio'], uncached_max):>7} "
                f"{warm['median']:>8.2f} {warm['ratio']:>8.1f} {_mark(warm['ratio'], warm_max):>7} "
                f"{uncached['queries']:>8} {uncached['size'] / 1024:>6.0f}  {page.path}"
            )
        self.stdout.write("")

    def _summary(self, stages):
        """One line per page: × bare at 1× and at scale, uncached and warm."""
        by_label = {}
        for stage, _title, rows in stages:
            for page, uncached, warm in rows:
                by_label.setdefault(page.label, {})[stage] = (uncached["ratio"], warm["ratio"])
        header = (
            f"{'page (× bare view, median)':<30} {'1× uncached':>12} {'1× warm':>9} "
            f"{'scale uncached':>15} {'scale warm':>11}"
        )
        self.stdout.write("Summary")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for label, figures in by_label.items():
            one = figures.get("1x", (None, None))
            big = figures.get("scale", (None, None))
            self.stdout.write(
                f"{label[:30]:<30} {_fig(one[0]):>12} {_fig(one[1]):>9} "
                f"{_fig(big[0]):>15} {_fig(big[1]):>11}"
            )
        self.stdout.write("")


def _fig(value):
    return "–" if value is None else f"{value:.1f}"


def _mark(value, limit):
    return "ok" if value <= limit else f">{limit:g}"


def _percentile(values, percent):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]
