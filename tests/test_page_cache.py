"""The anonymous page cache (malardal/pagecache.py, issue 12 point 2), on Redis with
real commits: a change made any way — a service, the admin, an import, a bulk update,
raw SQL — shows on a visitor's very next request; what a member sees never reaches a
visitor; visitors get no cookie; cached pages carry ETag, Last-Modified and a public
Cache-Control, answer 304 and are compressed, and nothing else is."""

import datetime
import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest
import tablib
from django.db import connection, transaction
from django.test import Client, override_settings
from django.utils import timezone

from events import services as event_services
from events.models import Event
from events.resources import EventResource
from malardal import pagecache

from .factories import EventFactory, UserFactory
from .services import require_redis

BASE_DIR = Path(__file__).resolve().parent.parent
EVENTS = "/sv/events/"
FUTURE = timezone.localdate() + datetime.timedelta(days=30)


@pytest.fixture
def redis_cache():
    url = require_redis()
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "test-pagecache",
        }
    }
    with override_settings(CACHES=caches):
        pagecache.bump()
        yield


@pytest.fixture
def event(transactional_db):
    return EventFactory(
        slug="radsmote", title_sv="Rådsmöte i Eskilstuna", start_date=FUTURE, end_date=None
    )


def visit(path=EVENTS, **headers):
    """A visitor's request: a new client, no cookies."""
    return Client().get(path, **headers)


def served_from_cache(django_assert_num_queries, path=EVENTS):
    with django_assert_num_queries(0):
        return visit(path)


def test_a_visitors_page_is_cached_and_costs_no_query_the_second_time(
    redis_cache, event, django_assert_num_queries
):
    first = visit()
    assert first.status_code == 200 and "Rådsmöte i Eskilstuna" in first.content.decode()
    second = served_from_cache(django_assert_num_queries)
    assert second.content == first.content
    assert second["Cache-Control"] == "public, max-age=60"


def test_a_change_through_a_service_shows_on_the_next_request(
    redis_cache, event, django_assert_num_queries
):
    visit()
    served_from_cache(django_assert_num_queries)

    event.title_sv = "Rådsmöte i Västerås"
    event_services.event_save(event=event)

    page = visit().content.decode()
    assert "Rådsmöte i Västerås" in page and "Eskilstuna" not in page


