"""The admin as the secretariat uses it, in /sv/admin/: every page opens, lists run a
fixed number of queries, a section is edited with its goals and activities on one
page, and every change shows in the object's history."""

import datetime
import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.forms import CheckboxInput
from django.urls import reverse
from django.utils import translation

from tests import factories

APPS = {"members", "plan", "ebs", "ebm", "events"}

DOMAIN_MODELS = sorted(
    (model for model in admin.site._registry if model._meta.app_label in APPS),
    key=lambda model: model._meta.label,
)


# Rows that are made by the portal itself, never typed into the admin: a report request
# queues the task that builds the report, a calendar token is made on the member's page.
# A plan decision is recorded by the adoption and amendment pages of the plan.
MADE_ELSEWHERE = {"plan.ReportRequest", "events.CalendarToken", "plan.PlanDecision"}


def admin_url(model, view, *args):
    with translation.override("sv"):
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def one_of_everything(db):
    """One object of every model of the five apps, by model."""
    update = factories.StatusUpdateFactory()
    activity = update.activity
    activity.owners.add(factories.PersonFactory())
    activity.organisations.add(factories.OrganisationFactory())
    plan = activity.section.plan
    role = factories.RoleFactory()
    event = factories.EventFactory(body=role.body)
    event.hosts.add(factories.OrganisationFactory())
    area = factories.PriorityAreaFactory(plan=plan)
    value = factories.IndicatorValueFactory()
    measure = factories.PrioritisedMeasureFactory()
    freight_measure = factories.FreightMeasureFactory()
    objects = [
        update,
        activity,
        activity.section,
        plan,
        update.period,
        update.status,
        factories.GoalFactory(section=activity.section),
        factories.DirectionGoalFactory(plan=plan),
        area,
        factories.PriorityAreaItemFactory(area=area),
        factories.CommunicationPriorityFactory(plan=plan),
        value,
        value.indicator,
        role,
        role.person,
        role.person.organisation,
        role.body,
        factories.CountyFactory(),
        factories.PartnershipFactory(),
        factories.MembershipFactory(),
        event,
        factories.RegistrationFactory(event=event),
        factories.ParticipatingCountyFactory(),
        measure,
        measure.system_analysis,
        freight_measure,
        freight_measure.strategy,
        factories.ParticipatingRegionFactory(),
        factories.OccupationalAreaFactory(),
        factories.ActionPlanAreaFactory(),
        factories.RailwayProgrammeFactory(),
        factories.TrainingFacilityFactory(),
    ]
    assessment = factories.GoalAssessmentFactory(goal=objects[6], period=update.period)
    objects += [assessment, assessment.level]
    objects.append(factories.ActivityGoalFactory(activity=activity, goal=objects[6]))
    objects.append(
        apps.get_model("plan", "ReportRequest").objects.create(
            plan=plan, format="pdf", language="sv", requested_by=factories.UserFactory()
        )
    )
    objects.append(
        apps.get_model("plan", "PlanDecision").objects.create(
            plan=plan,
            version=1,
            kind="adoption",
            decided_on=datetime.date(2022, 12, 8),
            body="Mälardalsrådets styrelse",
            reference="§ 12",
        )
    )
    objects.append(
        apps.get_model("events", "CalendarToken").objects.create(user=factories.UserFactory())
    )
    by_model = {}
    for obj in objects:
        by_model.setdefault(type(obj), obj)
    return by_model


def test_every_model_of_the_five_apps_has_an_admin():
    models = {m for label in APPS for m in apps.get_app_config(label).get_models()}
    assert models == set(DOMAIN_MODELS)


@pytest.mark.parametrize("model", DOMAIN_MODELS, ids=lambda m: m._meta.label)
def test_secretariat_opens_every_admin_page(client, secretariat_user, one_of_everything, model):
    assert not secretariat_user.is_superuser
    client.force_login(secretariat_user)
    obj = one_of_everything[model]

    for url in [
        admin_url(model, "changelist"),
        admin_url(model, "change", obj.pk),
        admin_url(model, "history", obj.pk),
    ]:
        assert url.startswith("/sv/admin/")
        response = client.get(url)
        assert response.status_code == 200, url

    response = client.get(admin_url(model, "add"))
    if model._meta.label in MADE_ELSEWHERE:
        assert response.status_code == 403
    else:
        assert response.status_code == 200

    # The search box and the filters work too.
    response = client.get(admin_url(model, "changelist"), {"q": "a"})
    assert response.status_code == 200


