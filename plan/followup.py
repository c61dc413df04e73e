"""Reads for the follow-up: the latest report per activity and period, and every
progress figure of a plan (sections, areas, programmes, the whole plan).

The figures themselves — what an activity's latest report counts as, how they average,
what "late" and "report missing" mean — are computed by plan.rollup.progress_figures
and documented there; nothing else in the portal computes a progress figure. Every
selector here runs a fixed number of queries whatever the size of the plan: the newest
report of every activity and period comes from one query (a correlated subquery picks
the newest row), and the roll-up is computed in Python.
"""

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Person, Programme

from . import rollup, selectors_goals
from .models import (
    Activity,
    ActivityGoal,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    ReportingPeriod,
    Section,
    Status,
    StatusUpdate,
)
from .selectors import SectionTree, section_tree

OWN_ACTIVITY_PERMISSION = "plan.report_own_activity"
REPORT_FOR_ANYONE_PERMISSION = "plan.add_statusupdate"
DASHBOARD_PERMISSION = "plan.view_followup_dashboard"
REPORT_PERMISSION = "plan.request_followup_report"

NO_REPORT_COLOUR = "#ffffff"


# --- Periods --------------------------------------------------------------------------


def today() -> datetime.date:
    return timezone.localdate()


def plan_periods(plan: Plan) -> list[ReportingPeriod]:
    """The plan's reporting periods in order (one query)."""
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("order", "due_date", "pk"))
    for period in periods:
        period.plan = plan
    return periods


def current_period(periods: list[ReportingPeriod], *, on: datetime.date | None = None):
    """The period to show first: the open one whose report is due next; when every
    open period's due date has passed, the one due last; without open periods, the
    last period that has started, or the first one."""
    on = on or today()
    if not periods:
        return None
    started = [p for p in periods if p.starts_on <= on]
    open_ = [p for p in started if not p.is_locked]
    upcoming = sorted((p for p in open_ if p.due_date >= on), key=lambda p: p.due_date)
    if upcoming:
        return upcoming[0]
    if open_:
        return max(open_, key=lambda p: p.due_date)
    if started:
        return max(started, key=lambda p: p.due_date)
    return periods[0]


def open_periods_of(periods: list[ReportingPeriod], *, on: datetime.date | None = None):
    """The periods that take reports on `on`, the one due next first."""
    on = on or today()
    current = current_period(periods, on=on)
    open_ = [p for p in periods if p.is_open_on(on)]
    return sorted(open_, key=lambda p: (p != current, p.due_date, p.order))


# --- Latest reports -------------------------------------------------------------------


def latest_updates(
    *, plan: Plan | None = None, period: ReportingPeriod | None = None, activities=None
) -> QuerySet[StatusUpdate]:
    """The newest report per activity and period (one query), with status and
    reporter. Narrow by `period`, `plan` and/or `activities`."""
    newest = (
        StatusUpdate.objects.filter(activity=OuterRef("activity_id"), period=OuterRef("period_id"))
        .order_by("-reported_at", "-pk")
        .values("pk")[:1]
    )
    updates = StatusUpdate.objects.all()
    if period is not None:
        updates = updates.filter(period=period)
    if plan is not None:
        updates = updates.filter(period__plan=plan)
    if activities is not None:
        updates = updates.filter(activity__in=activities)
    return updates.filter(pk=Subquery(newest)).select_related("status", "reported_by")


# --- Roll-up --------------------------------------------------------------------------
#
# The formula lives in plan.rollup (pure, documented there); this part loads its plain
# data in a fixed number of queries and dresses the result for pages and reports.


@dataclass
class StatusCount:
    label: str
    count: int
    colour: str
    status: Status | None = None

    def as_tuple(self):
        return (self.label, self.count, self.colour)


def status_counts(
    figure: rollup.Figure, statuses: list[Status], *, include_empty=False
) -> list[StatusCount]:
    """A figure's activities by the status of their latest report, in the statuses'
    order, then "no report"."""
    counts = [
        StatusCount(str(s.name), figure.by_status.get(s.pk, 0), s.colour, s)
        for s in statuses
        if include_empty or figure.by_status.get(s.pk)
    ]
    if include_empty or figure.unreported:
        counts.append(StatusCount(str(_("No report")), figure.unreported, NO_REPORT_COLOUR))
    return counts


