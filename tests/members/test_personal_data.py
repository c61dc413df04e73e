"""Personal data: the secretariat exports all that is held about one person, and erases
a person while the plan's history stays whole."""

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.context import acting_as
from audit.models import AuditEntry
from events.models import CalendarToken, Registration
from events.services import calendar_token_issue
from members import roles
from members.models import Person, Role
from members.services import person_erase
from plan.models import StatusUpdate
from tests import factories


def in_swedish(message):
    """The admin (at /sv/admin/) writes its history in the request's language."""
    with translation.override("sv"):
        return translation.gettext(message)


PASSWORD = "correct horse battery staple"


def changelist():
    with translation.override("sv"):
        return reverse("admin:members_person_changelist")


@pytest.fixture
def anna(db, secretariat_user):
    """A member with a login, a public role, an activity she owns, a report she made,
    a registration, a calendar feed, and history in the audit trail and admin log."""
    user = factories.UserFactory(
        username="annae",
        email="anna.ek@example.org",
        first_name="Anna",
        last_name="Ek",
        groups=[roles.MEMBER],
    )
    person = factories.PersonFactory(
        first_name="Anna",
        last_name="Ek",
        email="anna.ek@example.org",
        phone="070-123 45 67",
        party="Mittenpartiet",
        title_sv="Kommunalråd",
        title_en="Municipal commissioner",
        user=user,
    )
    board = factories.BodyFactory(name_sv="Styrelsen", name_en="The board")
    role = factories.RoleFactory(person=person, body=board, position="chair")
    activity = factories.ActivityFactory(text_sv="Att samordna tågtrafiken")
    activity.owners.add(person)
    update = factories.StatusUpdateFactory(
        activity=activity, reported_by=user, comment="Enligt plan"
    )
    registration = factories.RegistrationFactory(user=user)
    _token, feed_token = calendar_token_issue(user=user)
    with acting_as(secretariat_user):
        person.phone = "070-765 43 21"
        person.save()
    LogEntry.objects.log_actions(
        user_id=secretariat_user.pk, queryset=[person], action_flag=2, change_message="[]"
    )
    return {
        "feed_token": feed_token,
        "person": person,
        "user": user,
        "role": role,
        "activity": activity,
        "update": update,
        "registration": registration,
    }


def post_action(client, action, persons, **extra):
    return client.post(
        changelist(),
        {"action": action, "_selected_action": [p.pk for p in persons], **extra},
    )


# --- export -------------------------------------------------------------------------


def test_the_secretariat_exports_all_that_is_held_about_a_person(client, secretariat_user, anna):
    client.force_login(secretariat_user)
    response = post_action(client, "export_personal_data", [anna["person"]])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="person-{anna["person"].pk}-'
    )
    data = json.loads(response.content)

    assert data["format"] == "malardalsportalen-personal-data/1"
    assert data["exported_by"] == "kansli"
    person = data["person"]["fields"]
    assert (person["first_name"], person["email"], person["phone"]) == (
        "Anna",
        "anna.ek@example.org",
        "070-765 43 21",
    )
    assert person["title_en"] == "Municipal commissioner"
    assert person["party"] == "Mittenpartiet"

    related = data["related_to_person"]
    assert [r["pk"] for r in related["members.role.person"]] == [anna["role"].pk]
    assert [r["pk"] for r in related["plan.activity.owners"]] == [anna["activity"].pk]

    login = data["login"]
    assert login["fields"]["username"] == "annae"
    assert login["fields"]["password"] == "***"
    assert login["groups"] == ["member"]
    by_login = data["related_to_login"]
    assert [r["pk"] for r in by_login["plan.statusupdate.reported_by"]] == [anna["update"].pk]
    assert by_login["plan.statusupdate.reported_by"][0]["fields"]["comment"] == "Enligt plan"
    assert [r["pk"] for r in by_login["events.registration.user"]] == [anna["registration"].pk]
    token = by_login["events.calendartoken.user"][0]["fields"]["token_hash"]
    assert token == "***"
    assert anna["feed_token"] not in response.content.decode()
    assert CalendarToken.objects.get(user=anna["user"]).token_hash not in response.content.decode()

    about = data["audit_entries_about_them"]
    phone_change = [
        e for e in about if e["fields"]["action"] == "update" and "phone" in e["fields"]["changes"]
    ]
    assert phone_change[0]["fields"]["changes"]["phone"] == ["070-123 45 67", "070-765 43 21"]
    assert phone_change[0]["fields"]["user_repr"] == "kansli"
    assert {e["fields"]["object_id"] for e in about} >= {
        str(anna["person"].pk),
        str(anna["role"].pk),
        str(anna["user"].pk),
    }
    # Who exported whose data is itself on record.
    assert LogEntry.objects.filter(
        object_id=str(anna["person"].pk), change_message=in_swedish("Exported all personal data.")
    ).exists()


