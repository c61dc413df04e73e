"""The plan's budget, totalled once (issue 10, point 6).

Sections and activities may each have a planned amount (plan text, frozen when the plan
is adopted) and an actual amount (follow-up, open), in kronor; either may be missing.
:func:`budget_totals` adds them up per area (a top-level section, with everything under
it) and for the plan. Amounts are additive: a section's own amount is for its work that
is not broken down into activities, so an area's total is its sections' own amounts
plus their activities'. A total of nothing given is ``None`` — shown as "not given",
never as 0. Every page, the PDF and the XLSX take their figures from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from malardal.types import Actor

    from .models import Activity, Plan, Section


@dataclass(frozen=True)
class Item:
    """A section (``activity_of`` None) or an activity (``activity_of`` its section)."""

    id: int
    section_id: int
    planned: Decimal | None
    actual: Decimal | None
    parent_id: int | None = None
    is_activity: bool = False


def _add(total: Decimal | None, value: Decimal | None) -> Decimal | None:
    if value is None:
        return total
    return value if total is None else total + value


@dataclass
class Totals:
    planned: Decimal | None = None
    actual: Decimal | None = None
    items: int = 0  # how many sections and activities have an amount

    def add(self, planned: Decimal | None, actual: Decimal | None) -> None:
        self.planned = _add(self.planned, planned)
        self.actual = _add(self.actual, actual)
        if planned is not None or actual is not None:
            self.items += 1

    @property
    def given(self) -> bool:
        return self.planned is not None or self.actual is not None


@dataclass
class BudgetTotals:
    areas: dict[int, Totals] = field(default_factory=dict)  # top-level section id → totals
    plan: Totals = field(default_factory=Totals)

    @property
    def given(self) -> bool:
        return self.plan.given


def budget_totals(sections: Iterable[Item], activities: Iterable[Item]) -> BudgetTotals:
    """Totals per area and for the plan; no queries."""
    sections = list(sections)
    parent = {s.id: s.parent_id for s in sections}

    def area_of(section_id: int) -> int:
        seen = set()
        while (up := parent.get(section_id)) is not None and section_id not in seen:
            seen.add(section_id)
            section_id = up
        return section_id

    result = BudgetTotals()
    for section in sections:
        if section.parent_id is None:
            result.areas.setdefault(section.id, Totals())
    for item in [*sections, *activities]:
        area = area_of(item.section_id)
        result.areas.setdefault(area, Totals()).add(item.planned, item.actual)
        result.plan.add(item.planned, item.actual)
    return result


def plan_budget(plan: Plan) -> BudgetTotals:
    """The plan's budget totals, in two queries."""
    from .models import Activity, Section

    sections = [
        Item(id=pk, section_id=pk, parent_id=parent, planned=planned, actual=actual)
        for pk, parent, planned, actual in Section.objects.filter(plan=plan).values_list(
            "pk", "parent_id", "planned_amount", "actual_amount"
        )
    ]
    activities = [
        Item(id=pk, section_id=section, planned=planned, actual=actual, is_activity=True)
        for pk, section, planned, actual in Activity.objects.filter(section__plan=plan).values_list(
            "pk", "section_id", "planned_amount", "actual_amount"
        )
    ]
    return budget_totals(sections, activities)


def may_see_budget(user: Actor, plan: Plan) -> bool:
    """The budget is the board's and the secretariat's, unless the plan makes it public."""
    return bool(plan.budget_public or user.has_perm("plan.view_budget"))


def budget_rows(plan: Plan, totals: BudgetTotals | None = None) -> list[tuple[str, Totals]]:
    """(area label "1 Infrastruktur", its totals) for every top-level section, in the
    plan's order: the rows of the budget table on pages and in reports."""
    from .models import Section

    totals = totals or plan_budget(plan)
    roots = Section.objects.filter(plan=plan, parent__isnull=True).order_by("order", "pk")
    return [
        (f"{root.number} {root.heading}".strip(), totals.areas.get(root.pk, Totals()))
        for root in roots
    ]


@dataclass(frozen=True)
class Line:
    """One section's or activity's own amounts, as the plan gives them (not a total)."""

    label: str
    planned: Decimal | None
    actual: Decimal | None

    @property
    def given(self) -> bool:
        return self.planned is not None or self.actual is not None


@dataclass(frozen=True)
class SectionLines:
    """A section's own amounts and its activities' amounts, for the per-section tables."""

    number: str
    heading: str
    section: Line
    activities: list[Line]

    @property
    def given(self) -> bool:
        """Whether the section or one of its activities has an amount."""
        return self.section.given or any(line.given for line in self.activities)


def budget_lines(sections: Iterable[tuple[Section, Iterable[Activity]]]) -> list[SectionLines]:
    """The amounts of every section and its activities, in the order given, from objects
    already loaded (no queries): the rows under the budget table in the yearly report and
    in its XLSX. These are the amounts as given; totals come from :func:`budget_totals`."""
    result = []
    for section, activities in sections:
        label = f"{section.number} {section.heading}".strip()
        result.append(
            SectionLines(
                number=section.number,
                heading=section.heading,
                section=Line(label, section.planned_amount, section.actual_amount),
                activities=[
                    Line(activity.text, activity.planned_amount, activity.actual_amount)
                    for activity in activities
                ],
            )
        )
    return result
