"""The Celery beat schedule in words, for the admin's schedule page."""

import datetime
from dataclasses import dataclass

from celery.schedules import crontab, schedule
from django.conf import settings
from django.utils.translation import gettext as _

from malardal.celery import app

TASK_DESCRIPTIONS = {
    "reminders.tasks.run_reminders": lambda: _(
        "Send the reminders that are due: follow-up before and after the due date, "
        "the summary to the secretariat, and meeting reminders."
    ),
    "reminders.tasks.recover_reminders": lambda: _(
        "Send again what a stopped worker left half done."
    ),
    "ops.tasks.recover_jobs": lambda: (
        _(
            "Start again what a stopped worker or a restarted queue left behind: report "
            "builds (each tried at most %(attempts)d times), background imports and reminders."
        )
        % {"attempts": settings.MAX_BUILD_ATTEMPTS}
    ),
    "ops.tasks.housekeeping": lambda: _(
        "Clean up: import files never confirmed and files of deleted reports (older than "
        "a day), expired logins (sessions) and ended login lock-outs."
    ),
}


@dataclass
class Entry:
    name: str
    task: str
    what: str
    when: str
    next_run: datetime.datetime | None


def describe(when) -> str:
    if isinstance(when, crontab):
        minute, hour = str(when._orig_minute), str(when._orig_hour)
        every_day = all(
            str(part) == "*"
            for part in (
                when._orig_day_of_week,
                when._orig_day_of_month,
                when._orig_month_of_year,
            )
        )
        if every_day and minute.isdigit() and hour.isdigit():
            return _("Every day at %(time)s") % {"time": f"{int(hour):02d}:{int(minute):02d}"}
        if every_day and hour == "*" and minute.startswith("*/"):
            return _("Every %(minutes)s minutes") % {"minutes": minute[2:]}
        return "cron: " + " ".join(
            str(part)
            for part in (
                when._orig_minute,
                when._orig_hour,
                when._orig_day_of_month,
                when._orig_month_of_year,
                when._orig_day_of_week,
            )
        )
    if isinstance(when, schedule):
        when = when.run_every
    if isinstance(when, datetime.timedelta | int | float):
        seconds = when.total_seconds() if isinstance(when, datetime.timedelta) else when
        if seconds >= 60 and seconds % 60 == 0:
            return _("Every %(minutes)s minutes") % {"minutes": int(seconds // 60)}
        return _("Every %(seconds)d seconds") % {"seconds": seconds}
    return str(when)


def next_run(when) -> datetime.datetime | None:
    if isinstance(when, crontab):
        when = crontab(
            minute=when._orig_minute,
            hour=when._orig_hour,
            day_of_week=when._orig_day_of_week,
            day_of_month=when._orig_day_of_month,
            month_of_year=when._orig_month_of_year,
            app=app,
        )
        now = when.now()
        due = now + when.remaining_estimate(now)
        # remaining_estimate counts from the start of the current minute: round up.
        if due.second or due.microsecond:
            due = due.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
        return due
    return None


def schedule_entries() -> list[Entry]:
    entries = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        describe_task = TASK_DESCRIPTIONS.get(entry["task"])
        entries.append(
            Entry(
                name=name,
                task=entry["task"],
                what=describe_task() if describe_task else entry["task"],
                when=describe(entry["schedule"]),
                next_run=next_run(entry["schedule"]),
            )
        )
    return entries
