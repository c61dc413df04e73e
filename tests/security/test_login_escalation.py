"""No escalation through related objects (issue 11, point 1).

The secretariat may look at logins, not change them. These tests try every indirect way
the security review found or could think of, as each role:

- every foreign key to a user that an admin form, an inline or an import lets someone
  set — found by walking the admin registry and the import resources, so a new one
  fails `test_every_login_field_has_a_rule` until it has a rule in LOGIN_FIELDS;
- every admin action, run as the secretariat on *every* row of its model (persons
  linked to a superuser and to a staff colleague among them);
- the user autocomplete; the user admin; a save that skips the services.

After each attempt the privileged logins must be exactly as they were.
"""

import csv
import io

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from import_export.fields import Field

from audit.context import acting_as
from members import roles
from members.models import Person
from members.resources import PersonResource
from members.services import person_erase, person_save
from tests import factories

from ..admin.test_admin_pages import form_data
from .world import ROLES, build_world

User = get_user_model()

SAVED = "saved"
REFUSED = "refused (nothing changed)"
NOT_STAFF = "sent to the admin's login page"

# Every user foreign key someone can set in the admin or an import, and what each role
# gets when they set it to a superuser's login, and to an ordinary member's login.
# A login link needs the right to change users (the secretariat has it not); a plain
# reference (who registered) changes nothing about the login itself.
_STAFF_ONLY = {"visitor": NOT_STAFF, "member": NOT_STAFF, "owner": NOT_STAFF, "board": NOT_STAFF}
LOGIN_LINK = {
    "superuser login": {**_STAFF_ONLY, "secretariat": REFUSED, "superuser": SAVED},
    "member login": {**_STAFF_ONLY, "secretariat": REFUSED, "superuser": SAVED},
}
REFERENCE = {
    "superuser login": {**_STAFF_ONLY, "secretariat": SAVED, "superuser": SAVED},
    "member login": {**_STAFF_ONLY, "secretariat": SAVED, "superuser": SAVED},
}
LOGIN_FIELDS = {
    # (how, the admin it is on, the model and field)
    ("form", "members.Person", "members.Person.user"): LOGIN_LINK,
    ("form", "events.Registration", "events.Registration.user"): REFERENCE,
}


@pytest.fixture(autouse=True)
def _language_restored():
    """Requests to /en/ pages activate English in this thread; later tests expect the
    default language back."""
    with translation.override(translation.get_language()):
        yield


def _user_foreign_keys(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is not None and issubclass(f.related_model, User)
    ]


def login_field_exposures(superuser):
    """(how, admin label, field label) for every user foreign key a superuser can set
    through an admin form, an inline of it, or an import."""
    request = RequestFactory().get("/")
    request.user = superuser
    found = set()
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label
        forms = [(model, model_admin.get_form(request))]
        for inline in model_admin.get_inline_instances(request):
            forms.append((inline.model, inline.get_formset(request).form))
        for form_model, form in forms:
            for field in _user_foreign_keys(form_model):
                if field.name in form.base_fields:
                    found.add(("form", label, f"{form_model._meta.label}.{field.name}"))
        for resource_class in getattr(model_admin, "resource_classes", []):
            resource = resource_class()
            names = {f.name for f in _user_foreign_keys(resource._meta.model)}
            for field in resource.get_import_fields():
                if field.attribute in names:
                    found.add(
                        ("import", label, f"{resource._meta.model._meta.label}.{field.attribute}")
                    )
    return found


def snapshot(login):
    login = User.objects.get(pk=login.pk)
    return {
        "username": login.username,
        "email": login.email,
        "name": (login.first_name, login.last_name),
        "password": login.password,
        "flags": (login.is_active, login.is_staff, login.is_superuser),
        "groups": sorted(login.groups.values_list("name", flat=True)),
        "permissions": sorted(login.user_permissions.values_list("codename", flat=True)),
        "person": Person.objects.filter(user=login).values_list("pk", flat=True).first(),
    }


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = build_world()
    # Persons linked to the superuser and to a staff colleague of the secretariat: what
    # the attacks aim at.
    colleague = factories.UserFactory(username="kollega", is_staff=True, groups=[roles.SECRETARIAT])
    w.objects["colleague"] = colleague
    w.objects["admin_person"] = factories.PersonFactory(
        first_name="Admin", user=w.users["superuser"]
    )
    w.objects["colleague_person"] = factories.PersonFactory(first_name="Kollega", user=colleague)
    w.objects["spare_login"] = factories.UserFactory(username="reserv", groups=[roles.MEMBER])
    # A superuser login no person is linked to yet.
    w.objects["spare_admin"] = factories.UserFactory(
        username="admin2", is_staff=True, is_superuser=True
    )
    return w