@dataclass
class ActivityFollowUp:
    """An activity with its figure (plan.rollup.ActivityFigure) and, where the page
    shows it, the report that figure comes from (a StatusUpdate, or None). `activity`
    is a model where the page shows the activity, else its plain row (ActivityRow)."""

    activity: "Activity | ActivityRow"
    figure: rollup.ActivityFigure
    latest: StatusUpdate | None = None

    @property
    def progress(self) -> int:
        return self.figure.progress

    @property
    def is_late(self) -> bool:
        return self.figure.is_late

    @property
    def report_missing(self) -> bool:
        return self.figure.report_missing

    @property
    def needs_attention(self) -> bool:
        return self.figure.is_late or self.figure.report_missing


@dataclass
class SectionFollowUp:
    section: Section
    activities: list[ActivityFollowUp]
    own: rollup.Figure
    total: rollup.Figure  # the section with all its sub-sections
    counts: list[StatusCount] = field(default_factory=list)  # of `total`, per status

    @property
    def needing_attention(self) -> list[ActivityFollowUp]:
        return [a for a in self.activities if a.needs_attention]


@dataclass
class PlanFollowUp:
    plan: Plan
    period: ReportingPeriod | None  # the scope of every figure
    periods: list[ReportingPeriod]
    statuses: list[Status]
    tree: SectionTree
    sections: list[SectionFollowUp]
    total: rollup.Figure
    programmes: list[tuple[str, rollup.Figure]]
    on: datetime.date
    figures: rollup.ProgressFigures | None = None

    @property
    def is_overdue(self) -> bool:
        """The period's reports were due before today."""
        return self.period is not None and self.period.due_date < self.on

    @property
    def sections_with_activities(self) -> list[SectionFollowUp]:
        return [s for s in self.sections if s.total.activity_count]

    @property
    def top_level(self) -> list[SectionFollowUp]:
        return [s for s in self.sections if s.section.depth == 0 and s.total.activity_count]

    @property
    def needing_attention(self) -> list[ActivityFollowUp]:
        return [a for s in self.sections for a in s.needing_attention]

    def section(self, section: Section) -> SectionFollowUp | None:
        if not hasattr(self, "_by_section"):
            self._by_section = {s.section.pk: s for s in self.sections}
        return self._by_section.get(section.pk)

    def programme(self, code: str) -> rollup.Figure:
        return self.figures.group(("programme", code))

    def activity(self, pk: int) -> rollup.ActivityFigure | None:
        return self.figures.activities.get(pk)

    def status_counts(self, *, include_empty=False) -> list[StatusCount]:
        return status_counts(self.total, self.statuses, include_empty=include_empty)


def section_programme(section: Section) -> str:
    """A section's programme, inherited from the nearest section above that has one."""
    if section.programme:
        return section.programme
    for ancestor in reversed(getattr(section, "ancestors", [])):
        if ancestor.programme:
            return ancestor.programme
    return ""


def plan_activities(plan: Plan) -> list[Activity]:
    """Every activity of the plan in document order with its owners (two queries)."""
    return list(
        Activity.objects.filter(section__plan=plan)
        .order_by("section__order", "order", "pk")
        .prefetch_related(
            Prefetch("owners", queryset=Person.objects.order_by("last_name", "first_name"))
        )
    )


def rollup_period(period: ReportingPeriod) -> rollup.Period:
    return rollup.Period(
        id=period.pk,
        order=period.order,
        ends_on=period.ends_on,
        due_date=period.due_date,
        name=str(period.name),
    )


def _report(update) -> rollup.Report:
    return rollup.Report(
        update.pk, update.period_id, update.status_id, update.progress, update.reported_at
    )


