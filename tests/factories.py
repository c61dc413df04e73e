"""Factories for tests. They fill translated fields in both languages, as the admin would."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from events.models import Event
from members.models import Body, County, Organisation, Person, Role
from plan.models import (
    Activity,
    DirectionGoal,
    Goal,
    Plan,
    PriorityArea,
    PriorityAreaItem,
    ReportingPeriod,
    Section,
    Status,
    StatusUpdate,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{(n % 89) + 10:02d}")
    name_sv = factory.LazyAttribute(lambda o: f"Län {o.code}")
    name_en = factory.LazyAttribute(lambda o: f"County {o.code}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    slug = factory.Sequence(lambda n: f"org-{n}")
    name_sv = factory.Sequence(lambda n: f"Organisation {n}")
    name_en = factory.Sequence(lambda n: f"Organisation {n} (en)")
    kind = Organisation.Kind.MUNICIPALITY


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Sequence(lambda n: f"Förnamn{n}")
    last_name = factory.Sequence(lambda n: f"Efternamn{n}")
    email = factory.Sequence(lambda n: f"person{n}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    slug = factory.Sequence(lambda n: f"body-{n}")
    name_sv = factory.Sequence(lambda n: f"Grupp {n}")
    name_en = factory.Sequence(lambda n: f"Group {n}")
    kind = Body.Kind.WORKING_GROUP


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    person = factory.SubFactory(PersonFactory)
    body = factory.SubFactory(BodyFactory)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        django_get_or_create = ("year",)

    year = factory.Sequence(lambda n: 2030 + n)
    title_sv = factory.LazyAttribute(lambda o: f"Verksamhetsplan {o.year}")
    title_en = factory.LazyAttribute(lambda o: f"Operations plan {o.year}")
    status = Plan.Status.ADOPTED


class DirectionGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DirectionGoal

    plan = factory.SubFactory(PlanFactory)
    slug = factory.Sequence(lambda n: f"goal-{n}")
    name_sv = factory.Sequence(lambda n: f"Inriktningsmål {n}")
    name_en = factory.Sequence(lambda n: f"Direction goal {n}")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    plan = factory.SubFactory(PlanFactory)
    slug = factory.Sequence(lambda n: f"section-{n}")
    number = factory.Sequence(lambda n: f"{n + 1}")
    heading_sv = factory.Sequence(lambda n: f"Avsnitt {n}")
    heading_en = factory.Sequence(lambda n: f"Section {n}")
    body_sv = "Första stycket.\n\nAndra stycket."
    body_en = "First paragraph.\n\nSecond paragraph."
    order = factory.Sequence(lambda n: n)


class GoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Goal

    section = factory.SubFactory(SectionFactory)
    text_sv = factory.Sequence(lambda n: f"Att nå mål {n}.")
    text_en = factory.Sequence(lambda n: f"To reach goal {n}.")
    order = factory.Sequence(lambda n: n)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    section = factory.SubFactory(SectionFactory)
    text_sv = factory.Sequence(lambda n: f"Att genomföra aktivitet {n}.")
    text_en = factory.Sequence(lambda n: f"To carry out activity {n}.")
    order = factory.Sequence(lambda n: n)


class ReportingPeriodFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    plan = factory.SubFactory(PlanFactory)
    name_sv = "Tertial 1"
    name_en = "Four-month period 1"
    starts_on = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 1, 1))
    ends_on = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 4, 30))
    due_date = factory.LazyAttribute(lambda o: datetime.date(o.plan.year, 5, 15))


class StatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Status

    slug = factory.Sequence(lambda n: f"status-test-{n}")
    name_sv = factory.Sequence(lambda n: f"Status {n}")
    name_en = factory.Sequence(lambda n: f"Status {n} (en)")
    colour = "#1a7f37"
    default_progress = 50


class StatusUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StatusUpdate

    activity = factory.SubFactory(ActivityFactory)
    period = factory.SubFactory(
        ReportingPeriodFactory, plan=factory.SelfAttribute("..activity.section.plan")
    )
    status = factory.SubFactory(StatusFactory)
    progress = 50


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    slug = factory.Sequence(lambda n: f"event-{n}")
    kind = Event.Kind.THEMATIC_MEETING
    title_sv = factory.Sequence(lambda n: f"Möte {n}")
    title_en = factory.Sequence(lambda n: f"Meeting {n}")
    start_date = datetime.date(2023, 5, 4)
    end_date = datetime.date(2023, 5, 5)
    place_sv = "Södertälje"
    place_en = "Södertälje"


class PriorityAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityArea

    plan = factory.SubFactory(PlanFactory)
    title_sv = factory.Sequence(lambda n: f"Prioriterat område {n}")
    title_en = factory.Sequence(lambda n: f"Prioritised area {n}")
    order = factory.Sequence(lambda n: n)


class PriorityAreaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityAreaItem

    area = factory.SubFactory(PriorityAreaFactory)
    text_sv = factory.Sequence(lambda n: f"Prioritering {n}.")
    text_en = factory.Sequence(lambda n: f"Priority {n}.")
    order = factory.Sequence(lambda n: n)


# Factories for the models the admin tests need; models named by label so this block
# can be appended without touching the imports above.


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Partnership"

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "partner"
    description_sv = "Samarbete kring regional utveckling."
    description_en = "Cooperation on regional development."


class CommunicationPriorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plan.CommunicationPriority"

    plan = factory.SubFactory(PlanFactory)
    text_sv = factory.Sequence(lambda n: f"Kommunikationsprioritering {n}.")
    text_en = factory.Sequence(lambda n: f"Communication priority {n}.")
    order = factory.Sequence(lambda n: n)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plan.Indicator"

    slug = factory.Sequence(lambda n: f"indicator-{n}")
    name_sv = factory.Sequence(lambda n: f"Nyckeltal {n}")
    name_en = factory.Sequence(lambda n: f"Key figure {n}")
    unit_sv = "invånare"
    unit_en = "inhabitants"


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plan.IndicatorValue"

    indicator = factory.SubFactory(IndicatorFactory)
    year = factory.Sequence(lambda n: 2000 + n)
    value = "4300000.00"
    source_sv = "SCB"
    source_en = "Statistics Sweden"


class ParticipatingCountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ebs.ParticipatingCounty"

    county = factory.SubFactory(CountyFactory)


class SystemAnalysisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ebs.SystemAnalysis"

    year = factory.Sequence(lambda n: 2010 + n)
    title_sv = factory.LazyAttribute(lambda o: f"Systemanalys {o.year}")
    title_en = factory.LazyAttribute(lambda o: f"System analysis {o.year}")


class PrioritisedMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ebs.PrioritisedMeasure"

    system_analysis = factory.SubFactory(SystemAnalysisFactory)
    name_sv = factory.Sequence(lambda n: f"Åtgärd {n}")
    name_en = factory.Sequence(lambda n: f"Measure {n}")
    mode = "rail"


class FreightStrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ebs.FreightStrategy"

    year = factory.Sequence(lambda n: 2010 + n)
    title_sv = factory.LazyAttribute(lambda o: f"Godsstrategi {o.year}")
    title_en = factory.LazyAttribute(lambda o: f"Freight strategy {o.year}")


class FreightMeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ebs.FreightMeasure"

    strategy = factory.SubFactory(FreightStrategyFactory)
    name_sv = factory.Sequence(lambda n: f"Godsåtgärd {n}")
    name_en = factory.Sequence(lambda n: f"Freight measure {n}")


class ParticipatingRegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ebm.ParticipatingRegion"

    county = factory.SubFactory(CountyFactory)
    organisation = factory.SubFactory(OrganisationFactory, kind="region")


class OccupationalAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ebm.OccupationalArea"

    slug = factory.Sequence(lambda n: f"area-{n}")
    name_sv = factory.Sequence(lambda n: f"Yrkesområde {n}")
    name_en = factory.Sequence(lambda n: f"Occupational area {n}")


class ActionPlanAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ebm.ActionPlanArea"

    text_sv = factory.Sequence(lambda n: f"Insatsområde {n}")
    text_en = factory.Sequence(lambda n: f"Action area {n}")


class RailwayProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ebm.RailwayProgramme"

    name_sv = factory.Sequence(lambda n: f"Järnvägsutbildning {n}")
    name_en = factory.Sequence(lambda n: f"Railway programme {n}")
    level = "vocational"
    provider = factory.SubFactory(OrganisationFactory, kind="university")
    county = factory.SubFactory(CountyFactory)


class TrainingFacilityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "ebm.TrainingFacility"

    name_sv = factory.Sequence(lambda n: f"Övningsanläggning {n}")
    name_en = factory.Sequence(lambda n: f"Training facility {n}")
    county = factory.SubFactory(CountyFactory)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "events.Registration"

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    response = "attending"


# --- Goals: contributions and assessments (issue 9) ----------------------------------


class ActivityGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plan.ActivityGoal"

    goal = factory.SubFactory(GoalFactory)
    activity = factory.SubFactory(ActivityFactory, section=factory.SelfAttribute("..goal.section"))
    order = factory.Sequence(lambda n: n)


class AssessmentLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "plan.AssessmentLevel"

    slug = factory.Sequence(lambda n: f"level-test-{n}")
    name_sv = factory.Sequence(lambda n: f"Nivå {n}")
    name_en = factory.Sequence(lambda n: f"Level {n}")
    colour = "#1a7f37"
    order = factory.Sequence(lambda n: 100 + n)


class GoalAssessmentFactory(factory.django.DjangoModelFactory):
    """Made directly, as history; tests of the rules call goal_assessment_create."""

    class Meta:
        model = "plan.GoalAssessment"

    goal = factory.SubFactory(GoalFactory)
    period = factory.SubFactory(
        ReportingPeriodFactory, plan=factory.SelfAttribute("..goal.section.plan")
    )
    level = factory.SubFactory(AssessmentLevelFactory)
    analysis_sv = "Målet är delvis nått."
    analysis_en = "The goal is partly achieved."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "members.Membership"

    organisation = factory.SubFactory(OrganisationFactory)
    kind = "member"
    start_date = None
    end_date = None
    note_sv = "Medlem enligt styrelsens beslut."
    note_en = "A member by the board's decision."
