"""How much memory the yearly report PDF takes to build, at bench scale (`make bench`).

    python manage.py report_memory                 # one plan of 2,000 activities
    python manage.py report_memory --scale 0.5     # 1,000 (the time should halve)

Builds the bench's data set (bench/data.py) in a database of its own beside the one
DATABASE_URL names (``<name>_report``, or /tmp/malardal-report-bench.sqlite3 for SQLite),
then runs ``manage.py followup_report <year> --format pdf`` for last year's plan (every
period reported: the largest report) in a child process, the way a worker builds it,
and prints the child's peak resident memory and time against REPORT_MEMORY_LIMIT_MB.
The database is dropped afterwards. A figure, not a test: nothing fails when the peak is
over the budget, the line says so.
"""

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import translation

from bench import data as bench_data
from malardal.env import env_str
from plan.models import Activity, Plan

REPORT_MEMORY_LIMIT_MB = 500
SQLITE_FILE = "/tmp/malardal-report-bench.sqlite3"


class Command(BaseCommand):
    help = "Peak memory and time of the yearly report PDF for a bench-scale plan."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="Size of the data set: 1 is 2,000 activities per plan (default 1).",
        )

    def handle(self, *args, scale, **options):
        if scale <= 0:
            raise CommandError("--scale must be above 0.")
        settings_dict = connection.settings_dict
        if connection.vendor == "sqlite":
            name, url = SQLITE_FILE, f"sqlite:///{SQLITE_FILE}"
        else:
            name = f"{settings_dict['NAME']}_report"
            parts = urlsplit(env_str("DATABASE_URL", ""))
            url = urlunsplit(parts._replace(path=f"/{name}"))
        settings_dict.setdefault("TEST", {})["NAME"] = name
        old_name = settings_dict["NAME"]
        self.stdout.write(f"Report memory: building the bench data in {name} …")
        connection.creation.create_test_db(
            verbosity=0, autoclobber=True, serialize=False, keepdb=False
        )
        try:
            self._measure(scale, url)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)

    def _measure(self, scale, url):
        with translation.override("sv"):
            data = bench_data.build(scale=scale)
        year = data.current_year - 1
        plan = Plan.objects.get(year=year)
        activities = Activity.objects.filter(section__plan=plan).count()
        connection.close()  # the child process opens its own
        with tempfile.TemporaryDirectory() as directory:
            output = Path(directory) / "report.pdf"
            command = [
                sys.executable,
                str(Path(settings.BASE_DIR) / "manage.py"),
                "followup_report",
                str(year),
                "--format",
                "pdf",
                "--output",
                str(output),
            ]
            started = time.perf_counter()
            result = subprocess.run(
                command,
                env={**os.environ, "DATABASE_URL": url},
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.perf_counter() - started
            if result.returncode != 0:
                raise CommandError(f"The report failed:\n{result.stderr[-2000:]}")
            size = output.stat().st_size
        # ru_maxrss is in kilobytes on Linux: the largest child waited for, i.e. this one.
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        verdict = (
            "within"
            if peak_mb <= REPORT_MEMORY_LIMIT_MB
            else f"OVER by {peak_mb - REPORT_MEMORY_LIMIT_MB:,.0f} MB"
        )
        self.stdout.write(
            f"Report PDF, plan {year} with {activities:,} activities: peak {peak_mb:,.0f} MB "
            f"resident ({verdict} the {REPORT_MEMORY_LIMIT_MB} MB budget), {seconds:,.0f} s, "
            f"{size / 1024:,.0f} KiB."
        )