def follow_up(
    plan: Plan,
    *,
    periods: list[ReportingPeriod],
    period: ReportingPeriod | None,
    statuses: list[Status],
    tree: SectionTree,
    activities: "Sequence[Activity | ActivityRow]",
    updates: "Sequence[StatusUpdate | ReportRow]",
    on: datetime.date,
) -> PlanFollowUp:
    """Compute every figure with plan.rollup.progress_figures and dress the result.

    `activities` are the plan's activities (models or rows with ``pk``, ``section_id``
    and ``end_date``) in document order; `updates` the newest report per activity and
    period (StatusUpdates, or ReportRows: then no activity has a ``latest`` model).
    No queries."""
    reports = defaultdict(list)
    updates_by_pk = {}
    for update in updates:
        if isinstance(update, ReportRow):
            # A plain row: it is its own report; there is no model to show.
            reports[update.activity_id].append(update.report)
            continue
        reports[update.activity_id].append(_report(update))
        updates_by_pk[update.pk] = update
    no_reports = ()
    data = [
        rollup.ActivityData(a.pk, a.end_date, tuple(reports.get(a.pk, no_reports)))
        for a in activities
    ]
    # The groups each section's activities belong to, worked out once per section.
    section_keys = {}
    for section in tree.sections:
        section_keys[section.pk] = [
            ("own", section.pk),
            *(("section", scope.pk) for scope in [section, *section.ancestors]),
            ("programme", section_programme(section)),
        ]
    groups = defaultdict(list)
    for activity in activities:
        for key in section_keys[activity.section_id]:
            groups[key].append(activity.pk)
    figures = rollup.progress_figures(
        data,
        periods=[rollup_period(p) for p in periods],
        period=rollup_period(period) if period is not None else None,
        on=on,
        groups=groups,
    )
    by_section = defaultdict(list)
    for activity in activities:
        figure = figures.activities[activity.pk]
        latest = updates_by_pk.get(figure.latest.id) if figure.latest is not None else None
        by_section[activity.section_id].append(ActivityFollowUp(activity, figure, latest))
    sections = []
    for section in tree.sections:
        total = figures.group(("section", section.pk))
        sections.append(
            SectionFollowUp(
                section=section,
                activities=by_section.get(section.pk, []),
                own=figures.group(("own", section.pk)),
                total=total,
                counts=status_counts(total, statuses),
            )
        )
    programmes = [
        (str(label), figures.group(("programme", code)))
        for code, label in Programme.choices
        if figures.group(("programme", code)).activity_count
    ]
    return PlanFollowUp(
        plan=plan,
        period=period,
        periods=periods,
        statuses=statuses,
        tree=tree,
        sections=sections,
        total=figures.total,
        programmes=programmes,
        on=on,
        figures=figures,
    )


class ActivityRow(NamedTuple):
    """What the roll-up needs of an activity, read as values (no model instance): plain
    data, not a stand-in for the model; pages that show the activity pass the model."""

    pk: int
    section_id: int
    end_date: datetime.date | None


class ReportRow(NamedTuple):
    """The newest report of an activity in a period, read as values. Without its time:
    there is one per activity and period, so the periods' order alone picks the latest
    (plan.rollup, rule 1)."""

    activity_id: int
    report: rollup.Report


def section_and_below(tree: SectionTree, section: Section) -> list[int]:
    """The pks of `section` and of every section under it (no query)."""
    return [s.pk for s in tree.sections if s.pk == section.pk or section in s.ancestors]


