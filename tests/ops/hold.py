"""Loaded into a fault test's Celery worker (``celery worker --include tests.ops.hold``)
to make report builds slow deterministically: with MALARDAL_TEST_HOLD_DIR set, every
build, once it has claimed its request, writes ``started-<pid>-<n>`` (the pid of the
worker process running it) into that folder and waits until the test creates
``release`` there. Without the variable it does nothing. Never loaded by the portal."""

import itertools
import os
import time
from pathlib import Path

HOLD_DIR = os.environ.get("MALARDAL_TEST_HOLD_DIR")
WAIT_AT_MOST = 120  # seconds: a test that forgot to release does not leave a worker stuck

if HOLD_DIR:
    from plan import reports

    _build = reports.build_followup_report_file
    _count = itertools.count()

    def held_build(plan, **kwargs):
        folder = Path(HOLD_DIR)
        (folder / f"started-{os.getpid()}-{next(_count)}").write_text(str(os.getpid()))
        deadline = time.monotonic() + WAIT_AT_MOST
        while not (folder / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        return _build(plan, **kwargs)

    reports.build_followup_report_file = held_build