def test_autocomplete_answers_the_secretariat(client, secretariat_user, one_of_everything):
    """The relation pickers (autocomplete) on the activity page search persons."""
    client.force_login(secretariat_user)
    person = one_of_everything[factories.PersonFactory._meta.model]
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": person.last_name,
            "app_label": "plan",
            "model_name": "activity",
            "field_name": "owners",
        },
    )
    assert response.status_code == 200
    assert str(person.pk) in [result["id"] for result in response.json()["results"]]


def test_sections_are_found_by_year_and_number(client, secretariat_user):
    """The same heading recurs every year: "2024 1.1" finds next year's section."""
    this_year = factories.SectionFactory(plan=factories.PlanFactory(year=2023), number="1.1")
    next_year = factories.SectionFactory(plan=factories.PlanFactory(year=2024), number="1.1")
    client.force_login(secretariat_user)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "2024 1.1",
            "app_label": "plan",
            "model_name": "activity",
            "field_name": "section",
        },
    )
    found = [result["id"] for result in response.json()["results"]]
    assert str(next_year.pk) in found
    assert str(this_year.pk) not in found


@pytest.mark.parametrize("model", DOMAIN_MODELS[:3], ids=lambda m: m._meta.label)
def test_a_member_is_sent_to_the_login_page(client, member_user, model):
    client.force_login(member_user)
    url = admin_url(model, "changelist")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sv/admin/login/")


