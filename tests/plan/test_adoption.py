"""Adoption and versions (issue 10, point 1): the secretariat adopts a plan in the admin
with a decision reference, the adopted texts are read-only everywhere (admin pages,
inlines, list edits, bulk deletes, imports, services), an amendment has its own
decision and the plan's page shows what it changed; follow-up stays open."""

import datetime

import pytest
import tablib
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from plan import services
from plan.freeze import PlanFrozen, check_plan_editable, is_plan_editable
from plan.models import ActivityGoal, Goal, Plan, PlanDecision, Section, StatusUpdate
from plan.resources import GoalResource
from tests import factories
from tests.pages import page_text

DECIDED = datetime.date(2022, 12, 8)


def admin_url(name, *args, language="sv"):
    with translation.override(language):
        return reverse(f"admin:plan_{name}", args=args)


@pytest.fixture
def plan(db):
    """An adopted plan (no decision recorded) with a section, a goal and an activity
    that contributes to it."""
    plan = factories.PlanFactory(year=2031, status=Plan.Status.PROPOSAL)
    section = factories.SectionFactory(plan=plan, slug="trafik", number="1")
    goal = factories.GoalFactory(section=section, text_sv="Att korta restiderna i regionen.")
    activity = factories.ActivityFactory(section=section)
    ActivityGoal.objects.create(activity=activity, goal=goal, order=1)
    from plan.services import reporting_periods_create_default

    reporting_periods_create_default(plan=plan)
    return plan


def adopt(client, plan, reference="§ 12", **extra):
    data = {
        "decided_on": DECIDED.isoformat(),
        "body_sv": "Mälardalsrådets styrelse",
        "body_en": "the Board of Mälardalsrådet",
        "reference": reference,
        **extra,
    }
    return client.post(admin_url("plan_adopt", plan.pk), data)


def test_the_shipped_2023_plan_states_no_adoption_date(db, client):
    call_command("load_plan_2023", verbosity=0)
    plan = Plan.objects.get(year=2023)
    # The plan's text does not say when or by which decision it was adopted.
    assert plan.adopted_on is None and plan.decision_reference == ""
    text = page_text(client.get("/sv/plan/2023/"))
    assert "Fastställd av Mälardalsrådets styrelse." in text
    assert "§" not in text


def test_secretariat_adopts_2023_in_the_admin(db, client, secretariat_user):
    call_command("load_plan_2023", verbosity=0)
    plan = Plan.objects.get(year=2023)
    client.force_login(secretariat_user)
    page = client.get(admin_url("plan_change", plan.pk))
    assert "Fastställ planen" in page.content.decode()

    refused = adopt(client, plan, reference="")
    assert refused.status_code == 200
    assert "errorlist" in refused.content.decode()
    assert not PlanDecision.objects.exists()

    response = adopt(client, plan)
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.adopted_on, plan.decision_reference) == (
        Plan.Status.ADOPTED,
        DECIDED,
        "§ 12",
    )
    decision = plan.decisions.get()
    assert decision.version == 1 and decision.kind == PlanDecision.Kind.ADOPTION
    assert decision.recorded_by == secretariat_user
    keys = {item["key"] for item in decision.snapshot["items"]}
    assert {f"goal:{g.pk}" for g in Goal.objects.filter(section__plan=plan)} <= keys

    text = page_text(client.get("/sv/plan/2023/"))
    assert "Fastställd av Mälardalsrådets styrelse den 8 december 2022, § 12." in text
    # Once recorded, it is not recorded again.
    again = adopt(client, plan, reference="§ 99")
    assert again.status_code == 302
    assert plan.decisions.count() == 1


def test_only_the_secretariat_adopts(db, client, board_user, plan):
    client.force_login(board_user)
    assert adopt(client, plan).status_code == 302  # to the admin's login: not staff
    plan.refresh_from_db()
    assert plan.status == Plan.Status.PROPOSAL
    with pytest.raises(Exception, match="registrera beslut|record decisions"):
        services.plan_adopt(
            plan=plan, decided_on=DECIDED, body="Styrelsen", reference="§ 1", by=board_user
        )


