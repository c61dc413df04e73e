"""Reads for the public plan pages.

Every selector here runs a fixed number of queries whatever the size of the plan: the
section tree comes from one query and is built in Python, and the goals and activities
of all sections are prefetched in one query each.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from events.models import Event

from .models import (
    Activity,
    DirectionGoal,
    Goal,
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


def archive_plans(user, *, exclude: Plan | None = None) -> list[Plan]:
    """The plans `user` may read, newest first, without `exclude`: the links to other
    years (drafts only for those who may see them)."""
    plans = plans_visible_to(user).order_by("-year")
    if exclude is not None:
        plans = plans.exclude(pk=exclude.pk)
    return list(plans)


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


def section_tree(plan: Plan, *, with_content: bool = False) -> SectionTree:
    """Build the section tree of `plan` from one query.

    With `with_content`, the goals and activities of every section are prefetched too
    (one query each), so ``section.goals.all()`` and ``section.activities.all()`` cost
    nothing in the template.
    """
    sections_qs = (
        Section.objects.filter(plan=plan).select_related("direction_goal").order_by("order", "pk")
    )
    if with_content:
        sections_qs = sections_qs.prefetch_related(
            Prefetch("goals", queryset=Goal.objects.order_by("order", "pk")),
            Prefetch("activities", queryset=Activity.objects.order_by("order", "pk")),
        )
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


def section_content(section: Section) -> dict:
    """The goals and activities of one section (two queries)."""
    goals = list(Goal.objects.filter(section=section).order_by("order", "pk"))
    activities = list(Activity.objects.filter(section=section).order_by("order", "pk"))
    for item in [*goals, *activities]:
        item.section = section
    return {"goals": goals, "activities": activities}


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
