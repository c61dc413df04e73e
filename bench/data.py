"""The bench's synthetic data set: the adopted 2023 plan as loaded by `load_plan_2023`,
grown to ten yearly plans of 2,000 activities each (with three reports per activity in
past years), 300 organisations, 3,000 persons with roles, 500 events, at `scale` 1.

Everything is written with bulk_create: this is test data, not user input, and the
point is its size. Texts are varied enough for search to have something to find.
"""

import datetime
import io
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from events.models import Event
from members import roles
from members.models import Body, County, Membership, Organisation, Person, Role
from plan.defaults import default_periods
from plan.models import (
    Activity,
    DirectionGoal,
    Goal,
    Indicator,
    IndicatorValue,
    Plan,
    PriorityArea,
    PriorityAreaItem,
    ReportingPeriod,
    Section,
    Status,
    StatusUpdate,
)

YEARS = 10
ACTIVITIES_PER_YEAR = 2000
ORGANISATIONS = 300
PERSONS = 3000
EVENTS = 500
BODIES = 40
PASSWORD = "bench-password-not-secret"

WORDS_SV = [
    "godstransporter",
    "järnväg",
    "kollektivtrafik",
    "kompetensförsörjning",
    "lärare",
    "Mälardalen",
    "sjöfart",
    "bostäder",
    "innovation",
    "klimat",
    "samverkan",
    "regionen",
    "Örebro",
    "Västerås",
    "Uppsala",
    "Eskilstuna",
    "pendling",
    "infrastruktur",
]
WORDS_EN = [
    "freight",
    "railway",
    "public transport",
    "skills supply",
    "teachers",
    "the Mälaren valley",
    "shipping",
    "housing",
    "innovation",
    "climate",
    "cooperation",
    "the region",
    "Örebro",
    "Västerås",
    "Uppsala",
    "Eskilstuna",
    "commuting",
    "infrastructure",
]


@dataclass
class BenchData:
    """What the pages are measured on: the ids of typical objects and the sizes."""

    current_year: int
    section_path: tuple[int, str] = (0, "")
    activity_path: tuple[int, int] = (0, 0)
    event_slug: str = ""
    organisation_slug: str = ""
    body_slug: str = ""
    member_username: str = "bench-member"
    board_username: str = "bench-board"
    sizes: dict = field(default_factory=dict)


def _phrase(rng: random.Random, n: int) -> tuple[str, str]:
    picks = rng.sample(range(len(WORDS_SV)), n)
    return (
        " och ".join(WORDS_SV[i] for i in picks),
        " and ".join(WORDS_EN[i] for i in picks),
    )


def build(*, scale: float = 1.0, seed: int = 2023, out=None) -> BenchData:
    """Build the data set in the current database and say what was made on `out`."""
    rng = random.Random(seed)

    def say(message):
        if out is not None:
            out(message)

    def n(full: int) -> int:
        return max(1, round(full * scale))

    call_command("load_plan_2023", verbosity=0, stdout=io.StringIO())
    say("Loaded the 2023 plan.")

    counties = list(County.objects.all())
    organisations = _organisations(rng, n(ORGANISATIONS), counties)
    bodies = _bodies(rng, n(BODIES))
    persons = _persons(rng, n(PERSONS), organisations, bodies)
    say(f"Organisations, bodies, {len(persons)} persons with roles.")

    statuses = list(Status.objects.order_by("order"))
    this_year = timezone.localdate().year
    years = list(range(this_year - YEARS + 1, this_year + 1))
    template = Plan.objects.get(year=2023)
    template_sections = list(template.sections.order_by("order"))
    for year in years:
        plan = Plan.objects.filter(year=year).first() or _plan(rng, year, template_sections)
        plan.status = Plan.Status.ADOPTED if year == this_year else Plan.Status.ARCHIVED
        plan.save(update_fields=["status"])
        _fill_plan(rng, plan, n(ACTIVITIES_PER_YEAR), statuses, persons, organisations, this_year)
        say(f"Plan {year}: {Activity.objects.filter(section__plan=plan).count()} activities.")
    if template.year not in years:
        template.status = Plan.Status.ARCHIVED
        template.save(update_fields=["status"])

    _events(rng, n(EVENTS), bodies, organisations, years)
    _indicators(years)
    _users()
    say("Events, indicators and the bench's users.")

    return _pick(this_year)


