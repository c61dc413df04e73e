"""Reads for the public plan pages.

Every selector here runs a fixed number of queries whatever the size of the plan: the
section tree comes from one query and is built in Python, and the goals and activities
of all sections are prefetched in one query each.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format

from events.models import Event, upcoming_q
from members.models import Person

from .models import (
    Activity,
    DirectionGoal,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    PriorityArea,
    PriorityAreaItem,
    Section,
    StatusUpdate,
)

VIEW_DRAFT_PERMISSION = "plan.view_draft_plan"


def plans_visible_to(user) -> QuerySet[Plan]:
    """The plans `user` may read: published ones, and drafts too for users with the
    ``plan.view_draft_plan`` permission (the board and the secretariat)."""
    if user.has_perm(VIEW_DRAFT_PERMISSION):
        return Plan.objects.all()
    return Plan.objects.published()


def current_plan() -> Plan | None:
    """The plan shown on the home page: the newest published (adopted or archived) one."""
    return Plan.objects.published().order_by("-year").first()


@dataclass
class SectionTree:
    """A plan's sections in document order, each annotated with its place in the tree.

    Every section in ``sections`` carries:

    - ``depth``: 0 for a top-level section, 1 for the next level, and so on;
    - ``child_sections``: its direct sub-sections, in document order;
    - ``ancestors``: its parent sections, outermost first;
    - ``heading_level``: 2 for a top-level section, 3 for the next level, 4 below.
    """

    sections: list[Section]
    by_slug: dict[str, Section] = field(default_factory=dict)

    @property
    def roots(self) -> list[Section]:
        return [section for section in self.sections if section.depth == 0]

    def neighbours(self, section: Section) -> tuple[Section | None, Section | None]:
        """The sections just before and after `section` in document order."""
        index = next(i for i, other in enumerate(self.sections) if other.pk == section.pk)
        previous = self.sections[index - 1] if index > 0 else None
        following = self.sections[index + 1] if index + 1 < len(self.sections) else None
        return previous, following


def section_tree(
    plan: Plan, *, with_content: bool = False, with_activities: bool = True
) -> SectionTree:
    """Build the section tree of `plan` from one query.

    With `with_content`, the goals and activities of every section are prefetched too
    (one query each), so ``section.goals.all()`` and ``section.activities.all()`` cost
    nothing in the template; `with_activities=False` leaves the activities out (add
    them later with section_tree_activities).
    """
    sections_qs = (
        Section.objects.filter(plan=plan).select_related("direction_goal").order_by("order", "pk")
    )
    if with_content:
        lookups = [Prefetch("goals", queryset=Goal.objects.order_by("order", "pk"))]
        if with_activities:
            lookups.append(_activities_prefetch())
        sections_qs = sections_qs.prefetch_related(*lookups)
    sections = list(sections_qs)
    by_pk = {section.pk: section for section in sections}
    for section in sections:
        # The plan object is shared, so get_absolute_url() needs no query per section.
        section.plan = plan
        section.child_sections = []
    for section in sections:
        parent = by_pk.get(section.parent_id)
        if parent is not None:
            parent.child_sections.append(section)
    for section in sections:
        ancestors = []
        seen = {section.pk}
        parent = by_pk.get(section.parent_id)
        # `seen` guards against a parent cycle an admin edit might have made.
        while parent is not None and parent.pk not in seen:
            ancestors.append(parent)
            seen.add(parent.pk)
            parent = by_pk.get(parent.parent_id)
        section.ancestors = list(reversed(ancestors))
        section.depth = len(ancestors)
        section.heading_level = min(section.depth + 2, 4)
    return SectionTree(sections=sections, by_slug={s.slug: s for s in sections})


def _activities_prefetch() -> Prefetch:
    return Prefetch("activities", queryset=Activity.objects.order_by("order", "pk"))


def section_tree_activities(tree: SectionTree) -> None:
    """Prefetch the activities of every section of `tree` (one query)."""
    prefetch_related_objects(tree.sections, _activities_prefetch())


def plan_front_matter(plan: Plan) -> dict:
    """The parts of a plan before its sections: direction goals and prioritised areas
    with their items (three queries)."""
    return {
        "direction_goals": list(DirectionGoal.objects.filter(plan=plan).order_by("order", "pk")),
        "priority_areas": list(
            PriorityArea.objects.filter(plan=plan)
            .order_by("order", "pk")
            .prefetch_related(
                Prefetch("items", queryset=PriorityAreaItem.objects.order_by("order", "pk"))
            )
        ),
    }


def section_goals(section: Section) -> list[Goal]:
    """The overall goals of one section, in order (one query)."""
    goals = list(Goal.objects.filter(section=section).order_by("order", "pk"))
    for goal in goals:
        goal.section = section
    return goals


def activity_for_plan(plan: Plan, pk: int) -> Activity | None:
    """The activity `pk` if it belongs to `plan`, with its owners and organisations
    prefetched."""
    return (
        Activity.objects.filter(section__plan=plan, pk=pk)
        .select_related("section")
        .prefetch_related("owners", "organisations")
        .first()
    )


def activity_events(activity: Activity, user) -> list[Event]:
    """The events linked to `activity` that `user` may see, in date order."""
    return list(Event.objects.visible_to(user).filter(activities=activity))


def activity_status_history(activity: Activity) -> list[StatusUpdate]:
    """The follow-up reports on `activity`, newest first."""
    return list(
        StatusUpdate.objects.filter(activity=activity)
        .select_related("period", "status")
        .order_by("-reported_at", "-pk")
    )


# --- Year switcher and archive -------------------------------------------------------


def followup_comments_visible(plan: Plan, user) -> bool:
    """Whether ``user`` may read the comments of the plan's follow-up reports: logged-in
    members always, visitors only where the plan's ``public_followup_comments`` is on.
    Every page that shows a comment asks this."""
    return bool(user.is_authenticated or plan.public_followup_comments)


def plan_years(user) -> list[Plan]:
    """The plans `user` may read, newest first (one query): the year switcher on the
    plan pages. Drafts only for those who may see them; only the fields the switcher
    shows are loaded."""
    return list(
        plans_visible_to(user)
        .order_by("-year")
        .only("pk", "year", "status", "title_sv", "title_en")
    )


def _count(model, **outer):
    """A correlated COUNT subquery: the number of `model` rows whose fields named in
    `outer` equal the outer row's columns."""
    counted = (
        model.objects.filter(**{field: OuterRef(column) for field, column in outer.items()})
        .order_by()
        .values(*outer.keys())
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted[:1]), 0)


