"""The anonymous page cache, correct by construction (issue 12, point 2).

Visitors who are not logged in get the same page for the same address, so a page is
kept in the cache (Redis in production, ``CACHE_URL`` or ``REDIS_URL``; local memory for
``make run``) under a key made of the language, scheme, host, path and query string of
the request and today's date (pages that say "late" or "upcoming" change at midnight),
together with the **data version** it was made under: a token in the cache that every
write to the database replaces. A page is served only while its version is the current
one (both are read in one round trip).

**Every write bumps the version.** Not by listing the places that write (services,
admin, imports, tasks, the roll-over, migrations, ``loaddata``, the shell …) but one
level below all of them: a wrapper on every database connection (Django's
``execute_wrappers``, installed when a connection opens) sees each SQL statement; an
``INSERT``, ``UPDATE``, ``DELETE``, ``TRUNCATE`` or DDL statement bumps the version —
``QuerySet.update()``, ``bulk_create()`` and raw SQL included, which send no model
signals. Inside a transaction the bump waits for the commit (``on_commit``), so a reader
can never read the new version and then the old data: the version changes only once the
new data is visible, and a page made under the old version is never served again. A
rolled-back transaction changes nothing and bumps nothing. Only tables that no page
shows (sessions, the audit log, login throttles, job records) are left out:
``IGNORED_TABLES``.

**What is never cached** (``AnonymousPageCacheMiddleware``): requests carrying a session
or a messages cookie (whoever may be logged in, or has a message waiting, gets a page
made for them); answers to logged-in users; anything but a 200 HTML answer to a GET;
answers that set a cookie, carry a CSRF token (a form with ``{% csrf_token %}``), say
``private``/``no-store``/``no-cache`` (personal pages without a login: the personal
calendar feed, the password-reset link) or vary on anything but Cookie, Accept-Language
and Accept-Encoding; addresses without a language prefix (the API has its own caching).
Members-only, personal and board pages answer a visitor with a redirect to the login
page or a 403/404, which is never cached, and their 200 for a member is never stored.

**Compression and BREACH.** BREACH recovers a secret from a compressed response's size
when the attacker can put text of their choosing beside it. Only the pages this cache
stores are compressed (gzip), and by the rules above they hold no secret: no CSRF
token, no session, nothing personal — the same bytes go to every visitor. Pages for
logged-in users and every page with a form token are sent uncompressed (nginx has
``gzip off`` for pages too).

A stored page carries a weak ``ETag`` (a hash of its body), ``Last-Modified`` (when it
was made) and ``Cache-Control: public, max-age=PAGE_BROWSER_MAX_AGE``; a request with a
matching ``If-None-Match`` gets a 304.

The version lives in the cache: with local memory it is per process, which is right for
``make run`` (one process, Celery tasks in-process) and wrong for gunicorn's several
workers, so production configures Redis (``manage.py check --deploy`` says so). If the
cache cannot be reached, pages are served uncached; a bump that fails is logged, and a
page is kept at most ``PAGE_CACHE_SECONDS`` anyway.

If the database is down, a page the cache holds is still served (a hit reads no
database): the page is current, since nothing can be written meanwhile; any other
page answers 503 (``malardal.views.server_error``).
"""

import hashlib
import logging
import re
import secrets
import time
import weakref

from django.conf import settings
from django.core.cache import cache
from django.core.checks import Tags, Warning, register
from django.core.exceptions import DisallowedHost
from django.db import connections
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string

logger = logging.getLogger(__name__)

VERSION_KEY = "pagecache:version"
PAGE_KEY_PREFIX = "pagecache:page"

# Tables no page shows; writes to them leave cached pages as they are. (A write to any
# other table, of this project, of Django or of a library, bumps the version.)
IGNORED_TABLES = frozenset(
    {
        "django_session",
        "django_admin_log",
        "audit_auditentry",
        "accounts_loginthrottle",
        "malardal_importjob",
        "plan_reportrequest",
        "reminders_reminderlog",
        "reminders_reminderrun",
    }
)

# The statements that change data or schema, and the table they write to (when the
# statement names one first). Anything that starts otherwise (SELECT, SAVEPOINT, SET,
# EXPLAIN …) changes nothing a page shows.
_WRITE = re.compile(
    r"\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE|ALTER|CREATE|DROP|COPY|MERGE\s+INTO"
    r"|REPLACE\s+INTO)\b\s*(?:TABLE\s+)?(?:ONLY\s+)?(?:IF\s+(?:NOT\s+)?EXISTS\s+)?"
    r'"?([A-Za-z0-9_]*)',
    re.IGNORECASE,
)

