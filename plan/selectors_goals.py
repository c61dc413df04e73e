"""Reads about the plan's overall goals: their current assessments, attainment counts
per direction goal and prioritised area, the goal page, and indicators with their
values.

Every selector runs a fixed number of queries whatever the number of goals; each
docstring says how many.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, OuterRef, Prefetch, Q, Subquery

from .models import (
    Activity,
    AssessmentLevel,
    DirectionGoal,
    Goal,
    GoalAssessment,
    Indicator,
    IndicatorValue,
    Plan,
    PriorityArea,
    ReportingPeriod,
    Section,
)

# The order in which "latest overall" picks among a goal's assessments: the plan's
# last period that has one (the full year comes after the tertials), then the newest
# assessment made for it.
_LATEST_ORDER = ("-period__order", "-period__due_date", "-assessed_at", "-pk")


def goal_current_assessments(
    plan: Plan, period: ReportingPeriod | None = None
) -> dict[int, GoalAssessment | None]:
    """The current assessment of every goal of `plan`: ``{goal id: assessment or None}``.

    With `period`, the newest assessment made for that period (None where the goal has
    none for it). Without, the latest overall: the assessment of the latest period (in
    the plan's period order) that has one, the newest made for it. Each assessment
    comes with its ``level``, ``period`` and ``assessed_by`` loaded. Every goal of the
    plan is a key, whether assessed or not. Two queries.
    """
    latest = GoalAssessment.objects.filter(goal=OuterRef("pk"))
    if period is not None:
        latest = latest.filter(period=period)
    latest = latest.order_by(*_LATEST_ORDER).values("pk")[:1]
    pairs = list(
        Goal.objects.filter(section__plan=plan)
        .annotate(current_id=Subquery(latest))
        .values_list("pk", "current_id")
    )
    ids = [current for _goal, current in pairs if current is not None]
    assessments = {
        a.pk: a
        for a in GoalAssessment.objects.filter(pk__in=ids).select_related(
            "level", "period", "assessed_by"
        )
    }
    return {goal: assessments.get(current) for goal, current in pairs}


@dataclass
class LevelCount:
    """How many goals of a group have `level` as their current assessment; `level`
    None counts the goals without any assessment."""

    level: AssessmentLevel | None
    count: int

    @property
    def colour(self) -> str:
        return self.level.colour if self.level else "#595959"


@dataclass
class AttainmentGroup:
    """The goals of one direction goal or prioritised area (or of none: `subject` is
    None then) counted by their current assessment level."""

    subject: DirectionGoal | PriorityArea | None
    counts: list[LevelCount] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(c.count for c in self.counts)

    @property
    def assessed(self) -> int:
        """Goals whose current level counts as assessed (not "not assessed", not none)."""
        return sum(c.count for c in self.counts if c.level and c.level.counts_as_assessed)

    @property
    def unassessed(self) -> int:
        return self.total - self.assessed


@dataclass
class AttainmentCounts:
    """Goal attainment of a plan: `levels` in the scale's order; `by_direction_goal`
    and `by_area` each list one group per direction goal / prioritised area of the plan
    in their order (groups without goals included, with zero counts), then one group
    with `subject` None for the goals whose section has none, only if there are such
    goals; `total` counts every goal of the plan."""

    levels: list[AssessmentLevel]
    by_direction_goal: list[AttainmentGroup]
    by_area: list[AttainmentGroup]
    total: AttainmentGroup


def _inherited(section: Section, sections: dict[int, Section], attribute: str):
    """`attribute` of the section, or of the nearest section above that has one."""
    current = section
    while current is not None:
        value = getattr(current, attribute)
        if value:
            return value
        current = sections.get(current.parent_id)
    return None


def goal_attainment_counts(plan: Plan, period: ReportingPeriod | None = None) -> AttainmentCounts:
    """Count the goals of `plan` by their current assessment level (as
    :func:`goal_current_assessments` picks it, for `period` or latest overall),
    grouped by direction goal and by prioritised area.

    A goal's direction goal is its section's, or that of the nearest section above
    that has one. Its prioritised area is the area whose programme is its section's
    programme (inherited the same way); goals in sections without a programme, or whose
    programme no area of the plan has, fall in the group without an area. Each group's
    ``counts`` has one entry per level of the scale, in order, then one (level None)
    for goals without an assessment. Seven queries.
    """
    levels = list(AssessmentLevel.objects.order_by("order", "pk"))
    current = goal_current_assessments(plan, period)
    sections = {
        s.pk: s
        for s in Section.objects.filter(plan=plan).only(
            "pk", "parent_id", "programme", "direction_goal_id"
        )
    }
    goals = list(Goal.objects.filter(section__plan=plan).values_list("pk", "section_id"))
    direction_goals = list(DirectionGoal.objects.filter(plan=plan).order_by("order", "pk"))
    areas = list(PriorityArea.objects.filter(plan=plan).order_by("order", "pk"))
    area_by_programme: dict[str, PriorityArea] = {}
    for area in areas:
        if area.programme:
            area_by_programme.setdefault(area.programme, area)

    by_goal_dir: dict[int | None, list[int]] = defaultdict(list)
    by_area: dict[int | None, list[int]] = defaultdict(list)
    for goal_id, section_id in goals:
        section = sections[section_id]
        direction_goal_id = _inherited(section, sections, "direction_goal_id")
        programme = _inherited(section, sections, "programme")
        area = area_by_programme.get(programme) if programme else None
        by_goal_dir[direction_goal_id].append(goal_id)
        by_area[area.pk if area else None].append(goal_id)

    def group(subject, goal_ids) -> AttainmentGroup:
        per_level: dict[int | None, int] = defaultdict(int)
        for goal_id in goal_ids:
            assessment = current.get(goal_id)
            per_level[assessment.level_id if assessment else None] += 1
        counts = [LevelCount(level, per_level.get(level.pk, 0)) for level in levels]
        counts.append(LevelCount(None, per_level.get(None, 0)))
        return AttainmentGroup(subject=subject, counts=counts)

    direction_groups = [group(d, by_goal_dir.get(d.pk, [])) for d in direction_goals]
    known = {d.pk for d in direction_goals}
    orphans = [g for key, ids in by_goal_dir.items() if key not in known for g in ids]
    if orphans:
        direction_groups.append(group(None, orphans))
    area_groups = [group(a, by_area.get(a.pk, [])) for a in areas]
    if by_area.get(None):
        area_groups.append(group(None, by_area[None]))
    return AttainmentCounts(
        levels=levels,
        by_direction_goal=direction_groups,
        by_area=area_groups,
        total=group(None, [goal_id for goal_id, _section in goals]),
    )


# --- Indicators -----------------------------------------------------------------------


def _values_newest_first():
    return IndicatorValue.objects.order_by(F("year").desc(nulls_last=True), "-pk")


def plan_indicators(plan: Plan) -> list[Indicator]:
    """The indicators of `plan`: its own, its sections' and its goals', in order, each
    with its values (newest year first; values without a year last) prefetched. Two
    queries."""
    return list(
        Indicator.objects.filter(Q(plan=plan) | Q(section__plan=plan) | Q(goal__section__plan=plan))
        .order_by("order", "pk")
        .prefetch_related(Prefetch("values", queryset=_values_newest_first()))
    )


# --- The goal page --------------------------------------------------------------------


@dataclass
class GoalPage:
    """What the goal page shows. `history` is the goal's assessments, newest first;
    `current` the latest overall (see goal_current_assessments); `activities` the
    contributing activities in the goal's order of links, each with ``latest`` (its
    newest report, or None); `indicators` as IndicatorViews (values of earlier years'
    copies included); `earlier` the same goal in earlier years' plans (newest year
    first), each with its ``history`` and ``current``."""

    goal: Goal
    current: GoalAssessment | None
    history: list[GoalAssessment]
    activities: list[Activity]
    indicators: list
    earlier: list[Goal]

    @property
    def years(self) -> list[Goal]:
        """This year's goal and its earlier years', newest first: the rows of the
        side-by-side table."""
        self.goal.history = self.history
        self.goal.current = self.current
        return [self.goal, *self.earlier]


def goal_for_plan(plan: Plan, pk) -> Goal | None:
    """The goal `pk` of `plan`, with its section and the section's direction goal
    (one query), or None."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        Goal.objects.filter(section__plan=plan, pk=pk)
        .select_related("section__plan", "section__direction_goal")
        .first()
    )


