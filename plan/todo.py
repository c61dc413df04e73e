"""The secretariat's to-do page (issue 14, point 6): what needs someone's hand now.

- reports missing, per owner (with the owner's address for a mail), for every open
  period of an adopted plan whose due date has passed;
- late activities of each adopted plan, in its current period;
- imports waiting or being imported (malardal.models.ImportJob);
- reminders that could not be sent (reminders.models.ReminderLog).

"Report missing" and "late" are plan.rollup's definitions, computed by
plan.followup.follow_up on data loaded once per plan; nothing here counts them another
way. A fixed number of queries per adopted plan (normally one or two), whatever their
size.
"""

import datetime
from dataclasses import dataclass, field
from urllib.parse import quote

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from members.models import Person

from . import followup
from .models import Activity, Plan, ReportingPeriod, Status
from .selectors import section_tree


@dataclass
class OwnerMissing:
    """One owner and the activities of theirs missing a report, by period."""

    person: Person | None  # None: activities without an owner
    email: str
    activities: list[tuple[ReportingPeriod, Activity]] = field(default_factory=list)

    @property
    def mailto(self) -> str:
        """A mailto link with a subject and the list of activities to report on."""
        if not self.email:
            return ""
        periods = sorted({p.pk: p for p, _a in self.activities}.values(), key=lambda p: p.due_date)
        subject = _("Follow-up report missing: %(periods)s") % {
            "periods": ", ".join(f"{p.name} {p.plan.year}" for p in periods)
        }
        lines = [_("Hello,"), "", _("We are missing your follow-up report on:"), ""]
        lines += [
            f"- {Truncator(activity.text).words(20)} ({period.name})"
            for period, activity in self.activities
        ]
        lines += ["", _("Report here: %(url)s") % {"url": self.report_url}]
        body = "\n".join(lines)
        return f"mailto:{quote(self.email, safe='@')}?subject={quote(subject)}&body={quote(body)}"

    report_url: str = ""


@dataclass
class PlanTodo:
    plan: Plan
    period: ReportingPeriod | None  # the period "late" is judged in
    overdue_periods: list[ReportingPeriod]
    owners: list[OwnerMissing]
    missing_count: int  # activity-period pairs with a report missing
    late: list[followup.ActivityFollowUp]
    # (period, rollup.Figure) per period past its due date: figure.report_missing
    missing_by_period: list = field(default_factory=list)


def _person_email(person: Person) -> str:
    if person.email:
        return person.email
    user = person.user if person.user_id else None
    return user.email if user is not None and user.email else ""


def plan_todo(plan: Plan, *, on: datetime.date, report_url: str = "") -> PlanTodo:
    """Reports missing per owner in every open period of `plan` whose due date has
    passed, and the late activities in the current period. Seven queries."""
    periods = followup.plan_periods(plan)
    current = followup.current_period(periods, on=on)
    statuses = list(Status.objects.order_by("order", "pk"))
    tree = section_tree(plan)
    sections = {s.pk: s for s in tree.sections}
    activities = list(
        Activity.objects.filter(section__plan=plan)
        .order_by("section__order", "order", "pk")
        .prefetch_related("owners__user")
    )
    for activity in activities:
        activity.section = sections[activity.section_id]
    updates = list(followup.latest_updates(plan=plan))

    def figures_for(period):
        return followup.follow_up(
            plan,
            periods=periods,
            period=period,
            statuses=statuses,
            tree=tree,
            activities=activities,
            updates=updates,
            on=on,
        )

    overdue = [p for p in periods if not p.is_locked and p.starts_on <= on and p.due_date < on]
    owners: dict[int | None, OwnerMissing] = {}
    missing_count = 0
    by_period = []
    for period in overdue:
        result = figures_for(period)
        by_period.append((period, result.total))
        for activity in activities:
            if not result.activity(activity.pk).report_missing:
                continue
            missing_count += 1
            people: list[Person | None] = list(activity.owners.all()) or [None]
            for person in people:
                key = person.pk if person is not None else None
                if key not in owners:
                    owners[key] = OwnerMissing(
                        person=person,
                        email=_person_email(person) if person is not None else "",
                        report_url=report_url,
                    )
                owners[key].activities.append((period, activity))
    late_result = figures_for(current) if current is not None else None
    late = []
    if late_result is not None:
        late = [a for s in late_result.sections for a in s.activities if a.is_late]
    ordered = sorted(
        owners.values(),
        key=lambda o: (o.person is None, o.person.last_name if o.person else "", str(o.person)),
    )
    return PlanTodo(
        plan=plan,
        period=current,
        overdue_periods=overdue,
        owners=ordered,
        missing_count=missing_count,
        late=late,
        missing_by_period=by_period,
    )


def secretariat_todo(*, on: datetime.date | None = None, report_url: str = "") -> dict:
    """Everything on the to-do page: per adopted plan (newest first) its missing reports
    and late activities, the imports waiting and the reminders that failed."""
    from malardal.models import ImportJob  # malardal is below plan; imported lazily
    from reminders.models import ReminderLog  # reminders imports plan

    on = on or followup.today()
    if not report_url:
        report_url = reverse("plan:my_activities")
    plans = [
        plan_todo(plan, on=on, report_url=report_url)
        for plan in Plan.objects.filter(status=Plan.Status.ADOPTED).order_by("-year")
    ]
    imports = list(
        ImportJob.objects.filter(status__in=[ImportJob.State.QUEUED, ImportJob.State.RUNNING])
        .select_related("created_by")
        .order_by("created_at", "pk")[:50]
    )
    failed = list(
        ReminderLog.objects.filter(
            status__in=[
                ReminderLog.Status.FAILED_PERMANENT,
                ReminderLog.Status.FAILED_TEMPORARY,
            ]
        )
        .select_related("person", "user", "period__plan", "event")
        .order_by("-created_at", "-pk")[:50]
    )
    return {"plans": plans, "imports": imports, "failed_mails": failed, "on": on}


MISSING = "missing"
LATE = "late"


def flagged_activity_ids(
    kind: str, *, period: ReportingPeriod | None = None, on: datetime.date | None = None
) -> set[int]:
    """The ids of activities with a report missing (`kind` MISSING) or late (LATE), by
    plan.rollup's definitions: in `period` when given; otherwise, for every adopted plan,
    missing in any open period past its due date, late in the plan's current period.
    The admin's activity filters use it. A fixed number of queries per plan."""
    on = on or followup.today()
    if period is not None:
        result = followup.plan_progress(period.plan, period=period, on=on)
        assert result.figures is not None  # plan_progress always computes them
        figures = result.figures.activities.values()
        if kind == MISSING:
            return {f.id for f in figures if f.report_missing}
        return {f.id for f in figures if f.is_late}
    ids = set()
    for plan in Plan.objects.filter(status=Plan.Status.ADOPTED):
        item = plan_todo(plan, on=on)
        if kind == MISSING:
            ids |= {a.pk for owner in item.owners for _p, a in owner.activities}
        else:
            ids |= {row.activity.pk for row in item.late}
    return ids
