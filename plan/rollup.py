"""Progress figures, defined once.

Every progress figure, every "late" count and every "report missing" count the portal
shows — home page, plan, section and programme pages, the board's dashboard, the yearly
report as a web page, PDF, XLSX and CSV — comes from :func:`progress_figures`. It takes
plain data (no models, no queries), so it is tested without a database; the selector
``plan.followup.plan_progress`` loads that data in a fixed number of queries and calls it.

The formula, for a chosen reporting period P (the *scope*, named beside every figure,
e.g. "32 % of 50 activities, tertial 2"):

1. **An activity's figure** is the progress (0–100) of its *latest report up to P*: of
   the periods up to and including P (in the periods' order), the last one in which the
   activity was reported on, and in that period the newest report. A report in an
   earlier period carries forward until a newer one replaces it.
2. **No report** (none in P or any period before it) counts as **0 %**, and the
   activity still counts: an unreported activity pulls the average down rather than
   disappearing from it.
3. **A section's, an area's (top-level section), a programme's and the plan's figure**
   is the plain average of the figures of *all* the activities in it — a section
   includes its sub-sections' activities — rounded half up to a whole per cent
   (42.5 % → 43 %). It is an average over activities, never an average of
   averages: a section with 10 activities weighs ten times one with 1. A scope without
   activities has no figure (0 activities, shown as such).

Two counts beside the figure, with separate words and separate definitions:

- **Late** ("Försenad"): the activity's end date has passed and its figure is below
  100 %. "Passed" is judged on the earlier of today and P's last day, so an old period
  reads as it stood when it ended. An activity without an end date is never late.
- **Report missing** ("Rapport saknas"): P's due date has passed and the activity has
  no report *in P itself* (a report carried forward from an earlier period does not
  count as P's report). Before the due date nothing is missing yet.

An activity can be both, either or neither; the two counts are never added together.
**Reported for P** ("3 av 5 rapporterade för tertial 2", on an owner's page) counts
the activities with a report in P itself: after P's due date, the others are exactly
those with a report missing.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import ngettext


@dataclass(frozen=True)
class Period:
    """A reporting period: ``order`` then ``due_date`` then ``id`` put periods in order."""

    id: int
    order: int
    ends_on: datetime.date
    due_date: datetime.date
    name: str = ""

    @property
    def sort_key(self) -> tuple:
        return (self.order, self.due_date, self.id)


# The per-activity records below are NamedTuples, not frozen dataclasses: a plan of
# 2,000 activities makes thousands of them per page, and a tuple is several times
# cheaper to build (issue 12). They are just as immutable.


class Report(NamedTuple):
    """The newest report on one activity in one period."""

    id: int
    period_id: int
    status_id: int
    progress: int
    reported_at: datetime.datetime | None = None


class ActivityData(NamedTuple):
    """What the roll-up reads of an activity: its end date and its reports (at least the
    newest one per period; older ones in the same period are ignored)."""

    id: int
    end_date: datetime.date | None
    reports: tuple[Report, ...] = ()


class ActivityFigure(NamedTuple):
    """One activity's part in a figure for the scope period."""

    id: int
    progress: int  # the latest report's up to the scope, 0 without one
    latest: Report | None  # that report (possibly from an earlier period)
    is_late: bool
    report_missing: bool
    reported_in_period: bool = False  # a report in the scope period itself

    @property
    def has_report(self) -> bool:
        return self.latest is not None


@dataclass(frozen=True)
class Figure:
    """The figure of one scope: a set of activities, for one period."""

    period: Period | None
    activity_count: int = 0
    progress_sum: int = 0
    late: int = 0
    report_missing: int = 0
    unreported: int = 0  # no report up to the period at all (counted as 0 %)
    by_status: Mapping[int, int] = field(default_factory=dict)  # latest report's status
    reported_in_period: int = 0  # with a report in the period itself (not carried forward)

    @property
    def progress(self) -> int:
        """The average in whole per cent, half up; 0 without activities."""
        if not self.activity_count:
            return 0
        return (2 * self.progress_sum + self.activity_count) // (2 * self.activity_count)

    @property
    def reported(self) -> int:
        return self.activity_count - self.unreported

    @property
    def scope(self) -> str:
        """The figure with its scope: "32 % of 50 activities, tertial 2"."""
        return figure_text(self)

    @property
    def late_text(self) -> str:
        return late_text(self)

    @property
    def report_missing_text(self) -> str:
        return report_missing_text(self)

    @property
    def reported_text(self) -> str:
        return reported_text(self)


@dataclass
class ProgressFigures:
    """The result of :func:`progress_figures`."""

    period: Period | None
    activities: dict[int, ActivityFigure]
    groups: dict[Hashable, Figure]
    total: Figure

    def group(self, key: Hashable) -> Figure:
        return self.groups.get(key) or Figure(self.period)


_NO_STAMP = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def _period_order(periods: Sequence[Period]) -> dict[int, tuple]:
    return {p.id: p.sort_key for p in periods}