def _history(goals: list[Goal]) -> dict[int, list[GoalAssessment]]:
    result: dict[int, list[GoalAssessment]] = defaultdict(list)
    for assessment in (
        GoalAssessment.objects.filter(goal__in=goals)
        .select_related("level", "period", "assessed_by")
        .order_by("-assessed_at", "-pk")
    ):
        result[assessment.goal_id].append(assessment)
    return result


def _current_of(history: list[GoalAssessment]) -> GoalAssessment | None:
    if not history:
        return None
    return sorted(
        history,
        key=lambda a: (a.period.order, a.period.due_date, a.assessed_at, a.pk),
        reverse=True,
    )[0]


def _as_queryset(values: list[IndicatorValue]):
    """A queryset holding `values` already, for a related manager's ``all()``."""
    queryset = IndicatorValue.objects.none()
    queryset._result_cache = list(values)
    queryset._prefetch_done = True
    return queryset


# Roll-overs to follow back at most; a chain longer than this is cut, not looped.
MAX_EARLIER_YEARS = 20


def goal_page(goal: Goal) -> GoalPage:
    """Everything the goal page of `goal` shows, in a fixed number of queries
    (eight, whatever the number of assessments, activities, indicators and earlier
    years; one more per earlier year found through ``carried_from``)."""
    from .followup import latest_updates

    earlier = []
    seen = {goal.pk}
    previous_id = goal.carried_from_id
    while previous_id and previous_id not in seen and len(earlier) < MAX_EARLIER_YEARS:
        previous = Goal.objects.filter(pk=previous_id).select_related("section__plan").first()
        if previous is None:
            break
        earlier.append(previous)
        seen.add(previous.pk)
        previous_id = previous.carried_from_id

    all_goals = [goal, *earlier]
    histories = _history(all_goals)
    # Indicators and their values in two queries that run whether or not there are
    # any (a prefetch skips its query when there is nothing to prefetch for), so the
    # page's query count does not depend on what the goal has.
    indicators_by_goal: dict[int, list[Indicator]] = defaultdict(list)
    values_by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in _values_newest_first().filter(indicator__goal__in=all_goals):
        values_by_indicator[value.indicator_id].append(value)
    for indicator in Indicator.objects.filter(goal__in=all_goals).order_by("order", "pk"):
        # As a prefetch would: indicator.values.all() reads the list, no query.
        indicator._prefetched_objects_cache = {
            "values": _as_queryset(values_by_indicator.get(indicator.pk, []))
        }
        indicators_by_goal[indicator.goal_id].append(indicator)

    contributing = Activity.objects.filter(goal_links__goal=goal)
    activities = list(
        contributing.select_related("section").order_by(
            "goal_links__order", "section__order", "order", "pk"
        )
    )
    latest: dict[int, object] = {}
    for update in latest_updates(
        plan=goal.section.plan, activities=contributing.values("pk")
    ).select_related("period"):
        known = latest.get(update.activity_id)
        if known is None or (update.period.order, update.period.due_date, update.reported_at) > (
            known.period.order,
            known.period.due_date,
            known.reported_at,
        ):
            latest[update.activity_id] = update
    for activity in activities:
        activity.latest = latest.get(activity.pk)

    for earlier_goal in earlier:
        earlier_goal.history = histories.get(earlier_goal.pk, [])
        earlier_goal.current = _current_of(earlier_goal.history)

    # An indicator's earlier copies: follow carried_from among the earlier goals'.
    by_pk = {i.pk: i for goal_id in indicators_by_goal for i in indicators_by_goal[goal_id]}
    views = []
    for indicator in indicators_by_goal.get(goal.pk, []):
        chain, seen = [], {indicator.pk}
        previous = by_pk.get(indicator.carried_from_id)
        while previous is not None and previous.pk not in seen:
            chain.append(previous)
            seen.add(previous.pk)
            previous = by_pk.get(previous.carried_from_id)
        views.append(indicator_view(indicator, chain))

    history = histories.get(goal.pk, [])
    return GoalPage(
        goal=goal,
        current=_current_of(history),
        history=history,
        activities=activities,
        indicators=views,
        earlier=earlier,
    )


