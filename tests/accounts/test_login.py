"""Logging in: repeated failures lock the account and the address for a while with a
plain message, passwords follow Django's validators, a forgotten password is reset by
mail, and sessions end."""

import datetime
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from accounts.models import LoginThrottle
from tests import factories

PASSWORD = "correct horse battery staple"
LOGIN = "/sv/accounts/login/"
LOCKED = "Too many failed attempts to log in"


@pytest.fixture(autouse=True)
def english(settings):
    # Messages are asserted in their English source text.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def anna(db):
    return factories.UserFactory(username="anna", email="anna@example.org")


def login(client, username, password, ip="192.0.2.10", next_url=""):
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN.replace("/sv/", "/en/"), data, REMOTE_ADDR=ip)


def logged_in_user_id(client):
    return client.session.get(SESSION_KEY)


def shift_clock(minutes):
    """Move every counter and lock into the past, as if `minutes` had gone by."""
    delta = datetime.timedelta(minutes=minutes)
    for throttle in LoginThrottle.objects.all():
        throttle.window_started_at -= delta
        if throttle.last_failure_at:
            throttle.last_failure_at -= delta
        if throttle.locked_until:
            throttle.locked_until -= delta
        throttle.save()


def wait_seconds(key):
    throttle = LoginThrottle.objects.get(key=key)
    return round((throttle.locked_until - throttle.last_failure_at).total_seconds())


def test_the_login_page_logs_in_and_out(client, anna):
    page = client.get(LOGIN)
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    response = login(client, "anna", PASSWORD, next_url="/en/")
    assert response.status_code == 302 and response["Location"] == "/en/"
    assert logged_in_user_id(client) == str(anna.pk)
    session_key = client.session.session_key

    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert logged_in_user_id(client) is None
    # The old session is gone on the server, not only forgotten by the browser.
    assert not Session.objects.filter(session_key=session_key).exists()


def test_a_wrong_password_keeps_the_user_name_and_says_why(client, anna):
    response = login(client, "anna", "wrong")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Please enter a correct username and password" in content
    assert 'value="anna"' in content
    assert "wrong" not in content  # a password is never echoed back


def proxied_login(client, username, password, client_address):
    """A login as it reaches the portal behind one nginx: REMOTE_ADDR is the proxy's,
    the client's address is the last entry of X-Forwarded-For (anything before it was
    written by the client and is not trusted)."""
    return client.post(
        "/en/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}",
    )


def test_an_attacker_cannot_lock_a_user_out(client, anna, settings):
    """Behind the proxy, an attacker fails five times with Anna's user name: the
    attacker's own address must wait, with a plain message; Anna, from hers, logs in
    with her password at the same moment."""
    settings.NUM_PROXIES = 1
    settings.LOGIN_FAILURE_LIMIT = 5
    attacker, annas = "203.0.113.66", "192.0.2.10"
    for _ in range(4):
        assert LOCKED not in proxied_login(client, "anna", "guess", attacker).content.decode()
    content = proxied_login(client, "anna", "guess", attacker).content.decode()
    assert LOCKED in content
    until = timezone.localtime(LoginThrottle.objects.get(key=f"pair:anna|{attacker}").locked_until)
    assert until.strftime("%H:%M:%S") in content
    # Even the right password is refused from the attacker's address (in any letter case).
    for username in ("anna", "ANNA"):
        response = proxied_login(client, username, PASSWORD, attacker)
        assert LOCKED in response.content.decode()
        assert logged_in_user_id(client) is None

    # No lock on the user name, nor on the proxy's address everyone shares.
    assert not LoginThrottle.objects.filter(key__startswith="user:").exists()
    assert not LoginThrottle.objects.filter(key="ip:127.0.0.1").exists()
    response = proxied_login(client, "anna", PASSWORD, annas)
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(anna.pk)


