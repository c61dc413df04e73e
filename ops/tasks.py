"""Celery tasks of the operations app. Thin: they call ops.services."""

from celery import shared_task

from . import services


@shared_task
def recover_jobs() -> dict[str, list[int]]:
    """Queue again lost report builds and stalled reminders (beat: every
    JOB_RECOVERY_SECONDS). Safe to run twice: every job is claimed before it runs."""
    return services.jobs_recover()


@shared_task
def housekeeping() -> dict[str, int]:
    """Remove stale import files, orphaned report files, expired sessions and ended
    lock-out counters (beat: every night at HOUSEKEEPING_HOUR)."""
    return services.housekeeping_run()
