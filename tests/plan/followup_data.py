"""A small plan with follow-up, built through factories and services, for the follow-up,
report and roll-over tests.

    1 Fokusområden / Focus areas
      1.1 Infrastruktur / Infrastructure (En Bättre Sits)   2 goals, activities A1, A2
    2 Mötesplatser / Meeting places                          activity A3

Anna (a member) owns A1 and A2; Bertil (a member) owns A3. The plan is this year's,
with the default periods (tertial 1, tertial 2, full year) and the default statuses
(from the data migration).
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.utils import timezone

from members import roles
from plan.models import Activity, Plan, ReportingPeriod, Section, Status
from plan.services import reporting_periods_create_default
from tests.factories import (
    ActivityFactory,
    GoalFactory,
    PersonFactory,
    PlanFactory,
    SectionFactory,
    StatusFactory,
    UserFactory,
)

# This year's plan, so that its periods have started and take reports today.
YEAR = timezone.localdate().year


@dataclass
class FollowupPlan:
    plan: Plan
    t1: ReportingPeriod
    t2: ReportingPeriod
    year: ReportingPeriod
    focus: Section
    infra: Section
    meetings: Section
    a1: Activity
    a2: Activity
    a3: Activity
    anna: object
    bertil: object
    on_track: Status
    delayed: Status
    completed: Status


def default_status(slug: str, **values) -> Status:
    """A default status; made here when a transactional test has flushed the data
    migration's rows."""
    status = Status.objects.filter(slug=slug).first()
    if status is None:
        status = StatusFactory(slug=slug, **values)
    return status


def member(username: str, first_name: str):
    """A member user linked to a person (the member group may have been flushed by a
    transactional test; then the user gets the permission directly)."""
    user = UserFactory(username=username, first_name=first_name, groups=[roles.MEMBER])
    if not Group.objects.filter(name=roles.MEMBER).exists():
        from django.contrib.auth.models import Permission

        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="plan", codename="report_own_activity")
        )
    person = PersonFactory(first_name=first_name, last_name="Testsson", user=user)
    return user, person


def build(year: int = YEAR, *, status=Plan.Status.ADOPTED) -> FollowupPlan:
    plan = PlanFactory(
        year=year,
        status=status,
        title_sv=f"Verksamhetsplan {year}",
        title_en=f"Operations plan {year}",
    )
    t1, t2, full_year = reporting_periods_create_default(plan=plan)
    focus = SectionFactory(
        plan=plan,
        slug="fokus",
        number="1",
        heading_sv="Fokusområden",
        heading_en="Focus areas",
        order=1,
    )
    infra = SectionFactory(
        plan=plan,
        parent=focus,
        slug="infrastruktur",
        number="1.1",
        heading_sv="Infrastruktur och transporter",
        heading_en="Infrastructure and transport",
        programme="ebs",
        order=2,
    )
    meetings = SectionFactory(
        plan=plan,
        slug="motesplatser",
        number="2",
        heading_sv="Mötesplatser",
        heading_en="Meeting places",
        order=3,
    )
    GoalFactory(
        section=infra, order=1, text_sv="Att stärka regionen.", text_en="To strengthen the region."
    )
    GoalFactory(section=infra, order=2, text_sv="Att bygga järnväg.", text_en="To build railways.")
    a1 = ActivityFactory(
        section=infra,
        order=1,
        text_sv="Att samordna trafiken.",
        text_en="To coordinate the traffic.",
    )
    a2 = ActivityFactory(
        section=infra,
        order=2,
        text_sv="Att ta fram en godsstrategi.",
        text_en="To draw up a freight strategy.",
    )
    a3 = ActivityFactory(
        section=meetings,
        order=1,
        text_sv="Att ordna Mälartinget.",
        text_en="To arrange Mälartinget.",
    )
    anna, anna_person = member("anna", "Anna")
    bertil, bertil_person = member("bertil", "Bertil")
    a1.owners.add(anna_person)
    a2.owners.add(anna_person)
    a3.owners.add(bertil_person)
    return FollowupPlan(
        plan=plan,
        t1=t1,
        t2=t2,
        year=full_year,
        focus=focus,
        infra=infra,
        meetings=meetings,
        a1=a1,
        a2=a2,
        a3=a3,
        anna=anna,
        bertil=bertil,
        on_track=default_status(
            "on-track", name_sv="Enligt plan", name_en="On track", default_progress=50
        ),
        delayed=default_status(
            "delayed",
            name_sv="Försenad",
            name_en="Delayed",
            default_progress=25,
            is_delayed=True,
            colour="#b3261e",
        ),
        completed=default_status(
            "completed",
            name_sv="Genomförd",
            name_en="Completed",
            default_progress=100,
            colour="#0b4f8a",
        ),
    )


DAY_IN_T2 = datetime.date(YEAR, 6, 10)
AFTER_THE_YEAR = datetime.date(YEAR + 1, 3, 1)