def test_a_person_without_a_login_exports_too(client, secretariat_user, db):
    person = factories.PersonFactory(first_name="Utan", last_name="Konto")
    client.force_login(secretariat_user)
    data = json.loads(post_action(client, "export_personal_data", [person]).content)
    assert data["person"]["fields"]["last_name"] == "Konto"
    assert data["login"] is None


def test_export_takes_one_person_at_a_time(client, secretariat_user, db):
    persons = factories.PersonFactory.create_batch(2)
    client.force_login(secretariat_user)
    response = post_action(client, "export_personal_data", persons)
    assert response.status_code == 302
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("Välj en person" in m or "one person" in m for m in messages), messages


def test_the_board_can_neither_export_nor_erase(client, anna):
    board = factories.UserFactory(username="styr", is_staff=True, groups=[roles.BOARD])
    client.force_login(board)
    page = client.get(changelist())
    assert page.status_code == 200
    content = page.content.decode()
    assert "export_personal_data" not in content and "erase_personal_data" not in content
    response = post_action(client, "export_personal_data", [anna["person"]])
    assert response["Content-Type"].startswith("text/html")
    response = post_action(client, "erase_personal_data", [anna["person"]], confirm="yes")
    anna["person"].refresh_from_db()
    assert anna["person"].email == "anna.ek@example.org"


# --- erase --------------------------------------------------------------------------


def test_erasing_asks_first(client, secretariat_user, anna):
    client.force_login(secretariat_user)
    response = post_action(client, "erase_personal_data", [anna["person"]])
    assert response.status_code == 200
    content = response.content.decode()
    assert "Anna Ek" in content and 'name="confirm" value="yes"' in content
    anna["person"].refresh_from_db()
    assert anna["person"].email == "anna.ek@example.org"


def test_erasing_a_person_keeps_the_plans_history(client, secretariat_user, anna):
    person, user = anna["person"], anna["user"]
    # Anna is logged in somewhere.
    annas_browser = Client()
    annas_browser.force_login(user)

    client.force_login(secretariat_user)
    response = post_action(client, "erase_personal_data", [person], confirm="yes")
    assert response.status_code == 302

    person.refresh_from_db()
    assert person.last_name == f"#{person.pk}"
    assert person.first_name in ("Borttagen person", "Erased person")
    assert (person.email, person.phone, person.party, person.title_sv, person.title_en) == (
        "",
        "",
        "",
        "",
        "",
    )
    assert person.user is None

    # The plan's history stays: the role, the ownership and the report.
    role = Role.objects.get(pk=anna["role"].pk)
    assert role.person == person and role.position == "chair" and not role.is_public
    assert list(anna["activity"].owners.all()) == [person]
    update = StatusUpdate.objects.get(pk=anna["update"].pk)
    assert update.reported_by_id == user.pk and update.comment == "Enligt plan"

    # The login is closed and emptied; its personal traces are gone.
    user.refresh_from_db()
    assert user.username == f"erased-{user.pk}"
    assert (user.first_name, user.last_name, user.email) == ("", "", "")
    assert not user.is_active and not user.has_usable_password()
    assert not user.groups.exists()
    assert not Registration.objects.filter(pk=anna["registration"].pk).exists()
    assert not CalendarToken.objects.filter(user=user).exists()
    assert annas_browser.get("/sv/accounts/password_change/").status_code == 302

    # No trace of her name, address, phone or user name is left in the trail or the log.
    for entry in AuditEntry.objects.all():
        text = json.dumps(entry.changes, ensure_ascii=False) + entry.object_repr
        for secret in (
            "Anna Ek",
            "anna.ek@example.org",
            "070-123 45 67",
            "070-765 43 21",
            "annae",
            "Mittenpartiet",
            "Kommunalråd",
        ):
            assert secret not in text, (entry.pk, entry.object_repr, entry.changes)
    for log in LogEntry.objects.all():
        assert "Anna Ek" not in log.object_repr

    # The erasure is on record, once: what was erased, by whom, never the values.
    erased = AuditEntry.objects.filter(
        content_type__model="person", object_id=str(person.pk), action="erase"
    ).get()
    assert erased.user == secretariat_user
    assert erased.source == f"person_erase #{person.pk}"
    assert erased.changes["email"] == ["[erased]", ""]
    assert erased.changes["last_name"] == ["[erased]", f"#{person.pk}"]
    assert erased.changes["user"] == ["[erased]", f"erased-{user.pk}"]
    assert erased.changes["registrations_deleted"] == [None, [f"#{anna['registration'].pk}"]]
    assert erased.changes["audit_entries_rewritten"][1]["about_them"] >= 2
    # Its own writes left no other entries.
    assert (
        not AuditEntry.objects.filter(source=f"person_erase #{person.pk}")
        .exclude(pk=erased.pk)
        .exists()
    )
    assert LogEntry.objects.filter(
        object_id=str(person.pk), change_message=in_swedish("Erased personal data.")
    ).exists()