def plan_progress(
    plan: Plan,
    *,
    tree: SectionTree | None = None,
    period: ReportingPeriod | None = None,
    on: datetime.date | None = None,
    within: Section | None = None,
    periods: list[ReportingPeriod] | None = None,
) -> PlanFollowUp:
    """Every progress figure of `plan` for `period` (by default the current period, as
    on the dashboard): per activity, section (with its sub-sections), area, programme
    and the plan. The selector the home, plan, section and programme pages use.

    With `within` (a section of `tree`), only the activities of that section and its
    sub-sections are read: the figures of `within`, of the sections under it and of
    their activities are the whole plan's (each is an average over its own activities),
    the others cover only that part and are not to be shown. A section page reads this
    way what it shows rather than the whole plan.

    Four queries whatever the plan's size (five without `tree`): periods, statuses,
    activities and the newest report per activity and period, read as plain values;
    one less with `periods` (plan_periods(plan), when the caller has them)."""
    on = on or today()
    if periods is None:
        periods = plan_periods(plan)
    if period is None:
        period = current_period(periods, on=on)
    if tree is None:
        tree = section_tree(plan)
    statuses = list(Status.objects.order_by("order", "pk"))
    activities = Activity.objects.filter(section__plan=plan)
    updates = latest_updates(plan=plan)
    if within is not None:
        scope = section_and_below(tree, within)
        activities = Activity.objects.filter(section__in=scope)
        updates = updates.filter(activity__section__in=scope)
    activities = [
        ActivityRow._make(row)
        for row in activities.order_by("section__order", "order", "pk").values_list(
            "pk", "section_id", "end_date"
        )
    ]
    # No ordering: the model's default one would join the activity, section and plan.
    Report = rollup.Report
    updates = [
        ReportRow(activity_id, Report(pk, period_id, status_id, progress))
        for activity_id, pk, period_id, status_id, progress in updates.order_by().values_list(
            "activity_id", "pk", "period_id", "status_id", "progress"
        )
    ]
    return follow_up(
        plan,
        periods=periods,
        period=period,
        statuses=statuses,
        tree=tree,
        activities=activities,
        updates=updates,
        on=on,
    )


def plan_followup(
    plan: Plan, period: ReportingPeriod | None = None, *, on: datetime.date | None = None
) -> PlanFollowUp:
    """The board's dashboard: plan_progress's figures for `period` (by default the
    current one), with every activity as a model (owners prefetched) and the report its
    figure comes from. Seven queries whatever the plan's size."""
    on = on or today()
    periods = plan_periods(plan)
    if period is None:
        period = current_period(periods, on=on)
    statuses = list(Status.objects.order_by("order", "pk"))
    tree = section_tree(plan)
    sections_by_pk = {s.pk: s for s in tree.sections}
    activities = plan_activities(plan)
    for activity in activities:
        activity.section = sections_by_pk[activity.section_id]
    updates = list(latest_updates(plan=plan).select_related("period"))
    return follow_up(
        plan,
        periods=periods,
        period=period,
        statuses=statuses,
        tree=tree,
        activities=activities,
        updates=updates,
        on=on,
    )


def dashboard_rows(
    items: list[ActivityFollowUp],
    *,
    tree: SectionTree,
    periods: list[ReportingPeriod],
    statuses: list[Status],
) -> None:
    """Dress the activities a page lists (plan_progress gives them as plain rows): each
    item's ``activity`` becomes the model, with its owners and its section (from
    `tree`), and ``latest`` the report its figure comes from, with status and period.
    Only `items` are read, so a page that lists 80 of 2,000 activities loads 80. Three
    queries (none for no items)."""
    pks = {item.activity.pk for item in items}
    if not pks:
        return
    sections = {s.pk: s for s in tree.sections}
    models = {
        activity.pk: activity
        for activity in Activity.objects.filter(pk__in=pks).prefetch_related(
            Prefetch("owners", queryset=Person.objects.order_by("last_name", "first_name"))
        )
    }
    for activity in models.values():
        activity.section = sections[activity.section_id]
    report_ids = {item.figure.latest.id for item in items if item.figure.latest is not None}
    statuses_by_pk = {s.pk: s for s in statuses}
    periods_by_pk = {p.pk: p for p in periods}
    updates = {}
    # Asked even without reports ([0] matches none), so the count of queries is the
    # same whatever the reports.
    for update in StatusUpdate.objects.filter(pk__in=report_ids or [0]).order_by():
        update.status = statuses_by_pk[update.status_id]
        update.period = periods_by_pk[update.period_id]
        updates[update.pk] = update
    for item in items:
        item.activity = models[item.activity.pk]
        latest = item.figure.latest
        item.latest = updates.get(latest.id) if latest is not None else None


# --- Who may report -------------------------------------------------------------------


