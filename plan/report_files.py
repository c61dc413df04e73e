"""The yearly report as files the board downloads at once (issue 14, point 2).

A file is *current* when it was built from the data as it is now. What "the data as it
is now" means is :func:`data_version`: the newest audit entry of the apps the report
reads (the plan, its events and the people in it). Every write to those apps leaves an
audit entry (audit.recorder), so a new entry means the report may read differently; the
same version means a file already built can be served again without building it.

- :func:`downloads` tells the follow-up page, per format, the newest file ready (current
  or not) and the build of the current data under way, if any.
- After a change, :func:`schedule_refresh` queues one background build of every file of
  the adopted plans, REPORT_REFRESH_SECONDS later, once for a burst of changes (a cache
  key held for that long); the task asks plan.services.report_request_current, which
  builds only what is not current yet.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Max

from .models import Plan, ReportRequest

# The apps whose data the report reads.
REPORT_APPS = ("plan", "events", "members")
# The formats built ahead for the board (CSV is made on request only).
READY_FORMATS = (ReportRequest.Format.PDF, ReportRequest.Format.XLSX)
REFRESH_KEY = "plan:report-files-refresh"


def data_version() -> str:
    """The version of the data the report reads: the newest audit entry of
    REPORT_APPS ("a123"; "a0" before any). One query."""
    from audit.models import AuditEntry  # audit reads plan's models; imported late

    newest = AuditEntry.objects.filter(content_type__app_label__in=REPORT_APPS).aggregate(
        newest=Max("pk")
    )["newest"]
    return f"a{newest or 0}"


@dataclass
class Download:
    """One format of the report in one language on the follow-up page."""

    format: str
    ready: ReportRequest | None  # the newest file built (of any version)
    building: ReportRequest | None  # a build of the current data, queued or running
    failed: ReportRequest | None  # the newest build of the current data, if it failed

    @property
    def is_current(self) -> bool:
        return self.ready is not None and self.ready.data_version == self._version

    _version: str = ""


def downloads(plan: Plan, *, language: str, version: str | None = None) -> list[Download]:
    """Per format of READY_FORMATS: the newest file ready, a build of the current data
    under way and a failed one. Two queries (one with `version` given)."""
    version = version if version is not None else data_version()
    requests = list(
        ReportRequest.objects.filter(
            plan=plan, language=language, format__in=READY_FORMATS
        ).order_by("-created_at", "-pk")[:50]
    )
    result = []
    for fmt in READY_FORMATS:
        mine = [r for r in requests if r.format == fmt]
        ready = next((r for r in mine if r.status == ReportRequest.State.DONE and r.file), None)
        current = [r for r in mine if r.data_version == version]
        building = next((r for r in current if r.is_pending and not r.is_stale), None)
        failed = None
        if current and current[0].status == ReportRequest.State.FAILED:
            failed = current[0]
        item = Download(format=fmt, ready=ready, building=building, failed=failed)
        item._version = version
        result.append(item)
    return result


def schedule_refresh() -> bool:
    """Queue one background build of the report files REPORT_REFRESH_SECONDS from now,
    after the current transaction commits, unless one is queued already (a burst of
    changes builds once). Returns False when background builds are off: with
    REPORT_REFRESH_SECONDS 0, or without a broker (CELERY_BROKER_URL)."""
    delay = settings.REPORT_REFRESH_SECONDS
    if delay <= 0 or not settings.CELERY_BROKER_URL:
        # Without a broker (no worker: tasks run in the request) a change would wait
        # for four files to be built; they are built when the board asks instead.
        return False
    from .tasks import refresh_report_files

    def queue():
        # The key is taken once the change is committed: a rolled-back change
        # queues nothing and holds back no other change's build.
        if cache.add(REFRESH_KEY, 1, timeout=delay):
            refresh_report_files.apply_async(countdown=delay)

    transaction.on_commit(queue)
    return True