def _organisations(rng, count, counties) -> list[Organisation]:
    kinds = [k for k, _label in Organisation.Kind.choices]
    missing = max(0, count - Organisation.objects.count())
    Organisation.objects.bulk_create(
        Organisation(
            slug=f"bench-org-{i}",
            name_sv=f"{WORDS_SV[i % len(WORDS_SV)].capitalize()} organisation {i}",
            name_en=f"{WORDS_EN[i % len(WORDS_EN)].capitalize()} organisation {i}",
            kind=kinds[i % len(kinds)],
            county=counties[i % len(counties)] if counties else None,
            description_sv=f"En medlem som arbetar med {_phrase(rng, 2)[0]}.",
            description_en=f"A member working on {_phrase(rng, 2)[1]}.",
        )
        for i in range(missing)
    )
    organisations = list(Organisation.objects.all())
    with_membership = set(Membership.objects.values_list("organisation_id", flat=True))
    # Two in three are members (from a date in 2000–2019), as the directory lists them.
    Membership.objects.bulk_create(
        Membership(
            organisation=organisation,
            kind=Membership.Kind.MEMBER if i % 3 == 0 else Membership.Kind.ASSOCIATED,
            start_date=datetime.date(2000 + i % 20, 1, 1),
        )
        for i, organisation in enumerate(organisations)
        if i % 3 != 2 and organisation.pk not in with_membership
    )
    return organisations


def _bodies(rng, count) -> list[Body]:
    kinds = [k for k, _label in Body.Kind.choices]
    programmes = ["", "ebs", "ebm"]
    made = Body.objects.bulk_create(
        Body(
            slug=f"bench-body-{i}",
            name_sv=f"Arbetsgrupp {i} för {WORDS_SV[i % len(WORDS_SV)]}",
            name_en=f"Working group {i} on {WORDS_EN[i % len(WORDS_EN)]}",
            kind=kinds[i % len(kinds)],
            programme=programmes[i % 3],
            order=100 + i,
        )
        for i in range(count)
    )
    # Every fourth one is part of the one before it.
    for i, body in enumerate(made):
        if i % 4 == 3:
            body.parent = made[i - 1]
    Body.objects.bulk_update(made, ["parent"])
    return list(Body.objects.all())


def _persons(rng, count, organisations, bodies) -> list[Person]:
    persons = Person.objects.bulk_create(
        Person(
            first_name=f"Förnamn{i}",
            last_name=f"Efternamn{i}",
            title_sv="Handläggare",
            title_en="Officer",
            organisation=organisations[i % len(organisations)],
            email=f"person{i}@example.org",
            phone=f"08-{i:06d}",
        )
        for i in range(count)
    )
    positions = [p for p, _label in Role.Position.choices]
    sectors = [s for s, _label in Role.Sector.choices]
    Role.objects.bulk_create(
        Role(
            person=person,
            body=bodies[i % len(bodies)],
            position=positions[i % len(positions)],
            sector=sectors[i % len(sectors)],
            is_public=i % 10 != 0,
        )
        for i, person in enumerate(persons)
    )
    return persons