def test_an_adopted_goal_cannot_be_edited_in_the_admin(db, client, secretariat_user, plan):
    client.force_login(secretariat_user)
    adopt(client, plan)
    goal = Goal.objects.get(section__plan=plan)
    before = goal.text_sv

    page = client.get(admin_url("goal_change", goal.pk))
    assert page.status_code == 200
    messages = [str(m) for m in get_messages(page.wsgi_request)]
    assert any("Planen 2031 är fastställd" in m and "ändring" in m for m in messages)
    assert 'name="text_sv"' not in page.content.decode()

    posted = client.post(
        admin_url("goal_change", goal.pk),
        {"section": goal.section_id, "order": 1, "text_sv": "Ändrat", "text_en": "Changed"},
    )
    assert posted.status_code == 403
    assert client.post(admin_url("goal_delete", goal.pk), {"post": "yes"}).status_code == 403
    goal.refresh_from_db()
    assert goal.text_sv == before


def test_an_adopted_plan_is_refused_on_every_admin_path(db, client, secretariat_user, plan):
    client.force_login(secretariat_user)
    adopt(client, plan)
    section = Section.objects.get(plan=plan)
    goal = Goal.objects.get(section=section)

    # A new goal in the adopted plan's section: refused with the reason.
    added = client.post(
        admin_url("goal_add"),
        {"section": section.pk, "order": 9, "text_sv": "Nytt mål", "text_en": "New goal"},
    )
    assert added.status_code == 200
    assert "Planen 2031 är fastställd" in added.content.decode()
    # The section's inline goals are read-only: a hand-made POST changes nothing.
    client.post(
        admin_url("section_change", section.pk),
        {
            "goals-TOTAL_FORMS": 1,
            "goals-INITIAL_FORMS": 1,
            "goals-0-id": goal.pk,
            "goals-0-section": section.pk,
            "goals-0-order": 1,
            "goals-0-text_sv": "Inline-ändrat",
            "goals-0-text_en": "Changed inline",
        },
    )
    # The list's editable order column.
    changelist = client.post(
        admin_url("section_changelist"),
        {
            "form-TOTAL_FORMS": 1,
            "form-INITIAL_FORMS": 1,
            "form-0-id": section.pk,
            "form-0-order": 42,
            "_save": "Spara",
        },
    )
    assert "Planen 2031 är fastställd" in changelist.content.decode()
    # A bulk delete of the adopted goals is refused.
    client.post(
        admin_url("goal_changelist"),
        {"action": "delete_selected", "_selected_action": [goal.pk], "post": "yes"},
    )
    # A new link between an activity and a goal.
    activity = goal.activities.get()
    other = factories.GoalFactory(section=section)
    link = client.post(
        admin_url("activitygoal_add"), {"activity": activity.pk, "goal": other.pk, "order": 3}
    )
    assert "Planen 2031 är fastställd" in link.content.decode()

    goal.refresh_from_db()
    section.refresh_from_db()
    assert goal.text_sv == "Att korta restiderna i regionen."
    assert section.order != 42
    assert Goal.objects.filter(pk=goal.pk).exists()
    assert not ActivityGoal.objects.filter(goal=other).exists()
    # The services refuse as well.
    with pytest.raises(PlanFrozen):
        services.activity_goal_link(activity=activity, goal=other)


def test_an_import_on_an_adopted_plan_is_refused_row_by_row(db, plan, secretariat_user):
    services.plan_adopt(
        plan=plan, decided_on=DECIDED, body="Styrelsen", reference="§ 12", by=secretariat_user
    )
    goal = Goal.objects.get(section__plan=plan)
    dataset = tablib.Dataset(headers=["id", "plan_year", "section", "order", "text_sv", "text_en"])
    dataset.append([goal.pk, 2031, "trafik", 1, "Ändrat i fil", "Changed in a file"])
    dataset.append(["", 2031, "trafik", 5, "Nytt mål", "New goal"])
    with translation.override("sv"):
        result = GoalResource().import_data(dataset, dry_run=False, user=secretariat_user)
    assert result.has_validation_errors()
    rows = [row for row in result.invalid_rows]
    assert len(rows) == 2
    for row in rows:
        assert "Planen 2031 är fastställd" in str(row.error_dict)
    goal.refresh_from_db()
    assert goal.text_sv == "Att korta restiderna i regionen."
    assert Goal.objects.filter(section__plan=plan).count() == 1


