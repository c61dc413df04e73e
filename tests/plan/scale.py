"""Data ten times the size of the 2023 plan, for the tests that check that a page runs
the same number of queries whatever the amount of data.

`load_2023()` loads the adopted plan with its reporting periods and one report per
activity; `grow_tenfold()` then adds nine times as much of everything a public plan page
reads (activities with owners, organisations and reports; events; indicators; nine more
published years, each a copy of the 2023 section tree with activities). Rows are made
with bulk_create: the point is the amount of data, not how it is written.
"""

import datetime
import itertools

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from members.models import Organisation, Person
from plan.models import (
    Activity,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    ReportingPeriod,
    Section,
    Status,
    StatusUpdate,
)
from plan.services import reporting_periods_create_default

FACTOR = 10
_serial = itertools.count()


def load_2023() -> Plan:
    call_command("load_plan_2023", verbosity=0)
    plan = Plan.objects.get(year=2023)
    if not plan.periods.exists():
        reporting_periods_create_default(plan=plan)
    _report_on(list(Activity.objects.filter(section__plan=plan)), plan)
    return plan


def _report_on(activities, plan, *, per_activity=1):
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("order"))
    statuses = list(Status.objects.order_by("order"))
    updates = []
    for i, activity in enumerate(activities):
        for j in range(per_activity):
            updates.append(
                StatusUpdate(
                    activity=activity,
                    period=periods[j % len(periods)],
                    status=statuses[(i + j) % len(statuses)],
                    progress=(i * 7 + j * 13) % 101,
                    comment="Rapport.",
                )
            )
    StatusUpdate.objects.bulk_create(updates)


def _activities(sections, per_section, word):
    rows = []
    for section in sections:
        for i in range(per_section):
            n = next(_serial)
            rows.append(
                Activity(
                    section=section,
                    order=100 + i,
                    text_sv=f"Extra aktivitet {n} om {word} i Mälardalen.",
                    text_en=f"Extra activity {n} on {word} in the Mälaren valley.",
                )
            )
    return Activity.objects.bulk_create(rows)


def _copy_tree(plan: Plan, year: int) -> Plan:
    """A published plan for `year` with the same sections as `plan`, each with goals and
    activities."""
    copy = Plan.objects.create(
        year=year,
        title_sv=f"Verksamhetsplan {year}",
        title_en=f"Operations plan {year}",
        status=Plan.Status.ARCHIVED,
        adopted_on=datetime.date(year - 1, 12, 1),
    )
    old_sections = list(plan.sections.order_by("order"))
    new_by_old = {}
    for section in old_sections:
        new_by_old[section.pk] = Section(
            plan=copy,
            slug=section.slug,
            number=section.number,
            heading_sv=section.heading_sv,
            heading_en=section.heading_en,
            body_sv=section.body_sv,
            body_en=section.body_en,
            programme=section.programme,
            order=section.order,
        )
    Section.objects.bulk_create(new_by_old.values())
    for section in old_sections:
        if section.parent_id:
            new_by_old[section.pk].parent = new_by_old[section.parent_id]
    Section.objects.bulk_update(new_by_old.values(), ["parent"])
    sections = list(new_by_old.values())
    Goal.objects.bulk_create(
        Goal(section=s, order=1, text_sv=f"Mål {year}.", text_en=f"Goal {year}.") for s in sections
    )
    _activities(sections, 2, f"år {year}")
    return copy


def grow_tenfold(plan: Plan) -> None:
    """Nine times more of everything the public pages read, beside the loaded plan."""
    sections = list(plan.sections.all())
    activities_before = Activity.objects.filter(section__plan=plan).count()
    per_section = -(-(FACTOR - 1) * activities_before // len(sections))  # rounded up
    new = _activities(sections, per_section, "godstransporter")
    _report_on(new, plan, per_activity=3)
    # Reports again on the loaded activities: a longer history per activity.
    _report_on(list(Activity.objects.filter(section__plan=plan)), plan, per_activity=2)

    organisations = Organisation.objects.bulk_create(
        Organisation(
            slug=f"scale-org-{n}",
            name_sv=f"Mälarkommun {n}",
            name_en=f"Mälaren municipality {n}",
            kind=Organisation.Kind.MUNICIPALITY,
        )
        for n in range(FACTOR * 20)
    )
    people = Person.objects.bulk_create(
        Person(first_name=f"Person{n}", last_name="Mälarsson", organisation=organisations[n])
        for n in range(FACTOR * 20)
    )
    owners = Activity.owners.through
    owners.objects.bulk_create(
        owners(activity_id=activity.pk, person_id=people[i % len(people)].pk)
        for i, activity in enumerate(Activity.objects.filter(section__plan=plan))
    )
    linked = Activity.organisations.through
    linked.objects.bulk_create(
        linked(activity_id=activity.pk, organisation_id=organisations[i % 50].pk)
        for i, activity in enumerate(Activity.objects.filter(section__plan=plan))
    )

    today = timezone.localdate()
    events = Event.objects.bulk_create(
        Event(
            slug=f"scale-event-{n}",
            kind=Event.Kind.THEMATIC_MEETING,
            title_sv=f"Mälarmöte {n}",
            title_en=f"Mälaren meeting {n}",
            start_date=None if n % 5 == 0 else today + datetime.timedelta(days=n - 40),
            date_note_sv="Datum meddelas" if n % 5 == 0 else "",
            date_note_en="Date to be announced" if n % 5 == 0 else "",
            place_sv="Västerås",
            place_en="Västerås",
            visibility=Event.Visibility.MEMBERS if n % 3 == 0 else Event.Visibility.PUBLIC,
        )
        for n in range(FACTOR * 11)
    )
    through = Event.activities.through
    some = list(Activity.objects.filter(section__plan=plan)[:20])
    through.objects.bulk_create(
        through(event_id=event.pk, activity_id=activity.pk) for event in events for activity in some
    )

    indicators = Indicator.objects.bulk_create(
        Indicator(slug=f"scale-{n}", name_sv=f"Nyckeltal {n}", name_en=f"Figure {n}", order=50 + n)
        for n in range(FACTOR * 8)
    )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(indicator=indicator, year=year, value=1000 + year)
        for indicator in indicators
        for year in (2020, 2021, 2022)
    )

    for year in range(plan.year - FACTOR + 1, plan.year):
        _copy_tree(plan, year)


def count_queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)