def privileged(w):
    return [w.users["superuser"], w.colleague, w.spare_admin]


def client_for(w, role):
    client = Client()
    if role != "visitor":
        client.force_login(w.users[role])
    return client


def test_every_login_field_has_a_rule(world):
    found = login_field_exposures(world.users["superuser"])
    assert found == set(LOGIN_FIELDS), (
        "user foreign keys without a rule: "
        f"{sorted(found - set(LOGIN_FIELDS))}; rules for nothing: "
        f"{sorted(set(LOGIN_FIELDS) - found)}"
    )


def _target(w, which):
    return w.spare_admin if which == "superuser login" else w.spare_login


def _object_for(w, model_label):
    """An object of the model whose user field the attack sets: one without that user."""
    if model_label == "members.Person":
        return w.other_person
    if model_label == "events.Registration":
        return w.registration
    raise AssertionError(f"the test has no object for {model_label}: add one")


def _form_attempt(w, role, admin_label, field_label, target):
    model_label, field_name = field_label.rsplit(".", 1)
    obj = _object_for(w, model_label)
    app_label, model_name = admin_label.split(".")
    url = reverse(f"admin:{app_label}_{model_name.lower()}_change", args=[obj.pk])
    client = client_for(w, role)
    page = client.get(url)
    if page.status_code == 302 and "/admin/login/" in page["Location"]:
        return NOT_STAFF
    assert page.status_code == 200, (role, url, page.status_code)
    data = form_data(page)
    # What an attacker sends, whether or not the form shows the field.
    data[field_name] = str(target.pk)
    client.post(url, data)
    obj.refresh_from_db()
    return SAVED if getattr(obj, f"{field_name}_id") == target.pk else REFUSED


@pytest.mark.parametrize(
    ("how", "admin_label", "field_label"), sorted(LOGIN_FIELDS), ids=lambda v: str(v)
)
def test_each_role_sets_each_login_field(world, how, admin_label, field_label):
    rules = LOGIN_FIELDS[(how, admin_label, field_label)]
    assert how == "form", "an import of a login field: add its attempt here"
    wrong = []
    for which, expected in rules.items():
        for role in ROLES:
            before = [snapshot(login) for login in privileged(world)]
            target = _target(world, which)
            got = _form_attempt(world, role, admin_label, field_label, target)
            if got != expected[role]:
                wrong.append(f"{role} sets {field_label} to a {which}: {got}, not {expected[role]}")
            if role != "superuser":
                after = [snapshot(login) for login in privileged(world)]
                assert after == before, f"{role} changed a privileged login via {field_label}"
            # Back as it was, for the next role.
            model_label, field_name = field_label.rsplit(".", 1)
            obj = _object_for(world, model_label)
            type(obj)._base_manager.filter(pk=obj.pk).update(
                **{field_name: world.user if model_label != "members.Person" else None}
            )
    assert not wrong, "\n".join(wrong)


class PersonWithLoginResource(PersonResource):
    """The person import with a column of logins (by user name), as a careless future
    change could add: the service still decides."""

    user = Field(
        attribute="user",
        column_name="user",
        widget=__import__("malardal.importexport", fromlist=["x"]).ForeignKeyWidget(
            User, field="username"
        ),
    )

    class Meta(PersonResource.Meta):
        fields = (*PersonResource.Meta.fields, "user")
        export_order = fields


def _import(resource, person, login, by):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["id", "first_name", "last_name", "user"])
    writer.writerow([person.pk, person.first_name, person.last_name, login.username])
    from malardal.importexport import CSV

    dataset = CSV().create_dataset(buffer.getvalue())
    return resource.import_data(dataset, dry_run=False, user=by)


