"""Who changed what and when: every create, change and delete of the plan, the
follow-up and the member data is recorded, from any path, and the secretariat reads the
trail in the admin."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from audit.context import acting_as
from audit.models import AuditEntry
from members import roles
from members.models import County, Person
from plan.models import Activity, Goal, Section
from tests import factories


def entries_for(obj_or_model, **filters):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj_or_model), **filters
    ).order_by("pk")


def admin_url(name, *args):
    with translation.override("sv"):
        return reverse(f"admin:{name}", args=args)


def test_a_create_outside_a_request_is_recorded_as_system(db):
    goal = factories.GoalFactory(text_sv="Fler pendlare", text_en="More commuters")
    entry = entries_for(goal, object_id=str(goal.pk)).get()
    assert entry.action == "create"
    assert entry.user is None and entry.user_repr == "system"
    assert entry.changes["text_sv"] == [None, "Fler pendlare"]
    assert entry.changes["text_en"] == [None, "More commuters"]
    assert entry.changes["section"] == [None, goal.section_id]
    # The modeltranslation original mirrors text_sv and is not recorded twice.
    assert "text" not in entry.changes


def test_a_change_records_only_the_changed_fields_with_old_and_new(db):
    goal = factories.GoalFactory(text_sv="Gammal", text_en="Old", order=1)
    goal.text_sv = "Ny"
    goal.save()
    goal.save()  # nothing changed: no entry
    update = entries_for(goal, action="update").get()
    assert update.changes == {"text_sv": ["Gammal", "Ny"]}
    assert update.object_repr == "Ny"


def test_an_admin_edit_names_the_user_and_the_request(client, secretariat_user):
    county = factories.CountyFactory(code="03", name_sv="Uppsala län", name_en="Uppsala")
    client.force_login(secretariat_user)
    response = client.post(
        admin_url("members_county_change", county.pk),
        {"code": "03", "name_sv": "Uppsala län", "name_en": "Uppsala County"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = entries_for(County, action="update").get()
    assert entry.user == secretariat_user
    assert entry.user_repr == "kansli"
    assert entry.changes == {"name_en": ["Uppsala", "Uppsala County"]}
    assert entry.source == f"POST {admin_url('members_county_change', county.pk)}"


def test_acting_as_names_the_user_for_tasks_and_commands(db, board_user):
    with acting_as(board_user, source="task send_reminders"):
        status = factories.StatusFactory()
    entry = entries_for(status).get()
    assert (entry.user, entry.source) == (board_user, "task send_reminders")


def test_deleting_a_section_leaves_a_trace_of_everything_that_went_with_it(db):
    section = factories.SectionFactory(heading_sv="Infrastruktur", heading_en="Infrastructure")
    goal = factories.GoalFactory(section=section, text_sv="Ett mål")
    activity = factories.ActivityFactory(section=section, text_sv="En aktivitet")
    owner = factories.PersonFactory(first_name="Anna", last_name="Ägare")
    activity.owners.add(owner)
    ids = {"section": section.pk, "goal": goal.pk, "activity": activity.pk}

    section.delete()

    deleted = entries_for(Section, action="delete", object_id=str(ids["section"])).get()
    assert deleted.changes["heading_sv"] == ["Infrastruktur", None]
    assert deleted.changes["heading_en"] == ["Infrastructure", None]
    assert deleted.changes["body_sv"][0].startswith("Första stycket.")
    goal_entry = entries_for(Goal, action="delete", object_id=str(ids["goal"])).get()
    assert goal_entry.changes["text_sv"] == ["Ett mål", None]
    activity_entry = entries_for(Activity, action="delete", object_id=str(ids["activity"])).get()
    assert activity_entry.changes["text_sv"] == ["En aktivitet", None]
    assert activity_entry.changes["owners"] == [[f"Anna Ägare (#{owner.pk})"], None]
    assert activity_entry.object_repr == "En aktivitet"


def test_many_to_many_changes_are_recorded_from_either_side(db):
    activity = factories.ActivityFactory()
    anna = factories.PersonFactory(first_name="Anna", last_name="A")
    bo = factories.PersonFactory(first_name="Bo", last_name="B")
    activity.owners.add(anna)
    bo.owned_activities.add(activity)  # the reverse side
    activity.owners.remove(anna)
    changes = [e.changes["owners"] for e in entries_for(activity, action="update")]
    assert changes == [
        [[], [f"Anna A (#{anna.pk})"]],
        [[f"Anna A (#{anna.pk})"], [f"Anna A (#{anna.pk})", f"Bo B (#{bo.pk})"]],
        [[f"Anna A (#{anna.pk})", f"Bo B (#{bo.pk})"], [f"Bo B (#{bo.pk})"]],
    ]


def test_who_may_do_what_is_recorded_and_secrets_are_not(db):
    user = factories.UserFactory(username="ny")
    user.groups.add(Group.objects.get(name=roles.BOARD))
    user.set_password("a new secret 123")
    user.save()
    user_entries = list(entries_for(user, object_id=str(user.pk)))
    assert user_entries[1].changes == {"groups": [[], [f"board (#{user.groups.get().pk})"]]}
    assert user_entries[2].changes == {"password": ["***", "***"]}
    assert all("a new secret" not in str(e.changes) for e in user_entries)
    assert all("md5$" not in str(e.changes) for e in user_entries)


def test_logging_in_is_not_a_change_but_a_login(client, db):
    user = factories.UserFactory(username="loggar")
    before = AuditEntry.objects.count()
    assert client.login(username="loggar", password="correct horse battery staple")
    user.refresh_from_db()
    assert user.last_login is not None
    # One entry: the login (issue 11), not a change of the user.
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.latest("pk").action == AuditEntry.Action.LOGIN


def test_a_rolled_back_change_leaves_no_entry(db):
    goal = factories.GoalFactory()
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        goal.text_sv = "Ångrad"
        goal.save()
        raise RuntimeError
    assert AuditEntry.objects.count() == before


def test_follow_up_and_member_data_are_audited(db):
    update = factories.StatusUpdateFactory(comment="Går enligt plan")
    role = factories.RoleFactory()
    registration = factories.RegistrationFactory()
    for obj in (update, role, role.person, registration, registration.event):
        assert entries_for(obj, object_id=str(obj.pk), action="create").exists(), obj


# --- the admin ----------------------------------------------------------------------


@pytest.fixture
def trail(db, secretariat_user):
    with acting_as(secretariat_user):
        person = factories.PersonFactory(first_name="Greta", last_name="Gran")
        goal = factories.GoalFactory(text_sv="Målet")
        goal.delete()
    return person


def test_the_secretariat_reads_the_trail(client, secretariat_user, trail):
    assert secretariat_user.has_perm("audit.view_auditentry")
    client.force_login(secretariat_user)
    response = client.get(admin_url("audit_auditentry_changelist"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Greta Gran" in content
    assert "Målet" in content

    entry = entries_for(Person).get()
    detail = client.get(admin_url("audit_auditentry_change", entry.pk))
    assert detail.status_code == 200
    assert "Greta" in detail.content.decode()
    assert 'name="_save"' not in detail.content.decode()  # read-only


def test_the_trail_filters_and_searches(client, secretariat_user, trail):
    client.force_login(secretariat_user)
    url = admin_url("audit_auditentry_changelist")
    person_type = ContentType.objects.get_for_model(Person)
    checks = {
        f"?content_type__id__exact={person_type.pk}": ("Greta Gran", "Målet"),
        "?action__exact=delete": ("Målet", "Greta Gran"),
        f"?user__id__exact={secretariat_user.pk}": ("Greta Gran", None),
        "?q=Greta": ("Greta Gran", "Målet"),
    }
    for query, (present, absent) in checks.items():
        response = client.get(url + query)
        assert response.status_code == 200, query
        content = response.content.decode()
        assert present in content, query
        if absent:
            assert absent not in content, query


def test_nobody_edits_or_deletes_the_trail(client, admin_user, trail):
    client.force_login(admin_user)
    entry = AuditEntry.objects.first()
    assert client.get(admin_url("audit_auditentry_add")).status_code == 403
    assert client.get(admin_url("audit_auditentry_delete", entry.pk)).status_code == 403
    response = client.post(
        admin_url("audit_auditentry_change", entry.pk), {"object_repr": "forged"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.object_repr != "forged"


def test_the_board_does_not_see_the_trail(client, trail):
    board = factories.UserFactory(username="styr", is_staff=True, groups=[roles.BOARD])
    client.force_login(board)
    assert client.get(admin_url("audit_auditentry_changelist")).status_code == 403


def test_an_objects_history_links_to_its_trail(client, secretariat_user, trail):
    client.force_login(secretariat_user)
    response = client.get(admin_url("members_person_history", trail.pk))
    assert response.status_code == 200
    person_type = ContentType.objects.get_for_model(Person)
    link = (
        f"{admin_url('audit_auditentry_changelist')}"
        f"?content_type__id__exact={person_type.pk}&amp;object_id={trail.pk}"
    )
    assert link in response.content.decode()
    trail_page = client.get(link.replace("&amp;", "&"))
    assert trail_page.status_code == 200
    assert "Greta Gran" in trail_page.content.decode()