def user_may_report_on(user, activity: Activity) -> bool:
    """The secretariat (permission to add status updates) reports on any activity;
    a member with ``plan.report_own_activity`` on those whose owners include them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm(REPORT_FOR_ANYONE_PERMISSION):
        return True
    return user.has_perm(OWN_ACTIVITY_PERMISSION) and activity.owners.filter(user=user).exists()


def report_is_due(open_periods, reported_period_ids) -> bool:
    """The one rule for "a report is due" (issue 14): an owned activity has a period
    open for reports without a report on it (so ``OwnedActivity.due_period`` is a
    period it has not reported in). The header's count, the owner's page and the start
    page after logging in all ask this."""
    reported = set(reported_period_ids)
    return any(period.pk not in reported for period in open_periods)


@dataclass
class OwnedActivity:
    activity: Activity
    periods: list[ReportingPeriod]  # open for reports, the one due next first
    latest: StatusUpdate | None  # the newest report in any period
    history: list[StatusUpdate]
    updates: list[StatusUpdate] = field(default_factory=list)  # every report, newest first

    @property
    def reported_period_ids(self) -> set[int]:
        return {u.period_id for u in self.updates}

    @property
    def due_period(self) -> ReportingPeriod | None:
        """The open period this activity's report is due in next: of the open periods
        without a report on it, the one due first; when every open period has one,
        the period due next (the first of ``periods``)."""
        reported = self.reported_period_ids
        owed = sorted(
            (p for p in self.periods if p.pk not in reported), key=lambda p: (p.due_date, p.order)
        )
        return owed[0] if owed else (self.periods[0] if self.periods else None)

    @property
    def reported_in_due_period(self) -> bool:
        period = self.due_period
        return period is not None and period.pk in self.reported_period_ids

    @property
    def is_due(self) -> bool:
        """report_is_due: a report is owed in an open period (the header counts these)."""
        return report_is_due(self.periods, self.reported_period_ids)


@dataclass
class OwnedPlan:
    plan: Plan
    periods: list[ReportingPeriod]
    activities: list[OwnedActivity]
    # The owner's activities for the period due next (plan.rollup): "3 of 5 reported".
    figure: rollup.Figure | None = None


def owned_activities(user, *, on: datetime.date | None = None) -> list[OwnedPlan]:
    """The activities `user` owns (as the person linked to the login), in plans with a
    period open for reports, newest plan first; each with its open periods and its
    recent reports. Five queries however many activities the user owns."""
    on = on or today()
    if not user.is_authenticated:
        return []
    periods = list(
        ReportingPeriod.objects.filter(
            plan__status__in=Plan.PUBLISHED_STATUSES,
            is_locked=False,
            starts_on__lte=on,
        )
        .select_related("plan")
        .order_by("-plan__year", "order", "due_date")
    )
    periods_by_plan = defaultdict(list)
    for period in periods:
        periods_by_plan[period.plan_id].append(period)
    activities = list(
        Activity.objects.filter(owners__user=user, section__plan__in=periods_by_plan.keys())
        .select_related("section__plan")
        .order_by("-section__plan__year", "section__order", "order", "pk")
        .distinct()
    )
    history = defaultdict(list)
    for update in (
        StatusUpdate.objects.filter(activity__in=activities)
        .select_related("status", "period", "reported_by")
        .order_by("-reported_at", "-pk")
    ):
        history[update.activity_id].append(update)
    plans = {}
    for activity in activities:
        plan = activity.section.plan
        if plan.pk not in plans:
            plan_open = open_periods_of(periods_by_plan[plan.pk], on=on)
            plans[plan.pk] = OwnedPlan(plan=plan, periods=plan_open, activities=[])
        updates = history.get(activity.pk, [])
        open_periods = plans[plan.pk].periods
        plans[plan.pk].activities.append(
            OwnedActivity(
                activity=activity,
                periods=open_periods,
                latest=updates[0] if updates else None,
                history=updates[:6],
                updates=updates,
            )
        )
    for group in plans.values():
        group.figure = _owned_figure(group, on=on)
    return list(plans.values())


def _owned_figure(group: OwnedPlan, *, on: datetime.date) -> rollup.Figure | None:
    """plan.rollup's figure of the owner's activities in `group` for the period their
    reports are due in next: the first due of the periods that some activity of theirs
    still owes a report (OwnedActivity.due_period), else the open period due next. No
    queries."""
    if not group.periods:
        return None
    owed = [item.due_period for item in group.activities if not item.reported_in_due_period]
    period = min(owed, key=lambda p: (p.due_date, p.order)) if owed else group.periods[0]
    data = [
        rollup.ActivityData(
            item.activity.pk, item.activity.end_date, tuple(_report(u) for u in item.updates)
        )
        for item in group.activities
    ]
    return rollup.progress_figures(
        data,
        periods=[rollup_period(p) for p in group.periods],
        period=rollup_period(period),
        on=on,
    ).total


def owns_any_activity(user) -> bool:
    return user.is_authenticated and Activity.objects.filter(owners__user=user).exists()


@dataclass(frozen=True)
class OwnerWork:
    owns_any: bool  # owns an activity of any plan (drafts too): "My activities" is theirs
    reports_due: int  # owned activities with report_is_due


def owner_work(user, *, on: datetime.date | None = None) -> OwnerWork:
    """What an activity owner has to do, for the header and the start page: whether
    the user owns any activity, and how many of them have a report due (the same rule
    and the same periods as ``owned_activities``, so the count matches that page).
    One query for a user who owns nothing, at most three otherwise."""
    on = on or today()
    if not user.is_authenticated:
        return OwnerWork(False, 0)
    owned = list(
        Activity.objects.filter(owners__user=user)
        .values_list("pk", "section__plan_id", "section__plan__status")
        .distinct()
    )
    published = {Plan.Status.ADOPTED, Plan.Status.ARCHIVED}
    plan_of = {pk: plan_id for pk, plan_id, status in owned if status in published}
    if not plan_of:
        return OwnerWork(bool(owned), 0)
    periods_by_plan = defaultdict(list)
    for period in ReportingPeriod.objects.filter(
        plan__in=set(plan_of.values()), is_locked=False, starts_on__lte=on
    ).order_by("order", "due_date"):
        periods_by_plan[period.plan_id].append(period)
    open_by_plan = {
        plan_id: open_periods_of(periods, on=on) for plan_id, periods in periods_by_plan.items()
    }
    reported = defaultdict(set)
    wanted = [p.pk for periods in open_by_plan.values() for p in periods]
    for activity_id, period_id in StatusUpdate.objects.filter(
        activity__in=plan_of.keys(), period__in=wanted
    ).values_list("activity_id", "period_id"):
        reported[activity_id].add(period_id)
    due = sum(
        report_is_due(open_by_plan.get(plan_id, []), reported[pk])
        for pk, plan_id in plan_of.items()
    )
    return OwnerWork(True, due)


# --- The yearly report ----------------------------------------------------------------


@dataclass
class ReportActivity:
    activity: Activity
    by_period: list[StatusUpdate | None]  # aligned with the report's periods
    final: StatusUpdate | None  # the report its figure comes from (plan.rollup)
    periods: list[ReportingPeriod] = field(default_factory=list)
    figure: rollup.ActivityFigure | None = None

    @property
    def rows(self) -> list[tuple[ReportingPeriod, StatusUpdate | None]]:
        return list(zip(self.periods, self.by_period, strict=True))


@dataclass
class IndicatorRow:
    """An indicator against its target: the newest value (or None), the baseline and
    the target as the data holds them. ``reached`` is True or False only when the
    indicator has both a target and a value to compare (by its direction), else None:
    nothing is judged that the data does not hold."""

    indicator: Indicator
    latest: IndicatorValue | None

    @property
    def has_target(self) -> bool:
        return self.indicator.target_value is not None

    @property
    def reached(self) -> bool | None:
        if not self.has_target or self.latest is None:
            return None
        target = self.indicator.target_value
        if self.indicator.direction == Indicator.Direction.LOWER_IS_BETTER:
            return self.latest.value <= target
        return self.latest.value >= target


@dataclass
class AttainmentPart:
    """One part of the goal attainment table: the groups of one kind (direction goals
    or prioritised areas) under a heading, and the label of the group without one."""

    heading: str
    groups: list
    none_label: str


def attainment_parts(attainment) -> list[AttainmentPart]:
    """The goal attainment table's parts (plan.selectors_goals.AttainmentCounts), by
    direction goal and by prioritised area, in the active language."""
    from django.utils.translation import gettext

    return [
        AttainmentPart(
            gettext("By direction goal"), attainment.by_direction_goal, gettext("No direction goal")
        ),
        AttainmentPart(
            gettext("By prioritised area"),
            attainment.by_area,
            gettext("Outside the prioritised areas"),
        ),
    ]


def assessed_counts(group) -> list[tuple[str, int]]:
    """(level name, count) for the levels that count as assessed, in the scale's order."""
    return [
        (str(c.level.name), c.count) for c in group.counts if c.level and c.level.counts_as_assessed
    ]


