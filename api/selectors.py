"""Reads for the open-data API and the exports.

The API shows exactly what the anonymous pages show, so every query here starts from the
pages' own visibility rules, imported rather than restated:

- plans: ``plan.selectors.plans_visible_to`` (published plans only, for a visitor);
- sections, goals and activities: those of the plans above;
- an activity's status and progress: its figure in ``plan.followup.plan_progress`` (the
  one progress figure the home, plan and section pages show);
- follow-up comments: ``plan.selectors.followup_comments_visible`` (for a visitor,
  only where the plan's setting makes them public);
- events: ``Event.objects.visible_to`` (public events only, for a visitor), and their
  links to sections and activities only within the visible plans (as the event page);
- organisations: every organisation has its public page; the member directory lists
  those whose membership (member or associated) holds, the partners page the partners
  and arenas, so the API gives every organisation with its memberships.

The API never authenticates (see REST_FRAMEWORK in the settings): `user` is always the
anonymous user, and it is passed on so the rules above decide, not this module.

Persons are never read here: no name, e-mail or phone reaches the open data (see the
README, "Open data and the API"). Every queryset has a total order ending in the primary
key, so pages are stable, and prefetches instead of per-row queries, so a list costs the
same number of queries whatever its length.
"""

from django.db.models import F, Prefetch, QuerySet

from ebm.selectors import participating_regions
from ebs.selectors import participating_counties
from events.models import Event
from members.models import Membership, Organisation, Programme
from plan.followup import plan_progress
from plan.models import (
    Activity,
    DirectionGoal,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    PriorityArea,
    PriorityAreaItem,
    Section,
    Status,
    StatusUpdate,
)
from plan.rollup import ActivityFigure
from plan.selectors import followup_comments_visible, plans_visible_to


def plans(user) -> QuerySet[Plan]:
    """The plans `user` may read, newest first, with their direction goals and
    prioritised areas."""
    return (
        plans_visible_to(user)
        .order_by("-year")
        .prefetch_related(
            Prefetch("direction_goals", queryset=DirectionGoal.objects.order_by("order", "pk")),
            Prefetch(
                "priority_areas",
                queryset=PriorityArea.objects.order_by("order", "pk").prefetch_related(
                    Prefetch("items", queryset=PriorityAreaItem.objects.order_by("order", "pk"))
                ),
            ),
        )
    )


def sections(user) -> QuerySet[Section]:
    return (
        Section.objects.filter(plan__in=plans_visible_to(user))
        .select_related("plan", "direction_goal")
        .order_by("-plan__year", "order", "pk")
    )


def goals(user) -> QuerySet[Goal]:
    return (
        Goal.objects.filter(section__plan__in=plans_visible_to(user))
        .select_related("section__plan")
        .order_by("-section__plan__year", "section__order", "order", "pk")
    )


def public_events(user) -> QuerySet[Event]:
    """The events `user` may see (for a visitor: the public ones)."""
    return Event.objects.visible_to(user)


def activities(user) -> QuerySet[Activity]:
    """Activities of the visible plans, with their organisations and the events linked
    to them that `user` may see. Their status and progress: ``activity_figures``."""
    return (
        Activity.objects.filter(section__plan__in=plans_visible_to(user))
        .select_related("section__plan")
        .prefetch_related(
            Prefetch("organisations", queryset=Organisation.objects.order_by("slug")),
            Prefetch("events", queryset=public_events(user).order_by("slug")),
            Prefetch(
                "status_updates",
                queryset=StatusUpdate.objects.select_related("period", "status").order_by(
                    "-reported_at", "-pk"
                ),
            ),
        )
        .order_by("-section__plan__year", "section__order", "order", "pk")
    )


def statuses() -> dict[int, Status]:
    """Every follow-up status by primary key (one query)."""
    return {status.pk: status for status in Status.objects.order_by("order", "pk")}


def comments_visible(plan: Plan, user) -> bool:
    """Whether the follow-up comments of `plan` are shown (the activity page's rule)."""
    return followup_comments_visible(plan, user)


def activity_figures(plans) -> dict[int, ActivityFigure]:
    """Every activity's figure (latest report up to the current period, progress, late,
    report missing) in `plans`, by activity pk: what the section page shows beside each
    activity. Five queries per plan, whatever its number of activities."""
    figures: dict[int, ActivityFigure] = {}
    for plan in plans:
        figures.update(plan_progress(plan).figures.activities)
    return figures


def activity_ids_with_status(user, slug: str, *, year: int | None = None) -> list[int]:
    """The activities of the plans `user` may read (of `year` only, if given) whose
    latest report, as their figure counts it, has the status `slug`."""
    status = Status.objects.filter(slug=slug).first()
    if status is None:
        return []
    plans = plans_visible_to(user)
    if year is not None:
        plans = plans.filter(year=year)
    return [
        pk
        for pk, figure in activity_figures(plans).items()
        if figure.latest is not None and figure.latest.status_id == status.pk
    ]


def indicators() -> QuerySet[Indicator]:
    return Indicator.objects.order_by("order", "pk").prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.order_by("year", "pk"))
    )


def events(user) -> QuerySet[Event]:
    """The events `user` may see, by date (undated last), with their body, hosts, and
    the sections and activities they serve within the plans `user` may read."""
    visible_plans = plans_visible_to(user)
    return (
        public_events(user)
        .select_related("body", "parent")
        .prefetch_related(
            Prefetch("hosts", queryset=Organisation.objects.order_by("slug")),
            Prefetch(
                "sections",
                queryset=Section.objects.filter(plan__in=visible_plans).order_by("pk"),
            ),
            Prefetch(
                "activities",
                queryset=Activity.objects.filter(section__plan__in=visible_plans).order_by("pk"),
            ),
        )
        .order_by(F("start_date").asc(nulls_last=True), "start_time", "slug", "pk")
    )


def visible_event_ids(user) -> set[int]:
    """Primary keys of the events `user` may see: an event's ``parent`` is named only
    when it is one of them (as the event page does)."""
    return set(public_events(user).values_list("pk", flat=True))


def organisations() -> QuerySet[Organisation]:
    """With their county and memberships (two queries a page)."""
    return (
        Organisation.objects.select_related("county")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.order_by(F("start_date").asc(nulls_first=True), "pk"),
            )
        )
        .order_by("slug", "pk")
    )


def programmes() -> list[dict]:
    """The programmes with the counties taking part (two queries)."""
    counties = {
        Programme.EBS: [p.county for p in participating_counties()],
        Programme.EBM: [p.county for p in participating_regions()],
    }
    return [
        {"code": programme.value, "programme": programme, "counties": counties[programme]}
        for programme in Programme
    ]
