"""Reads for the follow-up: the latest report per activity and period, and how progress
rolls up from activities to sections, programmes and the whole plan.

Every selector here runs a fixed number of queries whatever the size of the plan: the
latest report of every activity comes from one query (a correlated subquery picks the
newest row per activity and period), and the roll-up is computed in Python.

Two rules the board should know, because the dashboard and the yearly report say so:

- an activity without a report in a period counts as 0 % in that period's averages, and
  is listed as "without a report";
- an activity is *late* when its latest report has a status that counts as late, or when
  its end date has passed and it is not reported as 100 % done.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import Person, Programme

from .models import Activity, Goal, Plan, ReportingPeriod, Section, Status, StatusUpdate
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


@dataclass
class StatusCount:
    label: str
    count: int
    colour: str
    status: Status | None = None

    def as_tuple(self):
        return (self.label, self.count, self.colour)


@dataclass
class Rollup:
    """Totals over a set of activities for one period."""

    activity_count: int = 0
    progress_sum: int = 0
    late: int = 0
    without_update: int = 0
    by_status: dict[int, int] = field(default_factory=dict)

    @property
    def progress(self) -> int:
        """Average progress in whole per cent (0 without activities)."""
        if not self.activity_count:
            return 0
        # Half up, as people round: 42.5 % is 43 %.
        return int(self.progress_sum / self.activity_count + 0.5)

    def add(self, item: "ActivityFollowUp") -> None:
        self.activity_count += 1
        self.progress_sum += item.progress
        self.late += item.is_late
        if item.latest is None:
            self.without_update += 1
        else:
            self.by_status[item.latest.status_id] = self.by_status.get(item.latest.status_id, 0) + 1

    def merge(self, other: "Rollup") -> None:
        self.activity_count += other.activity_count
        self.progress_sum += other.progress_sum
        self.late += other.late
        self.without_update += other.without_update
        for key, count in other.by_status.items():
            self.by_status[key] = self.by_status.get(key, 0) + count

    def status_counts(self, statuses: list[Status], *, include_empty=False) -> list[StatusCount]:
        """Counts per status in the statuses' order, then "no report"."""
        counts = [
            StatusCount(str(s.name), self.by_status.get(s.pk, 0), s.colour, s)
            for s in statuses
            if include_empty or self.by_status.get(s.pk)
        ]
        if include_empty or self.without_update:
            counts.append(StatusCount(str(_("No report")), self.without_update, NO_REPORT_COLOUR))
        return counts


@dataclass
class ActivityFollowUp:
    activity: Activity
    latest: StatusUpdate | None
    is_late: bool

    @property
    def progress(self) -> int:
        return self.latest.progress if self.latest is not None else 0


@dataclass
class SectionFollowUp:
    section: Section
    activities: list[ActivityFollowUp]
    own: Rollup
    total: Rollup  # the section with all its sub-sections
    counts: list[StatusCount] = field(default_factory=list)  # of `total`, per status

    @property
    def late_or_unreported(self) -> list[ActivityFollowUp]:
        return [a for a in self.activities if a.is_late or a.latest is None]


@dataclass
class PlanFollowUp:
    plan: Plan
    period: ReportingPeriod | None
    periods: list[ReportingPeriod]
    statuses: list[Status]
    tree: SectionTree
    sections: list[SectionFollowUp]
    total: Rollup
    programmes: list[tuple[str, Rollup]]
    on: datetime.date

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
    def late_or_unreported(self) -> list[ActivityFollowUp]:
        return [a for s in self.sections for a in s.late_or_unreported]

    def status_counts(self, *, include_empty=False) -> list[StatusCount]:
        return self.total.status_counts(self.statuses, include_empty=include_empty)


def is_late(activity: Activity, latest: StatusUpdate | None, on: datetime.date) -> bool:
    if latest is not None and latest.status.is_delayed:
        return True
    if activity.end_date and activity.end_date < on:
        return latest is None or latest.progress < 100
    return False


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


def plan_followup(
    plan: Plan, period: ReportingPeriod | None = None, *, on: datetime.date | None = None
) -> PlanFollowUp:
    """The follow-up of `plan` for `period` (by default the current one): every
    section in document order with its activities and their latest report, and the
    roll-up per section, programme and plan. Six queries whatever the plan's size."""
    on = on or today()
    periods = plan_periods(plan)
    if period is None:
        period = current_period(periods, on=on)
    statuses = list(Status.objects.order_by("order", "pk"))
    tree = section_tree(plan)
    sections_by_pk = {s.pk: s for s in tree.sections}
    latest = {}
    if period is not None:
        latest = {u.activity_id: u for u in latest_updates(period=period)}
    by_section = defaultdict(list)
    for activity in plan_activities(plan):
        activity.section = sections_by_pk[activity.section_id]
        update = latest.get(activity.pk)
        by_section[activity.section_id].append(
            ActivityFollowUp(activity, update, is_late(activity, update, on))
        )
    return _roll_up(plan, period, periods, statuses, tree, by_section, on)