def test_a_change_in_the_admin_shows_on_the_next_request(redis_cache, event):
    assert "Rådsmöte i Eskilstuna" in visit().content.decode()
    admin = Client()
    admin.force_login(UserFactory(username="admin", is_staff=True, is_superuser=True))

    response = admin.post(f"/sv/admin/events/event/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302

    assert "Rådsmöte i Eskilstuna" not in visit().content.decode()


def test_an_import_shows_on_the_next_request(redis_cache, event):
    assert "Rådsmöte i Eskilstuna" in visit().content.decode()
    resource = EventResource()
    dataset = resource.export(queryset=Event.objects.filter(pk=event.pk))
    row = list(dataset[0])
    row[row.index("Rådsmöte i Eskilstuna")] = "Rådsmöte i Uppsala"

    result = resource.import_data(
        tablib.Dataset(row, headers=dataset.headers), dry_run=False, raise_errors=True
    )
    assert not result.has_errors()

    assert "Rådsmöte i Uppsala" in visit().content.decode()


def test_bulk_updates_and_raw_sql_show_on_the_next_request(redis_cache, event):
    visit()
    Event.objects.filter(pk=event.pk).update(title_sv="Rådsmöte i Örebro")
    assert "Rådsmöte i Örebro" in visit().content.decode()

    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET title_sv = %s", ["Rådsmöte i Nyköping"])
    assert "Rådsmöte i Nyköping" in visit().content.decode()


def test_the_version_changes_on_commit_not_before_and_not_on_rollback(redis_cache, event):
    before = pagecache.current_version()
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(title_sv="Ny titel")
        # Another process reading now still sees the old data: the old version is right.
        assert pagecache.current_version() == before
    after_commit = pagecache.current_version()
    assert after_commit != before

    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(title_sv="Ångrad titel")
        transaction.set_rollback(True)
    assert pagecache.current_version() == after_commit

    # A write whose savepoint rolled back, then one that stays: bumped on commit.
    with transaction.atomic():
        try:
            with transaction.atomic():
                Event.objects.filter(pk=event.pk).update(title_sv="Ångrad igen")
                raise RuntimeError
        except RuntimeError:
            pass
        Event.objects.filter(pk=event.pk).update(title_sv="Kvar")
        assert pagecache.current_version() == after_commit
    assert pagecache.current_version() != after_commit
    after_commit = pagecache.current_version()

    # Reading, and writing only to tables no page shows, changes nothing.
    list(Event.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_session")
    assert pagecache.current_version() == after_commit


def test_what_a_member_sees_never_reaches_a_visitor(redis_cache, event, member_user):
    EventFactory(
        slug="internt",
        title_sv="Internt medlemsmöte",
        start_date=FUTURE,
        end_date=None,
        visibility=Event.Visibility.MEMBERS,
    )
    member = Client()
    member.force_login(member_user)
    for _ in range(2):
        page = member.get(EVENTS)
        assert "Internt medlemsmöte" in page.content.decode()
        assert "no-store" in page["Cache-Control"] and "private" in page["Cache-Control"]
        assert "Content-Encoding" not in page

    for _ in range(2):  # the first request may be stored, the second is served from it
        page = visit()
        assert page.status_code == 200
        assert "Internt medlemsmöte" not in page.content.decode()
        assert "Rådsmöte i Eskilstuna" in page.content.decode()

    # And the member still gets the members' page, not the visitors' copy.
    assert "Internt medlemsmöte" in member.get(EVENTS).content.decode()
    # A members-only page sends a visitor to log in (issue 14, point 7), every time:
    # never the members' page from the cache.
    for _ in range(2):
        page = visit("/sv/events/internt/")
        assert page.status_code == 302
        assert "/accounts/login/" in page["Location"]


def test_pages_that_need_a_login_never_come_from_the_cache(redis_cache, event, member_user):
    member = Client()
    member.force_login(member_user)
    assert member.get("/sv/my/activities/").status_code == 200
    for _ in range(2):
        response = visit("/sv/my/activities/")
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_visitors_get_no_cookie_and_switch_language_by_link(redis_cache, event):
    for path in ("/sv/", EVENTS, "/sv/events/radsmote/", "/en/plan/", "/sv/search/?q=r"):
        for _ in range(2):
            response = visit(path)
            assert response.status_code == 200, path
            assert not response.cookies, path
            assert "Set-Cookie" not in response, path
            assert "csrfmiddlewaretoken" not in response.content.decode(), path
    page = visit("/sv/events/radsmote/").content.decode()
    assert '<a class="language-switch" href="/en/events/radsmote/" hreflang="en"' in page


def test_etag_last_modified_and_304(redis_cache, event):
    first = visit()
    assert first["ETag"].startswith('W/"') and first["Last-Modified"]
    again = visit(HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"]

    event.title_sv = "Rådsmöte i Västerås"
    event_services.event_save(event=event)
    changed = visit(HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_visitors_pages_are_gzipped_when_asked_and_nothing_with_a_token_is(
    redis_cache, event, member_user
):
    plain = visit()
    packed = visit(HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed["Vary"] and "Cookie" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) / 2

    # The login form carries a CSRF token (and sets its cookie): never compressed,
    # never cached, never public.
    for _ in range(2):
        login = visit("/sv/accounts/login/", HTTP_ACCEPT_ENCODING="gzip")
        assert "csrfmiddlewaretoken" in login.content.decode()
        assert "Content-Encoding" not in login
        assert "public" not in login.get("Cache-Control", "")

    # Nor is anything a logged-in user gets.
    member = Client()
    member.force_login(member_user)
    page = member.get(EVENTS, HTTP_ACCEPT_ENCODING="gzip")
    assert "Content-Encoding" not in page and "ETag" not in page


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO plan_plan (year) VALUES (1)",
        'UPDATE "plan_activity" SET title_sv = %s',
        "delete from members_person",
        "TRUNCATE TABLE events_event",
        "ALTER TABLE plan_plan ADD COLUMN x int",
        "WITH gone AS (DELETE FROM plan_plan RETURNING id) SELECT count(*) FROM gone",
    ],
)
def test_every_kind_of_write_is_seen(sql):
    assert pagecache._WRITE.match(sql) or (
        pagecache._CTE.match(sql) and pagecache._CTE_WRITE.search(sql)
    )


@pytest.mark.parametrize(
    "sql",
    [
        'SELECT "plan_plan"."id" FROM "plan_plan" WHERE title_sv LIKE %s',
        "SAVEPOINT s1",
        "RELEASE SAVEPOINT s1",
        "WITH x AS (SELECT 1) SELECT * FROM x",
    ],
)
def test_reads_are_not_writes(sql):
    assert not pagecache._WRITE.match(sql)
    assert not (pagecache._CTE.match(sql) and pagecache._CTE_WRITE.search(sql))


def test_a_changed_template_in_make_run_shows_on_the_next_request():
    from django.utils.autoreload import file_changed

    before = pagecache.current_version()
    file_changed.send(sender=None, file_path=Path("templates/base.html"))
    assert pagecache.current_version() != before


# --- Production settings that do not cost throughput (issue 12, point 6) ----------------

SETTINGS_PROBE = """
import json, runpy
import django
django.setup()
from django.conf import settings
from django.template import engines
conf = runpy.run_path("deploy/gunicorn.conf.py")
loader = engines["django"].engine.template_loaders[0]
print(json.dumps({
    "max_requests": conf["max_requests"],
    "loader": type(loader).__module__ + "." + type(loader).__name__,
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "health_checks": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "page_cache": settings.PAGE_CACHE_SECONDS,
}))
"""


def _production(**extra):
    from .security.test_headers import production_env

    env = production_env(**extra)
    env.pop("GUNICORN_MAX_REQUESTS", None)
    return env


def test_production_settings_keep_workers_connections_and_templates():
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_PROBE],
        cwd=BASE_DIR,
        env=_production(CACHE_URL="redis://127.0.0.1:6379/1"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    # gunicorn never recycles its workers (that halved the bare view's throughput) …
    assert probe["max_requests"] == 0
    # … templates are compiled once per process, connections kept and checked …
    assert probe["loader"] == "django.template.loaders.cached.Loader"
    assert probe["conn_max_age"] >= 60 and probe["health_checks"] is True
    # … and the page cache is on, in Redis.
    assert probe["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert probe["page_cache"] > 0


def test_check_deploy_asks_for_redis_while_the_page_cache_is_per_process():
    env = _production()
    env.pop("CACHE_URL", None)
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "malardal.W010" in result.stderr + result.stdout
    assert "CACHE_URL" in result.stderr + result.stdout
