"""The audit trail on every write path (issue 11, point 2): the admin, an import, the
owner's "my activities" page, the roll-over (bulk writes), a task acting for a user and
a management command each leave entries naming who, from where (the client's address
in a request) and what; logins, failed logins, lock-outs, password resets and
permission changes are on record; nobody, not even a superuser, edits or deletes an
entry in the admin.
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from audit.context import acting_as
from audit.models import AuditEntry
from audit.recorder import audited_models
from members import roles
from members.models import County, Organisation
from plan.models import Activity, Plan, ReportingPeriod, Section, StatusUpdate
from plan.services import plan_roll_over
from tests import factories

from ..admin.test_import_export import confirm, upload
from ..plan import followup_data

ADDRESS = "203.0.113.7"
Action = AuditEntry.Action


def url(name, *args, language="en", **kwargs):
    with translation.override(language):
        return reverse(name, args=args, kwargs=kwargs or None)


def entries(model, **filters):
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), **filters
    ).order_by("pk")


@pytest.fixture
def secretariat(db, secretariat_user):
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(secretariat_user)
    return client


@pytest.fixture(autouse=True)
def _language_restored():
    """Requests to /en/ pages activate English in this thread; later tests expect the
    default language back."""
    with translation.override(translation.get_language()):
        yield


# --- the write paths ---------------------------------------------------------------


def test_admin(secretariat, secretariat_user):
    county = factories.CountyFactory(code="03", name_sv="Uppsala län", name_en="Uppsala")
    response = secretariat.post(
        url("admin:members_county_change", county.pk),
        {"code": "03", "name_sv": "Uppsala län", "name_en": "Uppsala County"},
    )
    assert response.status_code == 302
    entry = entries(County, action="update").get()
    assert (entry.user, entry.client_address) == (secretariat_user, ADDRESS)
    assert entry.changes == {"name_en": ["Uppsala", "Uppsala County"]}


def test_import(secretariat, secretariat_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    content = (
        "slug,name_sv,name_en,kind\nvasteras-stad,Västerås stad,City of Västerås,municipality\n"
    )
    preview = upload(secretariat, Organisation, content.encode(), "csv")
    assert preview.context["result"].totals["new"] == 1
    assert not entries(Organisation).exists()  # the preview writes nothing
    assert confirm(secretariat, Organisation, preview).status_code == 302
    entry = entries(Organisation, action="create").get()
    assert entry.user == secretariat_user and entry.client_address == ADDRESS
    assert entry.changes["name_sv"] == [None, "Västerås stad"]


def test_my_activities(db):
    fp = followup_data.build()
    owner = fp.anna
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(owner)
    prefix = f"a{fp.a1.pk}"
    response = client.post(
        url("plan:my_activities"),
        {
            "activity": fp.a1.pk,
            f"{prefix}-period": fp.t1.pk,
            f"{prefix}-status": fp.on_track.pk,
            f"{prefix}-progress": "60",
            f"{prefix}-comment": "Klart snart.",
        },
    )
    assert response.status_code == 302
    entry = entries(StatusUpdate, action="create").latest("pk")
    assert entry.user == owner and entry.client_address == ADDRESS
    assert entry.changes["progress"] == [None, 60]
    assert entry.source.startswith("POST /en/my/activities/")


def test_roll_over_records_every_row_it_copies(db, secretariat_user):
    """bulk_create() sends no signals: the roll-over records each copied row itself."""
    fp = followup_data.build()
    owner = factories.PersonFactory(first_name="Ägare")
    fp.a1.owners.add(owner)
    with acting_as(secretariat_user, source="admin action roll_over"):
        new = plan_roll_over(plan=fp.plan, by=secretariat_user)
    for model in (Section, Activity):
        copied = model._default_manager.filter(
            **({"plan": new} if model is Section else {"section__plan": new})
        )
        assert copied.exists()
        recorded = set(entries(model, action="create").values_list("object_id", flat=True))
        assert {str(pk) for pk in copied.values_list("pk", flat=True)} <= recorded
    copy = Activity.objects.get(section__plan=new, text_sv=fp.a1.text_sv)
    entry = entries(Activity, action="create", object_id=str(copy.pk)).get()
    assert entry.user == secretariat_user
    assert entry.changes["text_sv"] == [None, fp.a1.text_sv]
    assert any(label.endswith(f"(#{owner.pk})") for label in entry.changes["owners"][1])
    child = Section.objects.filter(plan=new, parent__isnull=False).first()
    if child is not None:
        section_entry = entries(Section, object_id=str(child.pk)).get()
        assert section_entry.changes["parent"] == [None, child.parent_id]
    assert entries(Plan, action="create", object_id=str(new.pk)).exists()


def test_a_task_acting_for_a_user(db, board_user):
    """What a Celery task writes for a user is theirs, with the task as the source."""
    with acting_as(board_user, source="task plan.tasks.something"):
        plan = factories.PlanFactory(year=2031)
    entry = entries(Plan, object_id=str(plan.pk)).get()
    assert (entry.user, entry.source, entry.client_address) == (
        board_user,
        "task plan.tasks.something",
        None,
    )


def test_a_management_command(db):
    plan = factories.PlanFactory(year=2032)
    ReportingPeriod.objects.filter(plan=plan).delete()
    call_command("create_default_periods", stdout=io.StringIO())
    created = entries(ReportingPeriod, action="create")
    assert created.count() >= 3
    assert {e.user_repr for e in created} == {"system"}
    assert all(e.source for e in created)  # the program that ran it


# --- logins --------------------------------------------------------------------------


def test_logins_failures_and_lockouts_are_recorded_with_the_address(db, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    user = factories.UserFactory(username="loggar")
    client = Client(REMOTE_ADDR=ADDRESS)
    login = url("login")
    client.post(login, {"username": "loggar", "password": "fel"})
    client.post(login, {"username": "ingen-sadan", "password": "fel"})
    client.post(login, {"username": "loggar", "password": "fel igen"})
    failed = AuditEntry.objects.filter(action=Action.LOGIN_FAILED).order_by("pk")
    assert [e.changes["username"][1] for e in failed] == ["loggar", "ingen-sadan", "loggar"]
    assert {e.client_address for e in failed} == {ADDRESS}
    assert failed[0].object_id == str(user.pk)
    assert "fel" not in str([e.changes for e in failed])  # never a password
    locked = AuditEntry.objects.filter(action=Action.LOCKOUT)
    # The lock is on the (user name, address) pair (accounts.services).
    assert [e.object_repr for e in locked] == [f"pair:loggar|{ADDRESS}"]
    assert locked.get().client_address == ADDRESS

    settings.LOGIN_FAILURE_LIMIT = 5
    other = Client(REMOTE_ADDR="198.51.100.1")
    factories.UserFactory(username="annan")
    other.post(login, {"username": "annan", "password": "correct horse battery staple"})
    entry = AuditEntry.objects.filter(action=Action.LOGIN).get()
    assert entry.user.username == "annan" and entry.client_address == "198.51.100.1"
    other.post(url("logout"))
    assert AuditEntry.objects.filter(action=Action.LOGOUT, user=entry.user).exists()


def test_password_resets_are_recorded(db):
    user = factories.UserFactory(username="glomsk", email="glomsk@example.org")
    client = Client(REMOTE_ADDR=ADDRESS)
    client.post(url("password_reset"), {"email": "glomsk@example.org"})
    client.post(url("password_reset"), {"email": "okand@example.org"})
    asked = AuditEntry.objects.filter(action=Action.PASSWORD_RESET).order_by("pk")
    assert [(e.object_id, e.client_address) for e in asked] == [
        (str(user.pk), ADDRESS),
        ("", ADDRESS),
    ]
    link = re.search(r"https?://\S+/reset/\S+/\S+/", mail.outbox[0].body)[0]
    page = client.get(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]), follow=True)
    form_url = page.redirect_chain[-1][0]
    client.post(
        form_url,
        {"new_password1": "ett nytt långt lösenord", "new_password2": "ett nytt långt lösenord"},
    )
    change = entries(type(user), action="update", object_id=str(user.pk)).latest("pk")
    assert change.changes["password"] == ["***", "***"]
    assert change.client_address == ADDRESS
    # The token is not in the trail.
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert not AuditEntry.objects.filter(source__contains=token).exists()


def test_permission_and_group_changes_are_recorded(db):
    superuser = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    member = factories.UserFactory(username="medlem2", groups=[roles.MEMBER])
    board = Group.objects.get(name=roles.BOARD)
    with acting_as(superuser):
        member.groups.add(board)
        board.permissions.add(Permission.objects.get(codename="change_user"))
    change = entries(type(member), object_id=str(member.pk), action="update").latest("pk")
    assert (
        change.changes["groups"][1]
        == sorted([f"{roles.BOARD} (#{board.pk})", change.changes["groups"][1][-1]])
        or "groups" in change.changes
    )
    group_change = entries(Group, object_id=str(board.pk), action="update").latest("pk")
    assert "auth.change_user" in group_change.changes["permissions"][1]


# --- append-only ---------------------------------------------------------------------


def test_nobody_edits_or_deletes_an_entry(db):
    goal = factories.GoalFactory()
    entry = entries(goal).latest("pk")
    superuser = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(superuser)
    change = url("admin:audit_auditentry_change", entry.pk)
    page = client.get(change)
    assert page.status_code == 200 and "_save" not in page.content.decode()
    assert client.post(change, {"object_repr": "rewritten"}).status_code == 403
    assert client.get(url("admin:audit_auditentry_delete", entry.pk)).status_code == 403
    response = client.post(
        url("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert AuditEntry.objects.filter(pk=entry.pk, object_repr=entry.object_repr).exists()
    # Nor through the ORM's object methods.
    with pytest.raises(PermissionDenied):
        entry.object_repr = "rewritten"
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()


# --- bulk writes ---------------------------------------------------------------------

# Every bulk write on an audited model in the code, and how its rows are recorded.
# A new one fails `test_every_bulk_write_is_recorded` until it is listed here.
BULK_WRITES = {
    "plan/services.py": "plan_roll_over: record_created() for every copied row",
    "members/services.py": "person_erase: one 'erase' entry lists what was written",
}
_BULK = re.compile(r"\.(bulk_create|bulk_update)\(|\.objects(\.\w+\([^)]*\))*\.update\(")


def test_every_bulk_write_is_recorded():
    """bulk_create, bulk_update and QuerySet.update send no signals; each use on an
    audited model must record its rows itself (audit.recorder.record_created or one
    summary entry). Found by reading the code of the audited apps."""
    root = Path(settings.BASE_DIR)
    audited = {m.__name__ for m in audited_models()}
    found = set()
    for app in ("members", "plan", "ebs", "ebm", "events", "accounts"):
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for line in path.read_text().splitlines():
                if not _BULK.search(line):
                    continue
                names = set(re.findall(r"\b([A-Z]\w+)\.objects", line)) | set(
                    re.findall(r"\b(owners|organisations)\.objects", line)
                )
                if names & audited or "owners" in names or "organisations" in names:
                    found.add(str(path.relative_to(root)))
    assert found <= set(BULK_WRITES), f"bulk writes without a record: {found - set(BULK_WRITES)}"
    assert "plan/services.py" in found  # the search sees the roll-over's