# --- Indicators as pages show them ----------------------------------------------------


@dataclass
class IndicatorRow:
    """One value of an indicator as a page shows it: `text` is the value as worded
    (its headline, or the number with the unit); `year` and `source` only where the
    data holds them."""

    year: int | None
    text: str
    value: IndicatorValue


@dataclass
class IndicatorView:
    """An indicator with its values newest first (those of the same indicator in
    earlier years' plans included, where it was carried over), its latest value, and
    its baseline and target as text."""

    indicator: Indicator
    rows: list[IndicatorRow]
    baseline_text: str = ""
    target_text: str = ""

    @property
    def latest(self) -> IndicatorRow | None:
        return self.rows[0] if self.rows else None

    @property
    def dated_rows(self) -> list[IndicatorRow]:
        return [row for row in self.rows if row.year is not None]

    def chart_points(self) -> list[tuple]:
        return [(row.year, row.value.value, row.text) for row in self.dated_rows]

    def chart_mark(self, which: str):
        value = getattr(self.indicator, f"{which}_value")
        year = getattr(self.indicator, f"{which}_year")
        if value is None or year is None:
            return None
        return (year, value, self.number(value))

    def number(self, value) -> str:
        from .selectors import format_decimal

        unit = self.indicator.unit
        number = format_decimal(value)
        return f"{number}\N{NO-BREAK SPACE}{unit}" if unit else number


def indicator_view(indicator: Indicator, earlier: list[Indicator] = ()) -> IndicatorView:
    """`indicator` (its values prefetched) as pages show it. `earlier` are the same
    indicator in earlier years' plans (values prefetched); their values fill years the
    indicator itself has no value for. No queries of its own."""
    from .selectors import format_indicator_value

    rows: dict = {}
    undated = []
    for source in [indicator, *earlier]:
        for value in source.values.all():
            row = IndicatorRow(value.year, format_indicator_value(source, value), value)
            if value.year is None:
                if source is indicator:
                    undated.append(row)
            else:
                rows.setdefault(value.year, row)
    ordered = [rows[year] for year in sorted(rows, reverse=True)] + undated
    view = IndicatorView(indicator=indicator, rows=ordered)
    if indicator.baseline_value is not None and indicator.baseline_year is not None:
        view.baseline_text = view.number(indicator.baseline_value)
    if indicator.target_value is not None and indicator.target_year is not None:
        view.target_text = view.number(indicator.target_value)
    return view


def section_indicators(section: Section) -> list[IndicatorView]:
    """The indicators of `section` itself, as pages show them. Two queries."""
    indicators = (
        Indicator.objects.filter(section=section)
        .order_by("order", "pk")
        .prefetch_related(Prefetch("values", queryset=_values_newest_first()))
    )
    return [indicator_view(i) for i in indicators]
