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

Each page is requested once to warm up, then ``--requests`` times with Django's test
Client, timing each request from the client's side (the whole middleware stack, URL
resolving, view, queries and template, without a network or a WSGI server). A further
request counts its SQL queries. The same is done for a minimal view that returns
HttpResponse("ok") through the same middleware (registered only in bench.urls), so the
ratio shows what each page costs above the framework.
"""

import statistics
import time
import warnings
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from bench import data as bench_data

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
        with translation.override("sv"):
            built = time.perf_counter()
            data = bench_data.build(scale=scale, out=self.stdout.write)
            build_seconds = time.perf_counter() - built
        sizes = ", ".join(f"{count:,} {name}" for name, count in data.sizes.items())
        self.stdout.write(f"Built in {build_seconds:.0f} s: {sizes}.")

        visitor = Client()
        board = Client()
        board.force_login(get_user_model().objects.get(username=data.board_username))
        rows = []
        for label, path, client in self._pages(data, visitor, board):
            rows.append(self._measure(label, path, client, requests))
        self._print(rows, requests)
        self.stdout.write(
            f"Database: {connection.vendor}. Total time {time.perf_counter() - started:.0f} s."
        )

    def _pages(self, data, visitor, board):
        year = data.current_year

        def url(name, **kwargs):
            try:
                with translation.override("sv"):
                    return reverse(name, kwargs=kwargs or None)
            except NoReverseMatch:
                return None

        pages = [
            ("minimal view (baseline)", "/bench/minimal/", visitor),
            ("home", url("plan:home"), visitor),
            ("plan (whole year)", url("plan:plan_detail", year=year), visitor),
            ("plan archive", url("plan:archive"), visitor),
            (
                "section",
                url("plan:section_detail", year=data.section_path[0], slug=data.section_path[1]),
                visitor,
            ),
            (
                "activity",
                url("plan:activity_detail", year=data.activity_path[0], pk=data.activity_path[1]),
                visitor,
            ),
            ("events list", url("events:event_list"), visitor),
            ("event", url("events:event_detail", slug=data.event_slug), visitor),
            ("member directory", url("members:directory"), visitor),
            (
                "organisation",
                url("members:organisation_detail", slug=data.organisation_slug),
                visitor,
            ),
            ("bodies", url("members:body_list"), visitor),
            ("body", url("members:body_detail", slug=data.body_slug), visitor),
            ("En Bättre Sits", url("ebs:programme"), visitor),
            ("En Bättre Matchning", url("ebm:programme"), visitor),
            ("search 'region'", _with_query(url("plan:search"), "q=region"), visitor),
            ("search 'mälar'", _with_query(url("plan:search"), "q=m%C3%A4lar"), visitor),
            (
                "search, status filter",
                _with_query(url("plan:search"), f"year={year}&status=delayed"),
                visitor,
            ),
            ("follow-up dashboard (board)", url("plan:followup_dashboard", year=year), board),
        ]
        return [(label, path, client) for label, path, client in pages if path]

    def _measure(self, label, path, client, requests):
        response = client.get(path)
        if response.status_code != 200:
            raise CommandError(f"{label}: {path} answered {response.status_code}")
        timings = []
        for _ in range(requests):
            start = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - start) * 1000)
        with CaptureQueriesContext(connection) as queries:
            client.get(path)
        return {
            "label": label,
            "path": path,
            "median": statistics.median(timings),
            "p95": _percentile(timings, 95),
            "queries": len(queries.captured_queries),
            "size": len(response.content),
        }

    def _print(self, rows, requests):
        baseline = rows[0]["median"] or 1e-9
        header = (
            f"{'page':<30} {'median ms':>10} {'p95 ms':>9} {'× minimal':>10} "
            f"{'queries':>8} {'KiB':>7}  path"
        )
        self.stdout.write("")
        self.stdout.write(f"{requests} requests per page, after one warm-up request.")
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in rows:
            self.stdout.write(
                f"{row['label']:<30} {row['median']:>10.1f} {row['p95']:>9.1f} "
                f"{row['median'] / baseline:>10.1f} {row['queries']:>8} "
                f"{row['size'] / 1024:>7.0f}  {row['path']}"
            )
        self.stdout.write("")


def _with_query(path, query):
    return f"{path}?{query}" if path else None


def _percentile(values, percent):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * percent // 100))
    return ordered[int(rank) - 1]