def _roll_up(plan, period, periods, statuses, tree, by_section, on) -> PlanFollowUp:
    """Sum `by_section` (section pk → its activities' follow-up) per section, per
    section with its sub-sections, per programme and for the plan."""
    sections = []
    by_pk = {}
    for section in tree.sections:
        items = by_section.get(section.pk, [])
        own = Rollup()
        for item in items:
            own.add(item)
        follow = SectionFollowUp(section, items, own, Rollup())
        sections.append(follow)
        by_pk[section.pk] = follow
    total = Rollup()
    programme_rollups = {code: Rollup() for code, _label in Programme.choices}
    for follow in sections:
        follow.total.merge(follow.own)
        for ancestor in follow.section.ancestors:
            by_pk[ancestor.pk].total.merge(follow.own)
        total.merge(follow.own)
        code = section_programme(follow.section)
        if code in programme_rollups:
            programme_rollups[code].merge(follow.own)
    for follow in sections:
        follow.counts = follow.total.status_counts(statuses)
    programmes = [
        (str(label), programme_rollups[code])
        for code, label in Programme.choices
        if programme_rollups[code].activity_count
    ]
    return PlanFollowUp(
        plan=plan,
        period=period,
        periods=periods,
        statuses=statuses,
        tree=tree,
        sections=sections,
        total=total,
        programmes=programmes,
        on=on,
    )


# --- Who may report -------------------------------------------------------------------


def user_may_report_on(user, activity: Activity) -> bool:
    """The secretariat (permission to add status updates) reports on any activity;
    a member with ``plan.report_own_activity`` on those whose owners include them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.has_perm(REPORT_FOR_ANYONE_PERMISSION):
        return True
    return user.has_perm(OWN_ACTIVITY_PERMISSION) and activity.owners.filter(user=user).exists()


@dataclass
class OwnedActivity:
    activity: Activity
    periods: list[ReportingPeriod]  # open for reports, the one due next first
    latest: StatusUpdate | None  # the newest report in any period
    history: list[StatusUpdate]


@dataclass
class OwnedPlan:
    plan: Plan
    periods: list[ReportingPeriod]
    activities: list[OwnedActivity]


def owned_activities(user, *, on: datetime.date | None = None) -> list[OwnedPlan]:
    """The activities `user` owns (as the person linked to the login), in plans with a
    period open for reports, newest plan first; each with its open periods and its
    recent reports. Five queries however many activities the user owns."""
    on = on or today()
    if not user.is_authenticated:
        return []
    periods = list(
        ReportingPeriod.objects.filter(
            plan__status__in=[Plan.Status.ADOPTED, Plan.Status.ARCHIVED],
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
        plans[plan.pk].activities.append(
            OwnedActivity(
                activity=activity,
                periods=plans[plan.pk].periods,
                latest=updates[0] if updates else None,
                history=updates[:6],
            )
        )
    return list(plans.values())


def owns_any_activity(user) -> bool:
    return user.is_authenticated and Activity.objects.filter(owners__user=user).exists()


# --- The yearly report ----------------------------------------------------------------


@dataclass
class ReportActivity:
    activity: Activity
    by_period: list[StatusUpdate | None]  # aligned with the report's periods
    final: StatusUpdate | None  # the latest report of the last period that has one
    periods: list[ReportingPeriod] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[ReportingPeriod, StatusUpdate | None]]:
        return list(zip(self.periods, self.by_period, strict=True))


@dataclass
class ReportSection:
    section: Section
    goals: list[Goal]
    activities: list[ReportActivity]
    events: list


@dataclass
class FollowupReport:
    plan: Plan
    periods: list[ReportingPeriod]
    statuses: list[Status]
    sections: list[ReportSection]
    final: PlanFollowUp  # the roll-up of the final status of every activity
    events: list
    generated_on: datetime.date

    @property
    def activity_count(self) -> int:
        return sum(len(s.activities) for s in self.sections)


def followup_report(plan: Plan, *, on: datetime.date | None = None) -> FollowupReport:
    """Everything the yearly follow-up report shows, in plan order: each section's goals,
    its activities with the latest report of every period and the final one, and the
    meeting places held (events of the plan year linked to the section or its
    activities, up to `on`). A fixed number of queries."""
    from events.models import Event  # events imports plan.models

    on = on or today()
    periods = plan_periods(plan)
    statuses = list(Status.objects.order_by("order", "pk"))
    tree = section_tree(plan, with_content=True)
    for section in tree.sections:
        for item in [*section.goals.all(), *section.activities.all()]:
            item.section = section
    updates = defaultdict(dict)
    for update in latest_updates(plan=plan).select_related("period"):
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

    # The final status: the newest report of the last period (in period order) that has
    # one — normally the full year.
    sections = []
    final_by_section = defaultdict(list)
    for section in tree.sections:
        report_activities = []
        for activity in section.activities.all():
            per_activity = updates.get(activity.pk, {})
            by_period = [per_activity.get(p.pk) for p in periods]
            final = next((u for u in reversed(by_period) if u is not None), None)
            report_activities.append(ReportActivity(activity, by_period, final, periods))
            final_by_section[section.pk].append(
                ActivityFollowUp(activity, final, is_late(activity, final, on))
            )
        sections.append(
            ReportSection(
                section=section,
                goals=list(section.goals.all()),
                activities=report_activities,
                events=events_by_section.get(section.pk, []),
            )
        )
    return FollowupReport(
        plan=plan,
        periods=periods,
        statuses=statuses,
        sections=sections,
        final=_roll_up(plan, None, periods, statuses, tree, final_by_section, on),
        events=held,
        generated_on=on,
    )