def test_an_amendment_has_its_own_decision_and_a_diff(db, client, secretariat_user, plan):
    client.force_login(secretariat_user)
    adopt(client, plan)
    goal = Goal.objects.get(section__plan=plan)

    started = client.post(admin_url("plan_amend", plan.pk))
    assert started.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.AMENDING and is_plan_editable(plan)
    notice = page_text(client.get("/sv/plan/2031/"))
    assert "En ändring av planen förbereds" in notice

    edited = client.post(
        admin_url("goal_change", goal.pk),
        {
            "section": goal.section_id,
            "order": 1,
            "text_sv": "Att korta restiderna i hela regionen.",
            "text_en": goal.text_en,
            "activity_links-TOTAL_FORMS": 0,
            "activity_links-INITIAL_FORMS": 0,
        },
    )
    assert edited.status_code == 302, edited.content.decode()[:2000]

    done = client.post(
        admin_url("plan_amendment_adopt", plan.pk),
        {
            "decided_on": "2023-03-09",
            "body_sv": "Mälardalsrådets styrelse",
            "reference": "§ 31",
            "summary_sv": "Målet gäller hela regionen.",
        },
    )
    assert done.status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.AMENDED and not is_plan_editable(plan)
    assert plan.decision_reference == "§ 12"  # the adoption stays as it was
    assert list(plan.decisions.values_list("version", "reference")) == [(1, "§ 12"), (2, "§ 31")]

    page = client.get(reverse("plan:plan_versions", kwargs={"year": 2031}))
    html = page.content.decode()
    assert "Ändrad av Mälardalsrådets styrelse den 9 mars 2023, § 31." in page_text(page)
    assert "<ins>" in html and "hela" in html
    assert '<span class="visually-hidden">[Tillagt:</span>' in html
    # Frozen again.
    with pytest.raises(PlanFrozen):
        check_plan_editable(plan)


def test_the_diff_escapes_the_texts(db, secretariat_user, plan):
    services.plan_adopt(
        plan=plan, decided_on=DECIDED, body="Styrelsen", reference="§ 12", by=secretariat_user
    )
    services.plan_amendment_start(plan=plan, by=secretariat_user)
    Goal.objects.filter(section__plan=plan).update(text_sv="<script>alert(1)</script>")
    services.plan_amendment_adopt(
        plan=plan, decided_on=DECIDED, body="Styrelsen", reference="§ 13", by=secretariat_user
    )
    from django.test import Client

    html = Client().get("/sv/plan/2031/versions/").content.decode()
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html


def test_follow_up_stays_open_on_an_adopted_plan(db, client, secretariat_user, plan):
    client.force_login(secretariat_user)
    adopt(client, plan)
    activity = plan.sections.get().activities.get()
    period = plan.periods.order_by("order").first()
    status = factories.StatusFactory()
    services.status_update_create(
        activity=activity, period=period, status=status, progress=30, by=secretariat_user
    )
    assert StatusUpdate.objects.filter(activity=activity).count() == 1
    # The activity's actual amount is follow-up: it saves; its text does not change.
    response = client.post(
        admin_url("activity_change", activity.pk),
        {
            "actual_amount": "125 000,50",
            "owners": [],
            "text_sv": "Försök att ändra",
            "goal_links-TOTAL_FORMS": 0,
            "goal_links-INITIAL_FORMS": 0,
            "status_updates-TOTAL_FORMS": 0,
            "status_updates-INITIAL_FORMS": 0,
            "documents-document-content_type-object_id-TOTAL_FORMS": 0,
            "documents-document-content_type-object_id-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    activity.refresh_from_db()
    assert str(activity.actual_amount) == "125000.50"
    assert activity.text_sv != "Försök att ändra"