def _plan(rng, year, template_sections) -> Plan:
    """A plan for `year` whose section tree has the 2023 plan's shape."""
    plan = Plan.objects.create(
        year=year,
        title_sv=f"Verksamhetsplan {year}",
        title_en=f"Operations plan {year}",
        status=Plan.Status.ARCHIVED,
        adopted_on=datetime.date(year - 1, 12, 8),
        adopted_by_sv="Mälardalsrådets styrelse",
        adopted_by_en="the board of Mälardalsrådet",
        introduction_sv=f"Verksamhetsplanen för {year}.\n\nRegionen växer.",
        introduction_en=f"The operations plan for {year}.\n\nThe region grows.",
    )
    for order, (sv, en) in enumerate(
        [
            ("En sammanhållen region", "A cohesive region"),
            ("En stark kunskapsregion", "A strong knowledge region"),
        ]
    ):
        DirectionGoal.objects.create(
            plan=plan, slug=f"goal-{order}", name_sv=sv, name_en=en, order=order
        )
    for order in range(2):
        area = PriorityArea.objects.create(
            plan=plan,
            title_sv=f"Prioriterat område {order + 1}",
            title_en=f"Priority area {order + 1}",
            order=order,
        )
        PriorityAreaItem.objects.bulk_create(
            PriorityAreaItem(
                area=area, text_sv=_phrase(rng, 2)[0], text_en=_phrase(rng, 2)[1], order=i
            )
            for i in range(3)
        )
    made = {}
    for section in template_sections:
        sv, en = _phrase(rng, 3)
        made[section.pk] = Section(
            plan=plan,
            slug=section.slug,
            number=section.number,
            heading_sv=section.heading_sv,
            heading_en=section.heading_en,
            body_sv=f"Under {year} arbetar vi med {sv}.\n\n{section.body_sv[:400]}",
            body_en=f"In {year} we work on {en}.\n\n{section.body_en[:400]}",
            programme=section.programme,
            order=section.order,
        )
    Section.objects.bulk_create(made.values())
    for section in template_sections:
        if section.parent_id:
            made[section.pk].parent = made[section.parent_id]
    Section.objects.bulk_update(made.values(), ["parent"])
    return plan