def test_an_import_cannot_link_a_login_without_the_right(world):
    person = world.other_person
    for login in (world.users["superuser"], world.spare_login):
        before = [snapshot(x) for x in privileged(world)]
        result = _import(PersonWithLoginResource(), person, login, world.users["secretariat"])
        assert result.has_validation_errors()
        person.refresh_from_db()
        assert person.user_id is None
        assert [snapshot(x) for x in privileged(world)] == before

    result = _import(PersonWithLoginResource(), person, world.spare_login, world.users["superuser"])
    assert not result.has_errors() and not result.has_validation_errors()
    person.refresh_from_db()
    assert person.user == world.spare_login


def _all_actions(model_admin):
    names = [name for _f, name, _d in model_admin._get_base_actions()]
    # Deleting last: what the other actions work on is still there for them.
    return sorted(names, key=lambda n: n == "delete_selected")


@pytest.mark.parametrize(
    "model", sorted(admin.site._registry, key=lambda m: m._meta.label), ids=lambda m: m._meta.label
)
def test_no_admin_action_changes_a_privileged_login_for_the_secretariat(world, model):
    """Every action, on every row of its model at once, confirmed."""
    model_admin = admin.site._registry[model]
    client = client_for(world, "secretariat")
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    before = [snapshot(login) for login in privileged(world)]
    for action in _all_actions(model_admin):
        pks = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]
        if not pks:
            continue
        response = client.post(
            url,
            {
                "action": action,
                "_selected_action": pks,
                "select_across": "1",
                "index": "0",
                "confirm": "yes",
                "post": "yes",
            },
        )
        assert response.status_code < 500, (action, response.status_code)
        after = [snapshot(login) for login in privileged(world)]
        if action == "delete_selected" and model is Person:
            # Deleting the person (domain data) leaves the login as it was; it just has
            # no person any more.
            after = [{**a, "person": b["person"]} for a, b in zip(after, before, strict=True)]
        assert after == before, f"{model._meta.label} action {action} changed a privileged login"


def test_erasing_a_person_with_a_privileged_login_is_refused(world):
    client = client_for(world, "secretariat")
    with translation.override("en"):
        url = reverse("admin:members_person_changelist")
    before = [snapshot(login) for login in privileged(world)]
    for person in (world.admin_person, world.colleague_person):
        response = client.post(
            url,
            {"action": "erase_personal_data", "_selected_action": [person.pk], "confirm": "yes"},
            follow=True,
        )
        text = response.content.decode()
        assert "Only a superuser may erase them" in text
        assert "Nothing was erased." in text
        person.refresh_from_db()
        assert person.first_name in ("Admin", "Kollega")
    assert [snapshot(login) for login in privileged(world)] == before

    with pytest.raises(PermissionDenied):
        person_erase(person=world.admin_person, by=world.users["secretariat"])
    # An ordinary member's login is closed by the erasure, as the secretariat's work.
    member_person = world.member_person
    person_erase(person=member_person, by=world.users["secretariat"])
    assert not User.objects.get(pk=world.users["member"].pk).is_active
    # The superuser erases anyone.
    person_erase(person=world.colleague_person, by=world.users["superuser"])
    assert not User.objects.get(pk=world.colleague.pk).is_staff


def _grant_change_user(user):
    user.user_permissions.add(Permission.objects.get(codename="change_user"))
    return User.objects.get(pk=user.pk)  # no cached permissions


def test_the_user_autocomplete_offers_only_linkable_logins(world):
    query = {"app_label": "members", "model_name": "person", "field_name": "user", "term": ""}
    url = reverse("admin:autocomplete")

    def offered(user):
        client = Client()
        client.force_login(user)
        response = client.get(url, query)
        assert response.status_code == 200
        return {r["text"] for r in response.json()["results"]}

    assert offered(world.users["secretariat"]) == set()
    assert {"admin", "kollega", "reserv"} <= offered(world.users["superuser"])
    # A staff user given the right to change users: ordinary logins only.
    manager = factories.UserFactory(username="chef", is_staff=True, groups=[roles.SECRETARIAT])
    with acting_as(None):
        manager = _grant_change_user(manager)
    got = offered(manager)
    assert "reserv" in got
    assert not {"admin", "kollega", "kansli", "chef"} & got
    # Other user fields (who registered) are references, not links: the list is the
    # user list the secretariat may read anyway.
    other = {**query, "app_label": "events", "model_name": "registration"}
    client = Client()
    client.force_login(world.users["secretariat"])
    assert client.get(url, other).status_code == 200