def test_erasing_keeps_what_others_typed_and_signs_her_entries_with_a_pseudonym(
    db, secretariat_user, anna
):
    """Only the person's own stored values go (issue 11): her name typed by someone else
    in a comment or a text is their writing and stays; what she did stays, signed
    "erased-<id>"."""
    person, user = anna["person"], anna["user"]
    with acting_as(secretariat_user):
        activity = factories.ActivityFactory(text_sv="Anna Ek leder arbetet")
    with acting_as(user):
        goal = factories.GoalFactory(text_sv="Ett mål Anna skrev")
    person_erase(person=person, by=secretariat_user)

    typed = AuditEntry.objects.get(
        content_type__model="activity", object_id=str(activity.pk), action="create"
    )
    assert typed.changes["text_sv"] == [None, "Anna Ek leder arbetet"]
    assert typed.user_repr == "kansli"
    hers = AuditEntry.objects.get(
        content_type__model="goal", object_id=str(goal.pk), action="create"
    )
    assert hers.user_id == user.pk
    assert hers.user_repr == f"erased-{user.pk}"
    assert hers.changes["text_sv"] == [None, "Ett mål Anna skrev"]
    # The phone change about her: both values erased, who made it kept.
    about = AuditEntry.objects.filter(
        content_type__model="person",
        object_id=str(person.pk),
        changes__has_key="phone",
        action="update",
    ).get()
    assert about.changes["phone"] == ["[erased]", "[erased]"]
    assert about.user_repr == "kansli"


def test_erasing_does_not_touch_other_people(db, secretariat_user, anna):
    johanna = factories.PersonFactory(first_name="Johanna", last_name="Ekström")
    anna["activity"].owners.add(johanna)
    person_erase(person=anna["person"], by=secretariat_user)
    johanna.refresh_from_db()
    assert johanna.full_name == "Johanna Ekström"
    labels = [
        e.changes["owners"][1]
        for e in AuditEntry.objects.filter(object_id=str(anna["activity"].pk)).order_by("pk")
        if "owners" in e.changes and e.changes["owners"][1]
    ]
    assert any(f"Johanna Ekström (#{johanna.pk})" in label for label in labels[-1])


def test_an_erased_person_no_longer_appears_in_public_lists(client, db, secretariat_user):
    person = factories.PersonFactory(first_name="Synlig", last_name="Person")
    role = factories.RoleFactory(person=person, is_public=True)
    person_erase(person=person, by=secretariat_user)
    assert not Role.objects.filter(pk=role.pk, is_public=True).exists()
    assert Person.objects.filter(pk=person.pk).exists()
    assert Group.objects.filter(name=roles.MEMBER).exists()