def _fill_plan(rng, plan, activities_wanted, statuses, persons, organisations, this_year):
    sections = list(plan.sections.order_by("order"))
    have = Activity.objects.filter(section__plan=plan).count()
    if not Goal.objects.filter(section__plan=plan).exists():
        Goal.objects.bulk_create(
            Goal(
                section=s,
                order=1,
                text_sv=f"Att {_phrase(rng, 2)[0]} stärks.",
                text_en=f"{_phrase(rng, 2)[1].capitalize()} grow stronger.",
            )
            for s in sections
        )
    new = []
    for i in range(max(0, activities_wanted - have)):
        sv, en = _phrase(rng, 2)
        new.append(
            Activity(
                section=sections[i % len(sections)],
                order=1000 + i,
                text_sv=f"Att driva arbetet med {sv} ({plan.year}:{i}).",
                text_en=f"To drive the work on {en} ({plan.year}:{i}).",
                end_date=datetime.date(plan.year, 12, 31) if i % 5 == 0 else None,
            )
        )
    Activity.objects.bulk_create(new, batch_size=500)
    activities = list(Activity.objects.filter(section__plan=plan).only("pk"))

    owners = Activity.owners.through
    owners.objects.bulk_create(
        (
            owners(activity_id=a.pk, person_id=persons[(i * 7) % len(persons)].pk)
            for i, a in enumerate(activities)
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )
    linked = Activity.organisations.through
    linked.objects.bulk_create(
        (
            linked(activity_id=a.pk, organisation_id=organisations[(i * 3) % len(organisations)].pk)
            for i, a in enumerate(activities)
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )

    if not plan.periods.exists():
        ReportingPeriod.objects.bulk_create(
            ReportingPeriod(plan=plan, **p) for p in default_periods(plan.year)
        )
    periods = list(plan.periods.order_by("order"))
    # Past years have every period reported; the current year its first period.
    reported = periods if plan.year < this_year else periods[:1]
    StatusUpdate.objects.bulk_create(
        (
            StatusUpdate(
                activity_id=a.pk,
                period=period,
                status=statuses[(i + j) % len(statuses)],
                progress=min(100, (i * 13 + j * 30) % 101),
                comment=f"Rapport {j + 1}.",
            )
            for i, a in enumerate(activities)
            if i % 10 != 9  # one in ten has no report
            for j, period in enumerate(reported)
        ),
        batch_size=1000,
    )


def _events(rng, count, bodies, organisations, years):
    kinds = [k for k, _label in Event.Kind.choices]
    today = timezone.localdate()
    first = datetime.date(years[0], 1, 1)
    span = (today - first).days + 180
    events = Event.objects.bulk_create(
        Event(
            slug=f"bench-event-{i}",
            kind=kinds[i % len(kinds)],
            title_sv=f"Möte om {WORDS_SV[i % len(WORDS_SV)]} {i}",
            title_en=f"Meeting on {WORDS_EN[i % len(WORDS_EN)]} {i}",
            description_sv=f"Ett möte om {_phrase(rng, 3)[0]}.",
            description_en=f"A meeting on {_phrase(rng, 3)[1]}.",
            start_date=None if i % 20 == 0 else first + datetime.timedelta(days=(i * 37) % span),
            date_note_sv="Datum meddelas" if i % 20 == 0 else "",
            date_note_en="Date to be announced" if i % 20 == 0 else "",
            place_sv=WORDS_SV[12 + i % 6],
            place_en=WORDS_EN[12 + i % 6],
            body=bodies[i % len(bodies)],
            visibility=Event.Visibility.MEMBERS if i % 4 == 0 else Event.Visibility.PUBLIC,
            registration_open=i % 3 == 0,
        )
        for i in range(count)
    )
    hosts = Event.hosts.through
    hosts.objects.bulk_create(
        hosts(event_id=e.pk, organisation_id=organisations[(i * 11 + k) % len(organisations)].pk)
        for i, e in enumerate(events)
        for k in range(2)
    )
    sections = list(Section.objects.values_list("pk", flat=True))
    activities = list(Activity.objects.order_by("pk").values_list("pk", flat=True))
    links = Event.sections.through
    links.objects.bulk_create(
        links(event_id=e.pk, section_id=sections[(i * 5) % len(sections)])
        for i, e in enumerate(events)
    )
    links = Event.activities.through
    rows = [
        links(event_id=e.pk, activity_id=activities[(i * 997 + k * 131) % len(activities)])
        for i, e in enumerate(events)
        for k in range(3)
    ]
    # One activity of the current plan that many meetings serve: the activity page's worst
    # case.
    hub = Activity.objects.filter(section__plan__year=years[-1]).order_by("pk").first()
    rows += [links(event_id=e.pk, activity_id=hub.pk) for i, e in enumerate(events) if i % 10 == 1]
    links.objects.bulk_create(rows, ignore_conflicts=True)


def _indicators(years):
    IndicatorValue.objects.bulk_create(
        (
            IndicatorValue(indicator=indicator, year=year, value=1000 + year % 100)
            for indicator in Indicator.objects.all()
            for year in years
        ),
        ignore_conflicts=True,
    )


def _users():
    User = get_user_model()
    for username, group in [("bench-member", roles.MEMBER), ("bench-board", roles.BOARD)]:
        user, _created = User.objects.get_or_create(username=username)
        user.set_password(PASSWORD)
        user.save()
        user.groups.add(Group.objects.get(name=group))


def _pick(this_year) -> BenchData:
    """The typical objects to measure: the biggest of each kind."""
    from django.db.models import Count

    data = BenchData(current_year=this_year)
    section = (
        Section.objects.filter(plan__year=this_year)
        .annotate(n=Count("activities"))
        .order_by("-n", "order")
        .first()
    )
    data.section_path = (this_year, section.slug)
    activity = (
        Activity.objects.filter(section__plan__year=this_year)
        .annotate(n=Count("events"))
        .order_by("-n", "pk")
        .first()
    )
    data.activity_path = (this_year, activity.pk)
    event = (
        Event.objects.filter(visibility=Event.Visibility.PUBLIC)
        .annotate(n=Count("activities"))
        .order_by("-n", "pk")
        .first()
    )
    data.event_slug = event.slug
    data.organisation_slug = (
        Organisation.objects.annotate(n=Count("activities")).order_by("-n", "pk").first().slug
    )
    data.body_slug = Body.objects.annotate(n=Count("roles")).order_by("-n", "pk").first().slug
    data.sizes = {
        "plans": Plan.objects.count(),
        "sections": Section.objects.count(),
        "activities": Activity.objects.count(),
        "status updates": StatusUpdate.objects.count(),
        "organisations": Organisation.objects.count(),
        "persons": Person.objects.count(),
        "roles": Role.objects.count(),
        "events": Event.objects.count(),
    }
    return data
