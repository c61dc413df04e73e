"""A small portal with one of everything, for the permission matrix and the script-payload
tests: three plans (last year's archived, this year's adopted, next year's draft), owned
and unowned activities, public and members-only events, the programmes, a finished and a
failed report request, a calendar token, and a user for every role.

The adopted plan is this year's so that its reporting periods take reports today.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.utils import timezone

from about.models import ContactDetails
from accounts.models import LoginThrottle
from audit.models import AuditEntry
from documents.models import Document
from documents.services import document_create
from events.models import Event, Registration
from events.services import calendar_token_issue
from members import roles
from plan.models import (
    ActivityGoal,
    AssessmentLevel,
    GoalAssessment,
    Plan,
    PlanDecision,
    ReportRequest,
    Status,
)
from plan.services import reporting_periods_create_default
from reminders.models import ContactPreference, ReminderLog
from tests import factories
from tests.documents import files as document_files

YEAR = timezone.localdate().year
PASSWORD = "correct horse battery staple"

ROLES = ("visitor", "member", "owner", "board", "secretariat", "superuser")


@dataclass
class World:
    users: dict
    archived: Plan
    adopted: Plan
    draft: Plan
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.__dict__["objects"][name]
        except KeyError:
            raise AttributeError(name) from None


def build_world() -> World:
    users = {
        "member": factories.UserFactory(username="medlem", groups=[roles.MEMBER]),
        "owner": factories.UserFactory(username="agare", groups=[roles.MEMBER]),
        "board": factories.UserFactory(username="styrelse", groups=[roles.BOARD]),
        "secretariat": factories.UserFactory(
            username="kansli", is_staff=True, groups=[roles.SECRETARIAT]
        ),
        "superuser": factories.UserFactory(username="admin", is_staff=True, is_superuser=True),
    }
    assert Group.objects.filter(name=roles.MEMBER).exists(), "the roles' data migration ran"

    county = factories.CountyFactory(code="03", name_sv="Uppsala län", name_en="Uppsala County")
    organisation = factories.OrganisationFactory(slug="uppsala-kommun", county=county)
    owner_person = factories.PersonFactory(
        first_name="Ägare", organisation=organisation, user=users["owner"]
    )
    member_person = factories.PersonFactory(
        first_name="Medlem", organisation=organisation, user=users["member"]
    )
    other_person = factories.PersonFactory(first_name="Annan", organisation=organisation)
    body = factories.BodyFactory(slug="radet")
    role = factories.RoleFactory(person=other_person, body=body, is_public=True)
    partnership = factories.PartnershipFactory(organisation=organisation)
    membership = factories.MembershipFactory(organisation=organisation)

    archived = factories.PlanFactory(year=YEAR - 1, status=Plan.Status.ARCHIVED)
    adopted = factories.PlanFactory(year=YEAR, status=Plan.Status.ADOPTED)
    draft = factories.PlanFactory(year=YEAR + 1, status=Plan.Status.DRAFT)
    periods = {}
    for plan in (archived, adopted, draft):
        periods[plan.year] = reporting_periods_create_default(plan=plan)
    direction_goal = factories.DirectionGoalFactory(plan=adopted)
    section = factories.SectionFactory(
        plan=adopted, slug="infrastruktur", number="1", programme="ebs", order=1
    )
    section.direction_goal = direction_goal
    section.save()
    child = factories.SectionFactory(
        plan=adopted, parent=section, slug="transporter", number="1.1", order=2
    )
    archived_section = factories.SectionFactory(plan=archived, slug="infrastruktur", number="1")
    draft_section = factories.SectionFactory(plan=draft, slug="infrastruktur", number="1")
    goal = factories.GoalFactory(section=section)
    owned = factories.ActivityFactory(section=section, order=1)
    owned.owners.add(owner_person)
    owned.organisations.add(organisation)
    not_owned = factories.ActivityFactory(section=child, order=2)
    not_owned.owners.add(other_person)
    draft_activity = factories.ActivityFactory(section=draft_section)
    draft_activity.owners.add(owner_person)
    archived_activity = factories.ActivityFactory(section=archived_section)
    area = factories.PriorityAreaFactory(plan=adopted)
    area_item = factories.PriorityAreaItemFactory(area=area)
    communication = factories.CommunicationPriorityFactory(plan=adopted)
    indicator_value = factories.IndicatorValueFactory(year=YEAR - 2)
    status = Status.objects.order_by("order", "pk").first()
    # Goals: the owned activity contributes to the goal, which has an assessment.
    goal_link = ActivityGoal.objects.create(activity=owned, goal=goal, order=1)
    # The key figure belongs to the goal: the goal page shows it with its table.
    indicator_value.indicator.goal = goal
    indicator_value.indicator.save()
    assessment_level = AssessmentLevel.objects.order_by("order", "pk").first()
    goal_assessment = GoalAssessment.objects.create(
        goal=goal, period=periods[YEAR][0], level=assessment_level, analysis="Delvis nått."
    )
    status_update = factories.StatusUpdateFactory(
        activity=owned, period=periods[YEAR][0], status=status, progress=40, comment="På väg."
    )

    soon = timezone.localdate() + datetime.timedelta(days=30)
    public_event = factories.EventFactory(
        slug="motet",
        body=body,
        start_date=soon,
        end_date=soon,
        visibility=Event.Visibility.PUBLIC,
        registration_open=True,
    )
    public_event.hosts.add(organisation)
    public_event.sections.add(section)
    public_event.activities.add(owned)
    members_event = factories.EventFactory(
        slug="internt",
        body=body,
        start_date=soon,
        end_date=soon,
        visibility=Event.Visibility.MEMBERS,
        registration_open=True,
    )
    registration = Registration.objects.create(
        event=members_event, user=users["member"], response=Registration.Response.ATTENDING
    )
    token, feed_token = calendar_token_issue(user=users["member"])

    done = ReportRequest.objects.create(
        plan=adopted,
        format=ReportRequest.Format.CSV,
        language="sv",
        requested_by=users["board"],
        status=ReportRequest.State.DONE,
        finished_at=timezone.now(),
    )
    done.file.save("uppfoljning.csv", ContentFile(b"avsnitt;aktivitet\n"), save=True)
    failed = ReportRequest.objects.create(
        plan=adopted,
        format=ReportRequest.Format.CSV,
        language="sv",
        requested_by=users["board"],
        status=ReportRequest.State.FAILED,
        error="Timeout",
    )

    # Last year's plan has its adoption recorded (this year's is adopted without one,
    # as the shipped 2023 plan is, so its "adopt" page opens).
    Plan.objects.filter(pk=archived.pk).update(
        adopted_on=datetime.date(YEAR - 2, 12, 8),
        adopted_by_sv="Mälardalsrådets styrelse",
        adopted_by_en="the Board",
        decision_reference="§ 12",
    )
    archived.refresh_from_db()
    plan_decision = PlanDecision.objects.create(
        plan=archived,
        version=1,
        kind=PlanDecision.Kind.ADOPTION,
        decided_on=datetime.date(YEAR - 2, 12, 8),
        body="Mälardalsrådets styrelse",
        reference="§ 12",
        snapshot={"format": 1, "items": []},
    )

    participating_county = factories.ParticipatingCountyFactory(county=county)
    measure = factories.PrioritisedMeasureFactory()
    freight_measure = factories.FreightMeasureFactory()
    region = factories.ParticipatingRegionFactory(
        county=factories.CountyFactory(code="04"), organisation=organisation
    )
    occupational_area = factories.OccupationalAreaFactory()
    action_area = factories.ActionPlanAreaFactory()
    railway = factories.RailwayProgrammeFactory(provider=organisation, county=county)
    facility = factories.TrainingFacilityFactory(county=county)

    throttle = LoginThrottle.objects.create(
        key="user:nagon", failures=1, window_started_at=timezone.now()
    )
    preference = ContactPreference.objects.create(person=owner_person, language="en")
    reminder = ReminderLog.objects.create(
        kind="followup_before",
        occasion=f"period:{periods[YEAR][0].pk}:x",
        recipient_key=f"person:{owner_person.pk}",
        person=owner_person,
        period=periods[YEAR][0],
        email=owner_person.email,
        language="sv",
        status="failed",
        error="550 no such user",
    )
    documents = {
        visibility: document_create(
            target=section,
            title_sv=f"Protokoll ({visibility})",
            title_en=f"Minutes ({visibility})",
            visibility=visibility,
            file=document_files.pdf_upload(f"protokoll-{visibility}.pdf"),
        )
        for visibility in Document.Visibility.values
    }
    draft_document = document_create(
        target=draft_section,
        title_sv="Utkast",
        visibility=Document.Visibility.PUBLIC,
        file=document_files.pdf_upload("utkast.pdf"),
    )
    contact_details = ContactDetails.objects.create(email="kansli@example.org")
    objects = {
        "contact_details": contact_details,
        "documents": documents,
        "public_document": documents[Document.Visibility.PUBLIC],
        "members_document": documents[Document.Visibility.MEMBERS],
        "board_document": documents[Document.Visibility.BOARD],
        "draft_document": draft_document,
        "county": county,
        "organisation": organisation,
        "owner_person": owner_person,
        "member_person": member_person,
        "other_person": other_person,
        "body": body,
        "role": role,
        "partnership": partnership,
        "membership": membership,
        "periods": periods,
        "period": periods[YEAR][0],
        "direction_goal": direction_goal,
        "section": section,
        "child_section": child,
        "archived_section": archived_section,
        "draft_section": draft_section,
        "goal": goal,
        "owned": owned,
        "not_owned": not_owned,
        "draft_activity": draft_activity,
        "archived_activity": archived_activity,
        "area": area,
        "area_item": area_item,
        "communication": communication,
        "indicator_value": indicator_value,
        "indicator": indicator_value.indicator,
        "status": status,
        "status_update": status_update,
        "goal_link": goal_link,
        "assessment_level": assessment_level,
        "goal_assessment": goal_assessment,
        "public_event": public_event,
        "members_event": members_event,
        "registration": registration,
        "token": token,
        "feed_token": feed_token,
        "done_request": done,
        "failed_request": failed,
        "plan_decision": plan_decision,
        "participating_county": participating_county,
        "measure": measure,
        "system_analysis": measure.system_analysis,
        "freight_measure": freight_measure,
        "freight_strategy": freight_measure.strategy,
        "region": region,
        "occupational_area": occupational_area,
        "action_area": action_area,
        "railway": railway,
        "facility": facility,
        "throttle": throttle,
        "preference": preference,
        "reminder": reminder,
        "audit_entry": AuditEntry.objects.order_by("pk").first(),
        "group": Group.objects.get(name=roles.BOARD),
        "user": users["member"],
    }
    return World(users=users, archived=archived, adopted=adopted, draft=draft, objects=objects)


def admin_object(world: World, model):
    """The world's object of `model`, for its admin change, delete and history pages."""
    label = model._meta.label
    by_label = {
        "auth.User": world.user,
        "auth.Group": world.group,
        "members.County": world.county,
        "members.Organisation": world.organisation,
        "members.Person": world.other_person,
        "members.Body": world.body,
        "members.Role": world.role,
        "members.Partnership": world.partnership,
        "members.Membership": world.membership,
        "plan.Plan": world.adopted,
        "plan.DirectionGoal": world.direction_goal,
        "plan.PriorityArea": world.area,
        "plan.PriorityAreaItem": world.area_item,
        "plan.CommunicationPriority": world.communication,
        "plan.ReportingPeriod": world.period,
        "plan.Section": world.section,
        "plan.Goal": world.goal,
        "plan.Activity": world.owned,
        "plan.Status": world.status,
        "plan.StatusUpdate": world.status_update,
        "plan.Indicator": world.indicator,
        "plan.IndicatorValue": world.indicator_value,
        "plan.ActivityGoal": world.goal_link,
        "plan.AssessmentLevel": world.assessment_level,
        "plan.GoalAssessment": world.goal_assessment,
        "plan.ReportRequest": world.failed_request,
        "plan.PlanDecision": world.plan_decision,
        "ebs.ParticipatingCounty": world.participating_county,
        "ebs.SystemAnalysis": world.system_analysis,
        "ebs.PrioritisedMeasure": world.measure,
        "ebs.FreightStrategy": world.freight_strategy,
        "ebs.FreightMeasure": world.freight_measure,
        "ebm.ParticipatingRegion": world.region,
        "ebm.OccupationalArea": world.occupational_area,
        "ebm.ActionPlanArea": world.action_area,
        "ebm.RailwayProgramme": world.railway,
        "ebm.TrainingFacility": world.facility,
        "events.Event": world.public_event,
        "events.Registration": world.registration,
        "events.CalendarToken": world.token,
        "audit.AuditEntry": world.audit_entry,
        "accounts.LoginThrottle": world.throttle,
        "reminders.ContactPreference": world.preference,
        "reminders.ReminderLog": world.reminder,
        "documents.Document": world.public_document,
        "about.ContactDetails": world.contact_details,
    }
    return by_label.get(label)