@dataclass
class DashboardGoal:
    """A goal on the dashboard: its assessment for the period shown (or None) and the
    ids of the activities that contribute to it."""

    goal: Goal
    assessment: object  # GoalAssessment | None
    activity_ids: list[int]

    @property
    def level_key(self) -> str:
        """The assessment level's slug, or "none" without an assessment."""
        return self.assessment.level.slug if self.assessment else NO_LEVEL


NO_LEVEL = "none"


def dashboard_goals(
    plan: Plan, period: ReportingPeriod | None, tree: SectionTree
) -> list[DashboardGoal]:
    """Every goal of `plan` in plan order with its assessment for `period` (the newest
    made for it; without a period, the latest overall) and its contributing activities.
    Four queries."""
    sections = {s.pk: s for s in tree.sections}
    assessments = selectors_goals.goal_current_assessments(plan, period)
    contributors = defaultdict(list)
    for goal_id, activity_id in (
        ActivityGoal.objects.filter(goal__section__plan=plan)
        .order_by("activity__section__order", "activity__order", "activity_id")
        .values_list("goal_id", "activity_id")
    ):
        contributors[goal_id].append(activity_id)
    goals = list(Goal.objects.filter(section__plan=plan).order_by("section__order", "order", "pk"))
    for goal in goals:
        goal.section = sections[goal.section_id]
    return [DashboardGoal(g, assessments.get(g.pk), contributors[g.pk]) for g in goals]