# A statement that starts with a common table expression writes when it holds one of
# these (``WITH moved AS (DELETE …) INSERT …``); the values are parameters, never here.
_CTE = re.compile(r"\s*WITH\b", re.IGNORECASE)
_CTE_WRITE = re.compile(r"\b(?:INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)

_VARY_ALLOWED = {"cookie", "accept-language", "accept-encoding"}
_CACHE_CONTROL_REFUSED = {"private", "no-store", "no-cache"}
_CSRF_FIELD = b'name="csrfmiddlewaretoken"'


# --- The data version ---------------------------------------------------------------


def _new_token() -> str:
    return f"{time.time_ns():x}-{secrets.token_hex(4)}"


def current_version() -> str:
    """The data version pages are cached under (made when there is none yet)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _new_token(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump() -> None:
    """A new data version: every page cached so far is left behind."""
    try:
        cache.set(VERSION_KEY, _new_token(), timeout=None)
    except Exception:  # noqa: BLE001 - a cache outage must not undo a committed write
        logger.exception(
            "Could not bump the page cache's data version; cached pages may show old "
            "data for up to PAGE_CACHE_SECONDS."
        )


def _is_pending(connection) -> bool:
    """True when ``connection``'s open transaction has written and bumps on commit.

    Django only appends to ``run_on_commit`` or replaces it with a new list (commit,
    rollback, savepoint rollback): while it is the list our bump was found in, the bump
    is still there, so a transaction of many writes does not search it each time."""
    if getattr(connection, "_pagecache_pending", None) is connection.run_on_commit:
        return True
    if any(entry[1] is bump for entry in connection.run_on_commit):
        connection._pagecache_pending = connection.run_on_commit
        return True
    return False


def _written(connection) -> None:
    if connection.in_atomic_block:
        if not _is_pending(connection):
            connection.on_commit(bump)
            connection._pagecache_pending = connection.run_on_commit
    else:
        # Autocommit: the statement is committed already (or, without autocommit and
        # outside atomic(), will be with the next commit: bump now and the reader may
        # cache old data under the new version for a moment; nothing in the portal
        # manages transactions by hand).
        bump()


def _sql_text(sql) -> str:
    return sql if isinstance(sql, str) else str(sql)


def _watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    text = _sql_text(sql)
    match = _WRITE.match(text)
    if match:
        if match.group(1).lower() not in IGNORED_TABLES:
            _written(context["connection"])
    elif _CTE.match(text) and _CTE_WRITE.search(text):
        _written(context["connection"])
    return result


_watched: "weakref.WeakSet[object]" = weakref.WeakSet()


def watch(connection, **kwargs) -> None:
    """Install the write watcher on ``connection`` (once; ``connection_created``)."""
    if connection not in _watched:
        _watched.add(connection)
        connection.execute_wrappers.append(_watch_writes)


def watch_all() -> None:
    """Watch every configured database connection of this thread, opened or not, and
    every one opened later."""
    from django.db.backends.signals import connection_created

    connection_created.connect(watch, dispatch_uid="pagecache.watch")
    for connection in connections.all(initialized_only=True):
        watch(connection)
    # make run: a changed template (or any watched file) shows on the next request too.
    from django.utils.autoreload import file_changed

    file_changed.connect(_file_changed, dispatch_uid="pagecache.file_changed")


def _file_changed(sender, file_path, **kwargs):
    bump()
    # None: the autoreloader goes on as it would (restarts for code, not for templates).


def _writes_pending() -> bool:
    """True while this thread's connections have uncommitted writes (only inside a
    test's transaction: a request in production runs outside one). A page read then
    could show data no other connection sees, or miss it: the cache stays out."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block and _is_pending(connection):
            return True
    return False


# --- The middleware -----------------------------------------------------------------


def _enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def _cacheable_request(request) -> str | None:
    """The language of a request the cache may answer, or None."""
    if request.method != "GET":
        return None
    cookies = request.COOKIES
    if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
        return None
    if "HTTP_AUTHORIZATION" in request.META:
        return None
    return translation.get_language_from_path(request.path_info)


def page_key(request, language: str) -> str:
    address = "\n".join(
        [
            language,
            request.scheme,
            request.get_host(),
            request.get_full_path(),
            timezone.localdate().isoformat(),
        ]
    )
    digest = hashlib.sha256(address.encode("utf-8", "surrogateescape")).hexdigest()
    return f"{PAGE_KEY_PREFIX}:{digest}"


def storable(request, response) -> bool:
    """True when ``response`` is the same for every visitor and holds no secret."""
    if response.status_code != 200 or response.streaming:
        return False
    if not response.get("Content-Type", "").startswith("text/html"):
        return False
    if response.cookies or response.has_header("Content-Encoding"):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get("CSRF_COOKIE_USED"):
        return False
    cache_control = {
        part.strip().split("=")[0].lower()
        for part in response.get("Cache-Control", "").split(",")
        if part.strip()
    }
    if cache_control & _CACHE_CONTROL_REFUSED:
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    if vary - _VARY_ALLOWED or "*" in vary:
        return False
    if len(response.content) > settings.PAGE_CACHE_MAX_BYTES:
        return False
    # Belt and braces: a form token that reached the body some other way.
    return _CSRF_FIELD not in response.content


def _entry(response, version: str) -> dict:
    body = response.content
    headers = {
        name: value
        for name, value in response.items()
        if name.lower() not in {"content-length", "etag", "last-modified", "cache-control"}
    }
    gzipped = compress_string(body) if len(body) >= 200 else None
    return {
        "version": version,
        "headers": headers,
        "body": body,
        "gzip": gzipped if gzipped is not None and len(gzipped) < len(body) else None,
        "etag": f'W/"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"',
        "made": time.time(),
    }


def _accepts_gzip(request) -> bool:
    return "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", "").lower()