def test_the_person_form_shows_the_login_read_only_to_the_secretariat(world):
    client = client_for(world, "secretariat")
    page = client.get(reverse("admin:members_person_change", args=[world.admin_person.pk]))
    assert page.status_code == 200
    assert "user" not in page.context["adminform"].form.fields
    assert "admin" in page.content.decode()  # shown, read-only


def test_a_user_who_may_change_users_still_cannot_touch_a_privileged_login(world):
    manager = factories.UserFactory(username="chef", is_staff=True, groups=[roles.SECRETARIAT])
    manager = _grant_change_user(manager)
    client = Client()
    client.force_login(manager)
    superuser = world.users["superuser"]
    before = snapshot(superuser)
    change = reverse("admin:auth_user_change", args=[superuser.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert "_save" not in page.content.decode()  # read-only for them
    assert client.post(change, {"username": "x", "is_active": ""}).status_code == 403
    password = reverse("admin:auth_user_password_change", args=[superuser.pk])
    assert client.post(password, {"password1": "x" * 20, "password2": "x" * 20}).status_code == 403
    assert snapshot(superuser) == before

    # An ordinary login: name and address yes, status and groups no.
    member = world.spare_login
    page = client.get(reverse("admin:auth_user_change", args=[member.pk]))
    data = form_data(page)
    for name in ("date_joined", "last_login"):  # split into date and time on the page
        value = data.pop(name, None)
        if value:
            data[f"{name}_0"], data[f"{name}_1"] = value[:10], value[11:19]
    data.update(
        {"first_name": "Ny", "is_superuser": "on", "is_staff": "on", "groups": ["1", "2", "3"]}
    )
    response = client.post(reverse("admin:auth_user_change", args=[member.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    member = User.objects.get(pk=member.pk)
    assert member.first_name == "Ny"
    assert not member.is_staff and not member.is_superuser
    assert list(member.groups.values_list("name", flat=True)) == [roles.MEMBER]

    # Linking: ordinary logins only.
    person = world.other_person
    with pytest.raises(PermissionDenied):
        person.user = world.spare_admin
        person_save(person=person, by=manager)
    person.user = member
    person_save(person=person, by=manager)
    assert Person.objects.get(pk=person.pk).user == member


def test_saves_that_skip_the_services_are_refused_for_the_secretariat(world):
    """The guards: whatever path a future form, inline or task takes."""
    secretariat = world.users["secretariat"]
    superuser = User.objects.get(pk=world.users["superuser"].pk)
    member = User.objects.get(pk=world.spare_login.pk)
    person = Person.objects.get(pk=world.other_person.pk)

    def deactivate():
        superuser.is_active = False
        superuser.save()

    def make_staff():
        member.is_staff = True
        member.save()

    def link():
        person.user = world.spare_login
        person.save()

    attempts = [
        deactivate,
        make_staff,
        lambda: superuser.groups.add(world.group),
        lambda: world.group.user_set.add(world.colleague),
        # The secretariat's own group: its staff members would gain the permission.
        lambda: Group.objects.get(name=roles.SECRETARIAT).permissions.add(
            Permission.objects.get(codename="change_user")
        ),
        link,
    ]
    with acting_as(secretariat):
        for attempt in attempts:
            # Each in a savepoint, as a request's transaction would be rolled back.
            with pytest.raises(PermissionDenied), transaction.atomic():
                attempt()
    assert snapshot(superuser)["flags"] == (True, True, True)
    # The superuser, and the system (commands), are not limited.
    with acting_as(superuser):
        member = User.objects.get(pk=world.spare_login.pk)
        member.is_staff = True
        member.save()
    assert User.objects.get(pk=member.pk).is_staff