def archive_listing(user) -> list[Plan]:
    """Every plan `user` may read, newest first, each with ``section_count`` and
    ``activity_count`` (one query: the counts are subqueries, so they do not multiply
    each other the way two joins would)."""
    return list(
        plans_visible_to(user)
        .order_by("-year")
        .annotate(
            section_count=_count(Section, plan="pk"),
            activity_count=_count(Activity, section__plan="pk"),
        )
    )


# --- Latest status of activities -----------------------------------------------------
#
# An activity's *latest status* is the newest report of the last reporting period (in
# the periods' order) that has one: the same rule as the yearly report's final status
# (plan.followup.followup_report), so the public pages and the board's report agree.


def _latest_report_of_activity():
    return StatusUpdate.objects.filter(activity=OuterRef("pk")).order_by(
        "-period__order", "-period__due_date", "-period__pk", "-reported_at", "-pk"
    )


def with_latest_status(activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """`activities` annotated with ``latest_status_id`` and ``latest_progress`` (None
    without a report), in the same query. Filterable, e.g. by status."""
    latest = _latest_report_of_activity()
    return activities.annotate(
        latest_status_id=Subquery(latest.values("status_id")[:1]),
        latest_progress=Subquery(latest.values("progress")[:1]),
    )


def _report_order(update: StatusUpdate):
    period = update.period
    return (period.order, period.due_date, period.pk, update.reported_at, update.pk)


def latest_of(updates: list[StatusUpdate]) -> StatusUpdate | None:
    """The latest of one activity's reports (with their periods loaded), by the rule
    above; no query."""
    return max(updates, key=_report_order, default=None)


def section_activities(section: Section) -> list[Activity]:
    """The activities of one section in order, each with its owners (two queries). The
    page sets each one's status and progress from plan.followup.plan_progress, so they
    read as the section's figure counts them."""
    activities = list(
        Activity.objects.filter(section=section)
        .order_by("order", "pk")
        .prefetch_related(
            Prefetch("owners", queryset=Person.objects.order_by("last_name", "first_name"))
        )
    )
    for activity in activities:
        activity.section = section
    return activities


# --- Home page: meeting places and key figures --------------------------------------


@dataclass
class UpcomingEvents:
    dated: list[Event]
    undated: list[Event]

    def __bool__(self):
        return bool(self.dated or self.undated)


def upcoming_events(user, *, on: datetime.date | None = None, limit: int = 5) -> UpcomingEvents:
    """The next `limit` events `user` may see that are not over on `on` (soonest
    first), and up to `limit` undated ones still to come that say when they will be (a
    date note; events.models.upcoming_q decides what is still to come). Two queries."""
    on = on or timezone.localdate()
    events = Event.objects.visible_to(user).select_related("body").filter(upcoming_q(on))
    dated = events.filter(start_date__isnull=False).order_by(
        "start_date", "start_time", "title", "pk"
    )
    undated = (
        events.filter(start_date__isnull=True)
        .exclude(date_note_sv="", date_note_en="")
        .order_by("title", "pk")
    )
    return UpcomingEvents(dated=list(dated[:limit]), undated=list(undated[:limit]))


@dataclass
class KeyFigure:
    indicator: Indicator
    value: IndicatorValue

    @property
    def formatted(self) -> str:
        """The value as the data words it: its headline where it has one ("Över två
        miljoner"), else the number in the active language's format with its unit:
        "4,3 miljoner invånare" / "4.3 million inhabitants"."""
        return format_indicator_value(self.indicator, self.value)


def format_indicator_value(indicator: Indicator, value: IndicatorValue) -> str:
    """`value` of `indicator` as a page shows it: the value's headline where it has one
    (the source's own words, e.g. "Nästan 900 miljarder kronor"), else the number in
    the active language's format with the indicator's unit."""
    if value.headline:
        return value.headline
    number = format_decimal(value.value)
    unit = indicator.unit
    return f"{number}\N{NO-BREAK SPACE}{unit}" if unit else number


def format_decimal(value: Decimal) -> str:
    """`value` without trailing zeros, grouped and with the decimal mark of the active
    language: 4.30 → "4,3" (sv) / "4.3" (en); 750000 → "750 000" / "750,000"."""
    text = format(value, "f")
    decimals = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def key_figures(plan: Plan | None = None) -> list[KeyFigure]:
    """Every indicator that has a value, in order, with its newest value (values
    without a year count as older than any with one). With `plan`, only the plan's key
    figures (its own, its sections' and its goals') and those that belong to no plan,
    so a rolled-over year does not show twice. Two queries."""
    indicators = Indicator.objects.order_by("order", "pk")
    if plan is not None:
        indicators = indicators.filter(
            Q(plan=plan)
            | Q(section__plan=plan)
            | Q(goal__section__plan=plan)
            | Q(plan=None, section=None, goal=None)
        )
    indicators = indicators.prefetch_related(
        Prefetch(
            "values",
            queryset=IndicatorValue.objects.order_by(F("year").desc(nulls_last=True), "-pk"),
        )
    )
    figures = []
    for indicator in indicators:
        values = indicator.values.all()
        if values:
            figures.append(KeyFigure(indicator, values[0]))
    return figures