def _response(request, entry):
    from django.http import HttpResponse

    compressed = entry["gzip"] is not None and _accepts_gzip(request)
    response = HttpResponse(entry["gzip"] if compressed else entry["body"])
    for name, value in entry["headers"].items():
        response[name] = value
    if compressed:
        response["Content-Encoding"] = "gzip"
    response["Content-Length"] = str(len(response.content))
    response["ETag"] = entry["etag"]
    response["Last-Modified"] = http_date(entry["made"])
    response["Cache-Control"] = f"public, max-age={settings.PAGE_BROWSER_MAX_AGE}"
    # One copy per cookie header and encoding in any cache on the way: a request with
    # a session cookie must never get the visitors' copy from a proxy either.
    patch_vary_headers(response, ("Cookie", "Accept-Encoding"))
    conditional = get_conditional_response(
        request, etag=entry["etag"], last_modified=int(entry["made"]), response=response
    )
    return conditional


class AnonymousPageCacheMiddleware:
    """Answer visitors' GETs of public pages from the page cache, and store the pages
    that may be stored (see the module's docstring for the rules and for BREACH).

    Placed after SecurityMiddleware (HTTPS redirect first) and whitenoise, before the
    session: a hit costs one cache round trip and no database query; the middleware
    outside it (security headers, HSTS, CSP) still sees the answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = _cacheable_request(request) if _enabled() else None
        if language is None or _writes_pending():
            return self.get_response(request)
        try:
            key = page_key(request, language)
            # One round trip: the data version and the page, which is served only if it
            # was made under that version.
            found = cache.get_many([VERSION_KEY, key])
            version = found.get(VERSION_KEY) or current_version()
            entry = found.get(key)
        except DisallowedHost:
            return self.get_response(request)  # CommonMiddleware answers 400
        except Exception:  # noqa: BLE001 - no cache: serve the page uncached
            logger.exception("The page cache cannot be read; serving uncached.")
            return self.get_response(request)
        if entry is not None and entry["version"] == version:
            return _response(request, entry)
        response = self.get_response(request)
        if not storable(request, response):
            return response
        # Made under the version read before the view ran: if a write committed since,
        # the version has moved on and this entry is never served.
        entry = _entry(response, version)
        try:
            cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
        except Exception:  # noqa: BLE001
            logger.exception("The page cache cannot be written.")
        return _response(request, entry)


@register(Tags.caches, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """In production the data version must be shared by every process (gunicorn's
    workers, the Celery worker): a cache in local memory is per process."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PAGE_CACHE_SECONDS > 0 and backend.endswith("LocMemCache"):
        return [
            Warning(
                "The page cache keeps its data version in local memory, per process: a "
                "change made in one gunicorn worker or a Celery task would not reach "
                "the pages the other processes have cached.",
                hint="Set CACHE_URL (or REDIS_URL) to a Redis database, or "
                "PAGE_CACHE_SECONDS=0 to serve every page uncached.",
                id="malardal.W010",
            )
        ]
    return []