def indicator_rows(indicators) -> list[IndicatorRow]:
    """Rows for indicators whose values are prefetched newest first (no query)."""
    rows = []
    for indicator in indicators:
        values = list(indicator.values.all())
        rows.append(IndicatorRow(indicator, values[0] if values else None))
    return rows


@dataclass
class ReportGoal:
    """An overall goal in the report: its current assessment (the latest, see
    plan.selectors_goals.goal_current_assessments), the activities that contribute to
    it, and its indicators."""

    goal: Goal
    assessment: object  # GoalAssessment | None
    activities: list[ReportActivity]
    indicators: list[IndicatorRow]


@dataclass
class ReportSection:
    section: Section
    goals: list[Goal]
    activities: list[ReportActivity]
    events: list
    figure: rollup.Figure | None = None  # the section with its sub-sections
    goal_items: list[ReportGoal] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)  # the section's own


@dataclass
class FollowupReport:
    plan: Plan
    periods: list[ReportingPeriod]
    statuses: list[Status]
    sections: list[ReportSection]
    final: PlanFollowUp  # every figure, scoped to the plan's last period
    events: list
    generated_on: datetime.date
    attainment: object = None  # plan.selectors_goals.AttainmentCounts
    indicators: list[IndicatorRow] = field(default_factory=list)  # every indicator

    @property
    def goal_items(self) -> list[ReportGoal]:
        return [g for s in self.sections for g in s.goal_items]

    @property
    def activity_count(self) -> int:
        return sum(len(s.activities) for s in self.sections)


def per_activity_latest(figure, per_activity: dict) -> StatusUpdate | None:
    """The StatusUpdate (of `per_activity`, by period pk) that `figure` comes from."""
    if figure is None or figure.latest is None:
        return None
    return per_activity.get(figure.latest.period_id)


