"""Policy defaults (issue 11, point 8) and text limits (point 6): passwords of at least
12 characters; a login ends after SESSION_IDLE_TIMEOUT without a request; every page a
logged-in user gets, and every personal page, is ``Cache-Control: private, no-store``;
HSTS preload is opt-in; follow-up comments are for logged-in members unless the plan
makes them public; a 1 MB event description is refused."""

import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from accounts.middleware import LAST_ACTIVITY
from events.models import Event
from plan.models import Plan
from tests import factories

from . import test_permission_matrix as matrix
from .test_headers import production_env
from .world import PASSWORD, admin_object, build_world

BASE_DIR = Path(__file__).resolve().parents[2]


def text_of(response) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


# --- Passwords ---------------------------------------------------------------------------


def test_a_password_needs_12_characters(client, member_user):
    client.force_login(member_user)
    short = "Kx7#pq2!mZr"  # 11, not common, not numeric
    response = client.post(
        "/en/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": short, "new_password2": short},
    )
    assert response.status_code == 200
    assert "This password is too short. It must contain at least 12 characters." in text_of(
        response
    )
    response = client.post(
        "/en/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": short + "q", "new_password2": short + "q"},
    )
    assert response.status_code == 302
    member_user.refresh_from_db()
    assert member_user.check_password(short + "q")


# --- Idle timeout ------------------------------------------------------------------------


def idle_for(client, seconds):
    """Pretend the last request was `seconds` ago."""
    session = client.session
    session[LAST_ACTIVITY] -= seconds
    session.save()


def test_the_default_idle_timeout_is_30_minutes(settings):
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60


def test_after_30_idle_minutes_the_next_request_asks_to_log_in_again(client, member_user):
    client.post("/en/accounts/login/", {"username": "medlem", "password": PASSWORD})
    assert client.get("/en/my/activities/").status_code == 200
    idle_for(client, 29 * 60)
    assert client.get("/en/my/activities/").status_code == 200  # still in, and counted anew
    idle_for(client, 31 * 60)

    response = client.get("/en/my/activities/?x=1")
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/login/?next=/en/my/activities/%3Fx%3D1"
    assert SESSION_KEY not in client.session  # the login is over on the server too
    page = client.get(response["Location"])
    assert "You were logged out after 30 minutes without activity. Log in again to go on." in (
        text_of(page)
    )
    # Logging in again brings them back where they were.
    back = client.post(
        response["Location"],
        {"username": "medlem", "password": PASSWORD, "next": "/en/my/activities/?x=1"},
    )
    assert back["Location"] == "/en/my/activities/?x=1"


def test_in_swedish_and_in_the_admin_too(client, secretariat_user, settings):
    settings.SESSION_IDLE_TIMEOUT = 600
    client.force_login(secretariat_user)
    assert client.get("/sv/admin/").status_code == 200
    idle_for(client, 601)
    response = client.get("/sv/admin/")
    assert response["Location"].startswith("/sv/admin/login/?next=/sv/admin/")
    page = client.get(response["Location"])
    assert "Du loggades ut efter 10 minuter utan aktivitet." in text_of(page)


def test_no_idle_timeout_when_set_to_0(client, member_user, settings):
    settings.SESSION_IDLE_TIMEOUT = 0
    client.force_login(member_user)
    client.get("/en/my/activities/")
    assert LAST_ACTIVITY not in client.session
    assert client.get("/en/my/activities/").status_code == 200


# --- Cache-Control -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        with transaction.atomic():
            world = build_world()
            yield world
            transaction.set_rollback(True)


@pytest.fixture
def world(shared_world, db):
    return shared_world