def test_the_wait_grows_with_each_further_failure(client, anna, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    settings.LOGIN_LOCKOUT_SECONDS = 60
    settings.LOGIN_LOCKOUT_MAX_SECONDS = 300
    key = "pair:anna|192.0.2.10"
    for _ in range(3):
        login(client, "anna", "wrong")
    assert wait_seconds(key) == 60
    waits = []
    for _ in range(4):
        # The wait lifts on time; the next failure waits twice as long (at most 5 min).
        shift_clock(minutes=wait_seconds(key) / 60 + 0.1)
        login(client, "anna", "wrong")
        waits.append(wait_seconds(key))
    assert waits == [120, 240, 300, 300]
    # Once the wait is over, the right password lets Anna in and the pair is forgotten.
    shift_clock(minutes=6)
    assert login(client, "anna", PASSWORD).status_code == 302
    assert not LoginThrottle.objects.filter(key=key).exists()


def test_attempts_during_a_lock_do_not_extend_it(client, anna, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        login(client, "anna", "wrong")
    throttle = LoginThrottle.objects.get(key="pair:anna|192.0.2.10")
    for _ in range(5):
        login(client, "anna", "wrong")
    again = LoginThrottle.objects.get(key="pair:anna|192.0.2.10")
    assert (again.locked_until, again.failures) == (throttle.locked_until, 3)


def test_the_admin_login_is_throttled_too(client, admin_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/en/admin/login/", {"username": "admin", "password": "nope"})
    response = client.post("/en/admin/login/", {"username": "admin", "password": "password"})
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert logged_in_user_id(client) is None
    # The superuser, from another address, gets in.
    response = client.post(
        "/en/admin/login/",
        {"username": "admin", "password": "password", "next": "/en/admin/"},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(admin_user.pk)


def test_an_address_trying_many_user_names_must_wait(client, anna, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 4
    for n in range(4):
        login(client, f"guess{n}", "wrong", ip="203.0.113.5")
    response = login(client, "anna", PASSWORD, ip="203.0.113.5")
    assert LOCKED in response.content.decode()
    # The user name itself is not locked: from another address Anna gets in.
    assert login(client, "anna", PASSWORD, ip="192.0.2.99").status_code == 302


def test_behind_a_proxy_the_forwarded_address_counts(client, anna, settings):
    settings.NUM_PROXIES = 1
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 2
    for _ in range(2):
        client.post(
            "/en/accounts/login/",
            {"username": "x", "password": "y"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
        )
    assert LoginThrottle.objects.get(key="ip:203.0.113.9").locked_until is not None
    assert not LoginThrottle.objects.filter(key="ip:10.0.0.1").exists()
    assert not LoginThrottle.objects.filter(key="ip:1.2.3.4").exists()


def test_without_num_proxies_a_forwarded_request_is_logged_once(client, anna, caplog):
    from audit import net

    net._warned_about_proxy = False
    with caplog.at_level("WARNING", logger="audit.net"):
        for _ in range(2):
            client.post(
                "/en/accounts/login/",
                {"username": "x", "password": "y"},
                REMOTE_ADDR="10.0.0.1",
                HTTP_X_FORWARDED_FOR="203.0.113.9",
            )
    warnings = [r.getMessage() for r in caplog.records if r.name == "audit.net"]
    assert len(warnings) == 1
    assert "NUM_PROXIES is 0" in warnings[0] and "10.0.0.1" in warnings[0]
    # Without NUM_PROXIES the header is not trusted: the proxy's address is counted.
    assert LoginThrottle.objects.filter(key="ip:10.0.0.1").exists()


def test_a_successful_login_forgets_earlier_failures(client, anna, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    login(client, "anna", "wrong")
    login(client, "anna", "wrong")
    assert login(client, "anna", PASSWORD).status_code == 302
    client.post("/en/accounts/logout/")
    login(client, "anna", "wrong")
    login(client, "anna", "wrong")
    assert login(client, "anna", PASSWORD).status_code == 302


def test_stale_counters_are_purged(db, settings):
    from accounts.services import login_failure_record, login_throttles_purge

    login_failure_record(username="anna", ip="192.0.2.10")
    assert LoginThrottle.objects.count() == 2  # the pair and the address
    shift_clock(minutes=settings.LOGIN_FAILURE_RESET_SECONDS // 60 - 1)
    assert login_throttles_purge() == 0
    shift_clock(minutes=2)
    assert login_throttles_purge() == 2
    assert not LoginThrottle.objects.exists()


def test_check_deploy_warns_while_num_proxies_is_0():
    from tests.security.test_headers import production_env

    def check(**env):
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=Path(__file__).resolve().parents[2],
            env=production_env(**env),
            capture_output=True,
            text=True,
            timeout=120,
        )

    result = check(NUM_PROXIES="0")
    assert result.returncode != 0
    assert "accounts.W001" in result.stderr + result.stdout
    assert "NUM_PROXIES=1" in result.stderr + result.stdout  # says how to set it
    assert check(NUM_PROXIES="1").returncode == 0


# --- passwords ----------------------------------------------------------------------


def test_a_weak_new_password_is_refused_with_the_validators_messages(client, anna):
    client.force_login(anna)
    response = client.post(
        "/en/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "This password is too common." in content
    assert "This password is entirely numeric." in content
    assert "12345678" not in content
    anna.refresh_from_db()
    assert anna.check_password(PASSWORD)

    response = client.post(
        "/en/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "anna", "new_password2": "anna"},
    )
    content = response.content.decode()
    assert "This password is too short." in content
    assert "too similar to the username" in content


def test_a_good_new_password_is_saved_and_the_session_kept(client, anna):
    client.force_login(anna)
    new = "Mälaren rundar 47 öar"
    response = client.post(
        "/en/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/password_change/done/"
    anna.refresh_from_db()
    assert anna.check_password(new)
    assert logged_in_user_id(client) == str(anna.pk)


def test_changing_the_password_needs_a_login(client, db):
    response = client.get("/sv/accounts/password_change/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sv/accounts/login/?next=")


def test_a_password_reset_mail_has_a_working_link(client, anna, settings):
    settings.SITE_URL = "https://portal.example.org"
    assert client.get("/sv/accounts/password_reset/").status_code == 200
    response = client.post("/en/accounts/password_reset/", {"email": "anna@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["anna@example.org"]
    assert "\n" not in message.subject
    link = re.search(r"https://portal\.example\.org(/en/accounts/reset/\S+/)", message.body)
    assert link, message.body
    assert "anna" in message.body

    # The link leads to a form (Django swaps the token for a session-held one).
    response = client.get(link.group(1), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    assert 'name="new_password1"' in response.content.decode()

    # A weak password is refused with the validators' messages.
    weak = client.post(form_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200
    assert "This password is too common." in weak.content.decode()
    mismatch = client.post(
        form_url, {"new_password1": "Ett långt lösen 2023", "new_password2": "something else"}
    )
    assert "The two password fields didn’t match." in mismatch.content.decode()

    new = "Ett långt lösen 2023"
    done = client.post(form_url, {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    assert done["Location"] == "/en/accounts/reset/done/"
    anna.refresh_from_db()
    assert anna.check_password(new)
    # The link works once.
    again = client.get(link.group(1), follow=True)
    assert 'name="new_password1"' not in again.content.decode()


def test_a_password_reset_lifts_a_lock(client, anna, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    for address in ("192.0.2.10", "198.51.100.3"):
        login(client, "anna", "wrong", ip=address)
        login(client, "anna", "wrong", ip=address)
        assert LOCKED in login(client, "anna", PASSWORD, ip=address).content.decode()
    client.post("/en/accounts/password_reset/", {"email": "anna@example.org"})
    path = re.search(r"(/en/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(path, follow=True).redirect_chain[-1][0]
    new = "Ett långt lösen 2023"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    # Lifted from every address.
    assert login(client, "anna", new, ip="198.51.100.3").status_code == 302
    assert login(client, "anna", new).status_code == 302


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client, anna):
    response = client.post("/en/accounts/password_reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/password_reset/done/"
    assert mail.outbox == []


def reset(client, email, client_address):
    return client.post(
        "/en/accounts/password_reset/",
        {"email": email},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR=client_address,
    )


def test_reset_mails_are_limited_per_account_with_the_same_answer(client, anna, settings):
    """Three mails per account per hour, from any addresses; the fourth request gets the
    same page and no mail, so neither the limit nor the account shows."""
    settings.NUM_PROXIES = 1
    assert settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT == 3
    answers = [reset(client, "anna@example.org", f"192.0.2.{n}") for n in range(1, 5)]
    unknown = reset(client, "nobody@example.org", "192.0.2.9")
    assert {(a.status_code, a["Location"]) for a in [*answers, unknown]} == {
        (302, "/en/accounts/password_reset/done/")
    }
    assert len(mail.outbox) == 3
    # An hour later Anna can ask again.
    shift_clock(minutes=61)
    reset(client, "anna@example.org", "192.0.2.1")
    assert len(mail.outbox) == 4


def test_reset_requests_are_limited_per_address(client, anna, settings):
    settings.NUM_PROXIES = 1
    assert settings.PASSWORD_RESET_LIMIT_PER_ADDRESS == 10
    for n in range(10):
        reset(client, f"nobody{n}@example.org", "203.0.113.7")
    answer = reset(client, "anna@example.org", "203.0.113.7")
    assert answer.status_code == 302
    assert answer["Location"] == "/en/accounts/password_reset/done/"
    assert mail.outbox == []
    # Anna, from her own address, gets her mail.
    reset(client, "anna@example.org", "192.0.2.10")
    assert [m.to for m in mail.outbox] == [["anna@example.org"]]


def test_a_reset_form_with_a_bad_address_keeps_what_was_typed(client, db):
    response = client.post("/en/accounts/password_reset/", {"email": "not an address"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Enter a valid email address." in content
    assert 'value="not an address"' in content


# --- sessions -----------------------------------------------------------------------


def test_sessions_end_with_the_browser_and_after_a_working_day(client, anna, settings):
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    response = login(client, "anna", PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # No expiry date: the browser drops the cookie when it closes.
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"] and cookie["samesite"] == "Lax"

    session = Session.objects.get(session_key=client.session.session_key)
    lifetime = session.expire_date - timezone.now()
    assert datetime.timedelta(hours=7, minutes=59) < lifetime <= datetime.timedelta(hours=8)

    # When the server-side session has run out, the login is gone.
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    response = client.get("/en/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/en/admin/login/")


@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_behind_https_the_login_cookies_are_secure(client, anna):
    page = client.get("/en/accounts/login/", secure=True)
    csrf = page.cookies["csrftoken"]
    assert csrf["secure"] and csrf["httponly"]
    response = client.post(
        "/en/accounts/login/", {"username": "anna", "password": PASSWORD}, secure=True
    )
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]


def test_a_logged_in_user_sent_to_the_login_page_is_told_why(client, anna):
    client.force_login(anna)
    response = client.get("/en/accounts/login/?next=/en/admin/")
    assert response.status_code == 200
    assert "You are logged in as anna, but may not see the page you asked for." in (
        response.content.decode()
    )