def followup_report(plan: Plan, *, on: datetime.date | None = None) -> FollowupReport:
    """Everything the yearly follow-up report shows: goal attainment by direction goal
    and prioritised area, every figure (plan.rollup, scoped to the plan's last period),
    the indicators against their targets; then in plan order each section's goals with
    their current assessment, contributing activities and indicators, its activities
    with the latest report of every period and the final one, and the meeting places
    held (events of the plan year linked to the section or its activities, up to `on`).
    A fixed number of queries."""
    from events.models import Event  # events imports plan.models

    on = on or today()
    periods = plan_periods(plan)
    statuses = list(Status.objects.order_by("order", "pk"))
    tree = section_tree(plan, with_content=True)
    for section in tree.sections:
        for item in [*section.goals.all(), *section.activities.all()]:
            item.section = section
    updates = defaultdict(dict)
    all_updates = list(latest_updates(plan=plan).select_related("period"))
    for update in all_updates:
        updates[update.activity_id][update.period_id] = update

    held = list(
        Event.objects.filter(start_date__year=plan.year, start_date__lte=on)
        .filter(Q(sections__plan=plan) | Q(activities__section__plan=plan))
        .prefetch_related("sections", "activities")
        .distinct()
        .order_by("start_date", "title")
    )
    events_by_section = defaultdict(list)
    for event in held:
        linked = {s.pk for s in event.sections.all()} | {
            a.section_id for a in event.activities.all()
        }
        for section_id in linked:
            events_by_section[section_id].append(event)

    # The report's scope is the plan's last period (normally the full year): each
    # activity's final status is its latest report up to it, by plan.rollup's rule.
    scope = periods[-1] if periods else None
    activities = []
    for section in tree.sections:
        activities.extend(section.activities.all())
    final = follow_up(
        plan,
        periods=periods,
        period=scope,
        statuses=statuses,
        tree=tree,
        activities=activities,
        updates=all_updates,
        on=on,
    )
    sections = []
    for section in tree.sections:
        report_activities = []
        for activity in section.activities.all():
            per_activity = updates.get(activity.pk, {})
            by_period = [per_activity.get(p.pk) for p in periods]
            figure = final.activity(activity.pk)
            latest = per_activity_latest(figure, per_activity)
            report_activities.append(
                ReportActivity(activity, by_period, latest, periods, figure=figure)
            )
        sections.append(
            ReportSection(
                section=section,
                goals=list(section.goals.all()),
                activities=report_activities,
                events=events_by_section.get(section.pk, []),
                figure=final.section(section).total,
            )
        )
    _add_goals(plan, sections)
    report = FollowupReport(
        plan=plan,
        periods=periods,
        statuses=statuses,
        sections=sections,
        final=final,
        events=held,
        generated_on=on,
        attainment=selectors_goals.goal_attainment_counts(plan),
        indicators=indicator_rows(selectors_goals.plan_indicators(plan)),
    )
    report.indicators_by_owner = _indicators_by_owner(report.indicators)
    for item in report.sections:
        item.indicators = report.indicators_by_owner.get(("section", item.section.pk), [])
        for goal_item in item.goal_items:
            goal_item.indicators = report.indicators_by_owner.get(("goal", goal_item.goal.pk), [])
    return report


def _indicators_by_owner(rows: list[IndicatorRow]) -> dict:
    """Indicator rows by what they belong to: ("goal", pk), ("section", pk) or
    ("plan", pk)."""
    owners = defaultdict(list)
    for row in rows:
        indicator = row.indicator
        if indicator.goal_id:
            owners[("goal", indicator.goal_id)].append(row)
        elif indicator.section_id:
            owners[("section", indicator.section_id)].append(row)
        else:
            owners[("plan", indicator.plan_id)].append(row)
    return owners


def _add_goals(plan: Plan, sections: list[ReportSection]) -> None:
    """Give each section's goals their current assessment and contributing activities
    (in document order), as ReportGoals. Three queries."""
    assessments = selectors_goals.goal_current_assessments(plan)
    by_activity = {a.activity.pk: a for s in sections for a in s.activities}
    position = {pk: index for index, pk in enumerate(by_activity)}
    contributors = defaultdict(list)
    for goal_id, activity_id in ActivityGoal.objects.filter(goal__section__plan=plan).values_list(
        "goal_id", "activity_id"
    ):
        if activity_id in by_activity:
            contributors[goal_id].append(activity_id)
    for item in sections:
        item.goal_items = [
            ReportGoal(
                goal=goal,
                assessment=assessments.get(goal.pk),
                activities=[
                    by_activity[pk] for pk in sorted(contributors[goal.pk], key=position.get)
                ],
                indicators=[],
            )
            for goal in item.goals
        ]