def is_private(response) -> bool:
    parts = {p.strip().split("=")[0] for p in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= parts and not parts & {"public", "s-maxage"}


def test_every_page_a_logged_in_user_gets_is_private_and_not_stored(world):
    """Every GET of the permission matrix, and every admin page of every model, as each
    logged-in role, in both languages: whatever the answer (a page, a redirect, 403,
    404, a file), it is Cache-Control: private, no-store."""
    wrong = []
    seen = 0
    for role in ("member", "owner", "board", "secretariat", "superuser"):
        client = Client()
        client.force_login(world.users[role])
        urls = []
        for language in ("sv", "en"):
            with translation.override(language):
                for name, cases in matrix.PAGES.items():
                    for case in cases:
                        if case.method != "get":
                            continue
                        try:
                            urls.append((reverse(name, kwargs=case.kwargs(world)), case.query))
                        except NoReverseMatch:
                            continue
                # Each model's admin pages, once per staff role (each in one language).
                if (role, language) not in {("secretariat", "en"), ("superuser", "sv")}:
                    continue
                for model in admin.site._registry:
                    target = admin_object(world, model)
                    for view in ("changelist", "add", "change", "history"):
                        urls.append((matrix._admin_url(model, view, target), lambda w: {}))
        for url, query in urls:
            if url.startswith("/api/"):
                # The open-data API is anonymous: api/middleware.py drops the request's
                # cookies, so a logged-in user gets the visitor's answer, cacheable
                # publicly (tests/api/test_open_data.py checks it).
                continue
            response = client.get(url, query(world))
            seen += 1
            if not is_private(response):
                wrong.append(f"{url} as {role}: {response.get('Cache-Control')!r}")
        # A POST's answer too: the language switch.
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/en/"})
        if not is_private(response):
            wrong.append(f"set_language as {role}: {response.get('Cache-Control')!r}")
    assert seen > 500
    assert not wrong, "\n".join(wrong)


def test_logging_in_answers_private(client, member_user):
    response = client.post("/en/accounts/login/", {"username": "medlem", "password": PASSWORD})
    assert response.status_code == 302 and is_private(response)


def test_personal_pages_without_a_login_are_private_too(world):
    client = Client()
    feed = client.get(reverse("events:personal_feed", kwargs={"token": world.feed_token}))
    assert feed.status_code == 200 and is_private(feed)
    reset = client.get(reverse("password_reset_confirm", kwargs=matrix.reset_link(world)))
    assert reset.status_code == 302 and is_private(reset)
    form = client.get(reset["Location"])
    assert form.status_code == 200 and is_private(form)


def test_public_pages_for_visitors_stay_cacheable(world):
    for url in ("/sv/", "/en/events/", f"/sv/plan/{world.adopted.year}/"):
        response = Client().get(url)
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", ""), url


# --- HSTS preload --------------------------------------------------------------------------

HSTS_PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
from django.test.utils import override_settings, setup_test_environment
setup_test_environment()
# No collectstatic in a checkout: plain static storage, as in test_headers.py.
override_settings(
    STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
).enable()
print(Client().get("/sv/accounts/login/", secure=True).headers["Strict-Transport-Security"])
"""


@pytest.mark.parametrize(("preload", "wanted"), [(None, False), ("1", True)])
def test_hsts_preload_is_opt_in_and_check_deploy_stays_clean(preload, wanted):
    extra = {} if preload is None else {"SECURE_HSTS_PRELOAD": preload}
    env = production_env(**extra)
    if preload is None:
        env.pop("SECURE_HSTS_PRELOAD", None)
    probe = subprocess.run(
        [sys.executable, "-c", HSTS_PROBE],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert probe.returncode == 0, probe.stderr
    header = probe.stdout.strip().splitlines()[-1]
    assert header.startswith("max-age=31536000; includeSubDomains")
    assert ("preload" in header) is wanted
    check = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "no issues" in check.stdout


# --- Follow-up comments ----------------------------------------------------------------------

SECRET_COMMENT = "Budgeten räcker inte, Kalle är sjuk"


def comment_pages(world):
    year = world.adopted.year
    return [
        f"/sv/plan/{year}/activity/{world.owned.pk}/",
        f"/en/plan/{year}/activity/{world.owned.pk}/",
        f"/sv/plan/{year}/{world.section.slug}/",
        f"/sv/plan/{year}/",
        "/sv/",
        "/sv/search/?q=Budgeten",
        "/en/search/?q=Kalle",
        f"/sv/search/?q={world.owned.text_sv[:12]}",
        "/sv/programmes/ebs/",
        "/sv/programmes/ebm/",
        f"/sv/events/{world.public_event.slug}/",
    ]


def test_followup_comments_are_for_logged_in_members(world):
    update = world.status_update
    update.comment = SECRET_COMMENT
    update.save()
    visitor = Client()
    for url in comment_pages(world):
        response = visitor.get(url)
        assert response.status_code == 200, url
        # (A search page repeats the words searched for; the rest of the comment is
        # nowhere.)
        assert "räcker inte" not in unescape(response.content.decode()), url
    # The report itself shows; its comment does not, and the page says who sees it.
    activity = visitor.get(comment_pages(world)[1])
    assert "Comment" not in text_of(activity)
    assert "comments on their reports are shown to members who are logged in" in text_of(activity)

    member = Client()
    member.force_login(world.users["member"])
    for url in comment_pages(world)[:2]:
        assert SECRET_COMMENT in unescape(member.get(url).content.decode()), url


def test_a_plan_can_make_its_followup_comments_public(world):
    update = world.status_update
    update.comment = SECRET_COMMENT
    update.save()
    Plan.objects.filter(pk=world.adopted.pk).update(public_followup_comments=True)
    response = Client().get(comment_pages(world)[0])
    assert SECRET_COMMENT in unescape(response.content.decode())


def test_the_setting_is_off_by_default_and_in_the_plan_admin(world, secretariat_user):
    assert not factories.PlanFactory(year=2090).public_followup_comments
    client = Client()
    client.force_login(world.users["secretariat"])
    page = client.get(reverse("admin:plan_plan_change", args=[world.adopted.pk]))
    assert 'name="public_followup_comments"' in page.content.decode()


# --- Text limits -------------------------------------------------------------------------------


def test_a_1_mb_event_description_is_refused(client, secretariat_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with translation.override("sv"):
        add_url, import_url = (
            reverse("admin:events_event_add"),
            reverse("admin:events_event_import"),
        )
    huge = "Lång text. " * 100_000  # 1.1 million characters (1,099,999 once stripped)
    # The model (services and every other path call full_clean).
    event = Event(slug="stort", title_sv="Stort", description_sv=huge)
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "description_sv" in error.value.message_dict
    # The admin's form.
    client.force_login(secretariat_user)
    response = client.post(
        add_url,
        {
            "title_sv": "Stort",
            "slug": "stort",
            "kind": "other",
            "visibility": "public",
            "description_sv": huge,
            "registrations-TOTAL_FORMS": "0",
            "registrations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    message = "Säkerställ att detta värde har som mest 20000 tecken (den har 1099999)."
    assert errors == {"description_sv": [message]}
    assert message in text_of(response)
    # An import: a row over the limit is a row error naming it, and nothing is written.
    # (A CSV cell is read up to 128 KB and an XLSX cell holds 32,767 characters, so a
    # 1 MB cell cannot even be read from a file: 25,000 characters show the limit.)
    long = "Lång text. " * 2_500
    content = f"slug,title_sv,description_sv\nstort,Stort,{long}\n".encode()
    response = client.post(
        import_url,
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("e.csv", content)},
    )
    assert response.status_code == 200
    assert "som mest 20000 tecken (den har 27500)" in text_of(response)
    assert not Event.objects.filter(slug="stort").exists()


def test_the_limits_are_in_the_form_fields_too(client, secretariat_user):
    client.force_login(secretariat_user)
    page = client.get(reverse("admin:events_event_add")).content.decode()
    assert re.search(r'<textarea[^>]*name="description_sv"[^>]*maxlength="20000"', page)