def latest_report_up_to(
    reports: Iterable[Report],
    period: Period | None,
    periods: Sequence[Period],
    *,
    order: Mapping[int, tuple] | None = None,
) -> Report | None:
    """The activity's latest report in `period` or a period before it (rule 1).
    `order` is the periods' sort keys by id, when the caller has it already."""
    if order is None:
        order = _period_order(periods)
    limit = period.sort_key if period is not None else None
    best = None
    best_key = None
    for report in reports:
        key = order.get(report.period_id)
        if key is None or (limit is not None and key > limit):
            continue
        stamp = report.reported_at or _NO_STAMP
        full = (key, stamp, report.id)
        if best_key is None or full > best_key:
            best, best_key = report, full
    return best


def is_late(
    end_date: datetime.date | None, progress: int, period: Period | None, on: datetime.date
) -> bool:
    """Late: the end date has passed (on the earlier of `on` and the period's last day)
    and the activity is not reported done (below 100 %)."""
    if end_date is None:
        return False
    day = min(on, period.ends_on) if period is not None else on
    return end_date < day and progress < 100


def is_reported_in(reports: Iterable[Report], period: Period | None) -> bool:
    """The period itself holds a report on the activity (one carried forward from an
    earlier period does not count)."""
    return period is not None and any(r.period_id == period.id for r in reports)


def is_report_missing(reports: Iterable[Report], period: Period | None, on: datetime.date) -> bool:
    """Report missing: the period's due date has passed and it holds no report on the
    activity."""
    if period is None or period.due_date >= on:
        return False
    return not is_reported_in(reports, period)


def activity_figure(
    activity: ActivityData,
    period: Period | None,
    periods: Sequence[Period],
    on: datetime.date,
    *,
    order: Mapping[int, tuple] | None = None,
) -> ActivityFigure:
    latest = latest_report_up_to(activity.reports, period, periods, order=order)
    progress = latest.progress if latest is not None else 0
    return ActivityFigure(
        activity.id,
        progress,
        latest,
        is_late(activity.end_date, progress, period, on),
        is_report_missing(activity.reports, period, on),
        is_reported_in(activity.reports, period),
    )


def roll_up(items: Iterable[ActivityFigure], period: Period | None) -> Figure:
    """Sum activity figures into one scope's figure (rule 3)."""
    count = progress_sum = late = missing = unreported = in_period = 0
    by_status: dict[int, int] = {}
    for item in items:
        count += 1
        progress_sum += item.progress
        late += item.is_late
        missing += item.report_missing
        in_period += item.reported_in_period
        if item.latest is None:
            unreported += 1
        else:
            by_status[item.latest.status_id] = by_status.get(item.latest.status_id, 0) + 1
    return Figure(period, count, progress_sum, late, missing, unreported, by_status, in_period)


def progress_figures(
    activities: Sequence[ActivityData],
    *,
    periods: Sequence[Period],
    period: Period | None,
    on: datetime.date,
    groups: Mapping[Hashable, Iterable[int]] | None = None,
) -> ProgressFigures:
    """Every progress figure of a plan for the scope `period`, by the formula in this
    module's docstring.

    `activities` are all the plan's activities; `periods` all its reporting periods
    (any order); `period` the scope (None: a plan without periods, every figure 0 %);
    `on` today. `groups` maps a key of the caller's choosing (a section, an area, a
    programme) to the ids of the activities in it; an activity may be in several
    groups. Returns each activity's figure, each group's and the plan's (all
    activities). No queries, no side effects.
    """
    order = _period_order(periods)
    figures = {a.id: activity_figure(a, period, periods, on, order=order) for a in activities}
    grouped = {
        key: roll_up((figures[i] for i in ids if i in figures), period)
        for key, ids in (groups or {}).items()
    }
    return ProgressFigures(period, figures, grouped, roll_up(figures.values(), period))


def percent(value: int) -> str:
    """32 → "32 %" (a no-break space, as Swedish and English style guides want), in the
    active language's number format (malardal.formatting, the one place for formats)."""
    from malardal.formatting import percent as formatted

    return formatted(value)


def figure_text(figure: Figure) -> str:
    """ "32 % of 50 activities, tertial 2" — the figure and the scope it is of."""
    if figure.period is None:
        return ngettext(
            "%(percent)s of %(count)s activity",
            "%(percent)s of %(count)s activities",
            figure.activity_count,
        ) % {"percent": percent(figure.progress), "count": figure.activity_count}
    return ngettext(
        "%(percent)s of %(count)s activity, %(period)s",
        "%(percent)s of %(count)s activities, %(period)s",
        figure.activity_count,
    ) % {
        "percent": percent(figure.progress),
        "count": figure.activity_count,
        "period": figure.period.name,
    }


def late_text(figure: Figure) -> str:
    return ngettext("%(count)s late", "%(count)s late", figure.late) % {"count": figure.late}


def report_missing_text(figure: Figure) -> str:
    return ngettext(
        "%(count)s report missing", "%(count)s reports missing", figure.report_missing
    ) % {"count": figure.report_missing}


def reported_text(figure: Figure) -> str:
    """ "3 of 5 reported for tertial 2": the activities with a report in the period
    itself. Before the due date the rest are not missing yet; after it they are."""
    return ngettext(
        "%(reported)s of %(count)s reported for %(period)s",
        "%(reported)s of %(count)s reported for %(period)s",
        figure.activity_count,
    ) % {
        "reported": figure.reported_in_period,
        "count": figure.activity_count,
        "period": figure.period.name if figure.period is not None else "",
    }