def test_a_visitor_is_sent_to_the_login_page(client, db):
    response = client.get("/sv/admin/plan/section/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_staff_without_permissions_cannot_open_the_plan(client, db):
    user = factories.UserFactory(username="praktikant", is_staff=True)
    client.force_login(user)
    assert client.get("/sv/admin/plan/section/").status_code == 403


# --- lists run a fixed number of queries ----------------------------------------------


def _rows(count):
    """`count` rows in each of the busy lists, each row with its relations filled."""
    plan = factories.PlanFactory(year=2023)
    for _ in range(count):
        section = factories.SectionFactory(plan=plan)
        factories.GoalFactory(section=section)
        activity = factories.ActivityFactory(section=section)
        activity.owners.add(factories.PersonFactory(), factories.PersonFactory())
        activity.organisations.add(factories.OrganisationFactory())
        factories.StatusUpdateFactory(activity=activity)
        role = factories.RoleFactory()
        event = factories.EventFactory(body=role.body)
        event.hosts.add(role.person.organisation)
        factories.RegistrationFactory(event=event)


@pytest.mark.parametrize("count", [10, 50])
@pytest.mark.parametrize(
    "path",
    [
        "/sv/admin/plan/section/",
        "/sv/admin/plan/activity/",
        "/sv/admin/plan/goal/",
        "/sv/admin/plan/statusupdate/",
        "/sv/admin/plan/reportingperiod/",
        "/sv/admin/members/person/",
        "/sv/admin/members/organisation/",
        "/sv/admin/members/body/",
        "/sv/admin/members/role/",
        "/sv/admin/events/event/",
        "/sv/admin/events/registration/",
    ],
)
def test_lists_run_a_bounded_number_of_queries(
    client, secretariat_user, django_assert_max_num_queries, count, path
):
    """The same bound holds for 10 rows and for 50: no query per row."""
    _rows(count)
    client.force_login(secretariat_user)
    with django_assert_max_num_queries(12):
        response = client.get(path, {"all": ""})
    assert response.status_code == 200
    assert response.context["cl"].result_count >= count


# --- editing a section with its goals and activities ----------------------------------


def form_data(response):
    """The POST data of an admin change form as the browser would send it unchanged:
    the main form, every inline's management form and its rows."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            if isinstance(field.widget, CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif value is None:
                continue
            elif isinstance(value, list | tuple):
                data[bound.html_name] = [str(v) for v in value]
            else:
                data[bound.html_name] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        add(inline.formset.management_form)
        for form in inline.formset.forms:
            add(form)
    return data


def test_secretariat_edits_a_section_with_its_goals_and_activities(client, secretariat_user):
    # A draft: an adopted plan's texts are read-only (tests/plan/test_adoption.py).
    section = factories.SectionFactory(
        plan=factories.PlanFactory(status="draft"),
        heading_sv="Infrastruktur",
        heading_en="Infrastructure",
    )
    first = factories.GoalFactory(section=section, order=1, text_sv="Första målet.")
    second = factories.GoalFactory(section=section, order=2, text_sv="Andra målet.")
    activity = factories.ActivityFactory(section=section, order=1)
    owner = factories.PersonFactory()
    client.force_login(secretariat_user)
    url = admin_url(type(section), "change", section.pk)

    response = client.get(url)
    assert response.status_code == 200
    # Swedish and English side by side, goals in the plan's order.
    content = response.content.decode()
    assert 'name="heading_sv"' in content and 'name="heading_en"' in content
    assert content.index("Första målet.") < content.index("Andra målet.")

    data = form_data(response)
    data["heading_en"] = "Infrastructure and transport"
    # Reorder the goals: the second goal comes first.
    goals = {data[f"goals-{i}-id"]: i for i in range(2)}
    data[f"goals-{goals[str(first.pk)]}-order"] = "2"
    data[f"goals-{goals[str(second.pk)]}-order"] = "1"
    data["goals-0-text_en"] = "A changed goal."
    # The activity gets an owner and an English text.
    data["activities-0-owners"] = [str(owner.pk)]
    data["activities-0-text_en"] = "To build the railway."
    # And a new goal is added.
    total = int(data["goals-TOTAL_FORMS"])
    data["goals-TOTAL_FORMS"] = str(total + 1)
    data[f"goals-{total}-order"] = "3"
    data[f"goals-{total}-text_sv"] = "Ett nytt mål."
    data[f"goals-{total}-section"] = str(section.pk)

    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        response.context["adminform"].form.errors,
        [f.errors for i in response.context["inline_admin_formsets"] for f in i.formset],
    ]

    section.refresh_from_db()
    assert section.heading_en == "Infrastructure and transport"
    assert section.heading_sv == "Infrastruktur"
    assert list(section.goals.values_list("text_sv", flat=True)) == [
        "Andra målet.",
        "Första målet.",
        "Ett nytt mål.",
    ]
    activity.refresh_from_db()
    assert activity.text_en == "To build the railway."
    assert list(activity.owners.all()) == [owner]

    # The change is in the section's history, with who made it.
    entry = LogEntry.objects.get(object_id=str(section.pk), action_flag=CHANGE)
    assert entry.user == secretariat_user
    response = client.get(admin_url(type(section), "history", section.pk))
    assert response.status_code == 200
    assert entry in response.context["action_list"]
    assert secretariat_user.username in response.content.decode()
    # The inline changes are part of the one entry: a goal added, goals changed.
    messages = json.loads(entry.change_message)
    assert any("added" in m for m in messages)
    assert any("changed" in m and "name" in m["changed"] for m in messages)


def test_sections_are_listed_in_the_plans_order_and_reordered_in_the_list(client, secretariat_user):
    plan = factories.PlanFactory(year=2023, status="draft")
    later = factories.SectionFactory(plan=plan, number="2", order=2)
    earlier = factories.SectionFactory(plan=plan, number="1", order=1)
    client.force_login(secretariat_user)

    response = client.get("/sv/admin/plan/section/")
    assert list(response.context["cl"].result_list) == [earlier, later]

    # The order column is editable in the list itself.
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": str(earlier.pk),
        "form-0-order": "3",
        "form-1-id": str(later.pk),
        "form-1-order": "2",
        "_save": "Spara",
    }
    response = client.post("/sv/admin/plan/section/", data)
    assert response.status_code == 302
    response = client.get("/sv/admin/plan/section/")
    assert list(response.context["cl"].result_list) == [later, earlier]


def test_a_status_update_records_who_reported_and_stays_as_history(client, secretariat_user):
    activity = factories.ActivityFactory()
    period = factories.ReportingPeriodFactory(plan=activity.section.plan)
    status = factories.StatusFactory()
    client.force_login(secretariat_user)

    response = client.post(
        admin_url(type(activity).status_updates.rel.related_model, "add"),
        {
            "activity": activity.pk,
            "period": period.pk,
            "status": status.pk,
            "progress": "40",
            "comment": "Utredningen pågår.",
        },
    )
    assert response.status_code == 302
    update = activity.status_updates.get()
    assert update.reported_by == secretariat_user
    assert update.reported_at is not None

    # Once made, a report is read-only: posting a change does not alter it.
    url = admin_url(type(update), "change", update.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert "progress" not in response.context["adminform"].form.fields
    client.post(url, {"progress": "90"})
    update.refresh_from_db()
    assert update.progress == 40


# --- actions that hand off to the plan's services -------------------------------------


def run_action(client, model, action, objects):
    return client.post(
        admin_url(model, "changelist"),
        {"action": action, "_selected_action": [str(obj.pk) for obj in objects]},
    )


def test_secretariat_locks_a_period_and_no_more_reports_are_taken(client, secretariat_user):
    activity = factories.ActivityFactory()
    period = factories.ReportingPeriodFactory(plan=activity.section.plan)
    status = factories.StatusFactory()
    client.force_login(secretariat_user)

    response = run_action(client, type(period), "lock", [period])
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.is_locked
    assert LogEntry.objects.filter(object_id=str(period.pk), action_flag=CHANGE).exists()

    response = client.post(
        admin_url(type(activity).status_updates.rel.related_model, "add"),
        {"activity": activity.pk, "period": period.pk, "status": status.pk, "progress": "40"},
    )
    assert response.status_code == 200
    assert "period" in response.context["adminform"].form.errors
    assert not activity.status_updates.exists()

    run_action(client, type(period), "unlock", [period])
    period.refresh_from_db()
    assert not period.is_locked


def test_secretariat_rolls_a_plan_over_into_next_years_draft(client, secretariat_user):
    plan = factories.PlanFactory(year=2023, title_sv="Verksamhetsplan 2023")
    section = factories.SectionFactory(plan=plan, slug="infrastruktur")
    factories.GoalFactory(section=section, text_sv="Ett mål.")
    client.force_login(secretariat_user)

    response = run_action(client, type(plan), "roll_over", [plan])
    assert response.status_code == 302
    draft = type(plan).objects.get(year=2024)
    assert draft.status == type(plan).Status.DRAFT
    assert draft.title_sv == "Verksamhetsplan 2024"
    assert draft.sections.get(slug="infrastruktur").goals.get().text_sv == "Ett mål."
    # The new plan's history says who made it.
    assert LogEntry.objects.get(object_id=str(draft.pk)).user == secretariat_user

    # Rolling over again is refused with a message, and nothing more is made.
    response = run_action(client, type(plan), "roll_over", [plan])
    assert response.status_code == 302
    assert type(plan).objects.filter(year=2024).count() == 1


def test_secretariat_queues_a_failed_report_again(client, secretariat_user):
    ReportRequest = apps.get_model("plan", "ReportRequest")
    plan = factories.PlanFactory()
    failed = ReportRequest.objects.create(
        plan=plan, format="pdf", language="sv", status="failed", error="Disken var full."
    )
    done = ReportRequest.objects.create(plan=plan, format="csv", language="sv", status="done")
    client.force_login(secretariat_user)

    response = run_action(client, ReportRequest, "retry", [failed, done])
    assert response.status_code == 302
    failed.refresh_from_db()
    done.refresh_from_db()
    assert failed.status == "queued" and failed.error == ""
    assert done.status == "done"


def test_an_untouched_text_is_not_a_change_though_the_browser_sends_crlf(client, secretariat_user):
    """Browsers submit textareas with CRLF line ends: saving the form unchanged must not
    count as a change of the text, nor store CRLF."""
    section = factories.SectionFactory(
        plan=factories.PlanFactory(status="draft"),
        body_sv="Första stycket.\n\nAndra stycket.",
        body_en="First.\n\nSecond.",
    )
    client.force_login(secretariat_user)
    url = admin_url(type(section), "change", section.pk)
    data = form_data(client.get(url))
    for name in ("body_sv", "body_en"):
        data[name] = data[name].replace("\n", "\r\n")
    data["heading_en"] = "A new heading"
    response = client.post(url, data)
    assert response.status_code == 302
    section.refresh_from_db()
    assert section.body_sv == "Första stycket.\n\nAndra stycket."
    entry = LogEntry.objects.filter(object_id=str(section.pk)).latest("action_time")
    changed = json.loads(entry.change_message)[0]["changed"]["fields"]
    assert changed == ["Heading [en]"]
