"""Bad input never gives a 500 (issue 11, point 6).

`test_no_url_pattern_answers_5xx` walks every URL pattern of the URL configuration
(the portal's and the admin's, under /sv/ and /en/) with sample arguments from the
permission matrix's test data, and sends each hostile value below once as the pattern's
path parts, once in every query parameter any page reads, and once in every field of
every form the page shows (and of the POSTs the permission matrix makes), as a visitor
and as a logged-in member. No answer may be a 5xx. The middleware that turns control
characters and invalid UTF-8 into a 400 is tested on its own first, in both languages.
"""

import re
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, Resolver404, URLPattern, URLResolver, get_resolver, reverse
from django.urls import resolve as django_resolve
from django.utils import translation

from . import test_permission_matrix as matrix
from .world import admin_object, build_world

# Each value as it is written into a URL or a form body (already percent-encoded), so
# that invalid UTF-8 escapes reach the server as they are.
HOSTILE = {
    "NUL": "%00",
    "RTL override": quote("\u202eevil"),
    "10,000 characters": "x" * 10_000,
    "overlong UTF-8 %C0%AF": "%C0%AF",
    "invalid UTF-8 %FF": "%FF",
    "negative": "-1",
    "huge number": "99999999999999999999",
}
# Every query parameter a page of the portal or the admin reads.
QUERY_KEYS = [
    "q", "year", "from", "next", "page", "p", "o", "e", "all", "format", "language",
    "term", "app_label", "model_name", "field_name", "_changelist_filters", "_popup",
    "_to_field", "status__exact", "plan__year",
]  # fmt: skip
ROLES = ("visitor", "member")


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The permission matrix's world, built once and rolled back at the end."""
    media = tmp_path_factory.mktemp("media")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock():
        with transaction.atomic():
            world = build_world()
            yield world
            transaction.set_rollback(True)


@pytest.fixture
def world(shared_world, db):
    return shared_world


# --- The middleware on its own -------------------------------------------------------


@pytest.mark.parametrize("language", ["sv", "en"])
@pytest.mark.parametrize(
    "path",
    [
        "/{lang}/events/my/%00/feed.ics",
        "/{lang}/events/my/%C0%AF/feed.ics",
        "/{lang}/search/?q=%00",
        "/{lang}/search/?q=ok&%FF=1",
        "/{lang}/search/?q=a%0Ab",
        "/{lang}/plan/%1B[31m/",
    ],
)
def test_control_characters_and_bad_utf8_get_the_sites_400_page(client, db, path, language):
    response = client.get(path.format(lang=language))
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    heading = {"sv": "Felaktig begäran", "en": "Bad request"}[language]
    assert f"<h1>{heading}</h1>" in html
    assert '<main id="main"' in html and "css/portal.css" in html
    assert response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "body",
    [b"q=%00", b"comment=ok%00", b"comment=%C0%AF", b"%FF=1", b"comment=\x01"],
)
def test_bad_form_fields_get_a_400(client, member_user, body):
    client.force_login(member_user)
    response = client.post(
        "/sv/my/activities/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "<h1>Felaktig begäran</h1>" in response.content.decode()


def test_bad_multipart_fields_get_a_400(client, member_user):
    client.force_login(member_user)
    response = client.post("/en/my/activities/", {"comment": "a\x00b"})
    assert response.status_code == 400
    assert "<h1>Bad request</h1>" in response.content.decode()


def test_line_breaks_and_tabs_in_form_fields_are_fine(client, member_user):
    """A textarea's text has line breaks: they reach the form, which judges them."""
    client.force_login(member_user)
    response = client.post(
        "/en/my/activities/",
        b"activity=1&comment=line+one%0D%0Aline%09two",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code != 400 or b"Bad request</h1>" not in response.content


def test_a_nul_in_the_personal_feed_path_is_a_400_not_a_database_error(client, db):
    """Issue 11: on PostgreSQL this was a 500 (NUL in a text lookup)."""
    response = client.get("/sv/events/my/%00/feed.ics")
    assert response.status_code == 400


# --- Every URL pattern ---------------------------------------------------------------


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        else:
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield prefix + str(pattern.pattern), name, pattern


def all_patterns():
    """(route without the language prefix, name) of every pattern; the routes are the
    same under /sv/ and /en/ (checked here), so each is tried in both languages."""
    by_language = {}
    for language in ("sv", "en"):
        with translation.override(language):
            by_language[language] = [
                (route.removeprefix(f"{language}/"), name)
                for route, name, _ in _walk(get_resolver().url_patterns)
            ]
    assert by_language["sv"] == by_language["en"]
    return by_language["sv"]


PATTERNS = all_patterns()
_ADMIN_NAMES = {}
for _model, _model_admin in admin.site._registry.items():
    for _p in _model_admin.urls:
        if isinstance(_p, URLPattern) and _p.name:
            _ADMIN_NAMES[f"admin:{_p.name}"] = _model


def _converters(route):
    return re.findall(r"<(?:(\w+):)?(\w+)>", route)


def sample_kwargs(world, name, route):
    """Arguments that make the pattern a real page of the test data."""
    wanted = {arg for _conv, arg in _converters(route)}
    if not wanted:
        return {}
    for case in matrix.PAGES.get(name, []):
        kwargs = case.kwargs(world)
        if set(kwargs) == wanted:
            return kwargs
    model = _ADMIN_NAMES.get(name)
    if model is not None:
        obj = admin_object(world, model)
        return {arg: obj.pk for arg in wanted}
    if "app_label" in wanted:
        return {"app_label": "plan"}
    return {arg: "1" for arg in wanted}


def build_path(language, route, values: dict) -> str:
    """The route with each ``<conv:name>`` replaced by its (already encoded) value."""
    if route.endswith("$") or "(?P<" in route:  # the admin's catch-all regex
        return f"/{language}/admin/{values.get('url', 'x')}/"
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)
    return "/" + path if route.startswith("i18n/") else f"/{language}/{path}"


class FormFields(HTMLParser):
    """The POST forms of a page: their action and the names of their fields."""

    def __init__(self):
        super().__init__()
        self.forms = []
        self._current = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._current = (attrs.get("action") or "", set())
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea", "button") and self._current is not None:
            if attrs.get("name") and attrs["name"] != "csrfmiddlewaretoken":
                self._current[1].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _pattern_id(item):
    return item[0] or "(root)"


def _client(world, role):
    client = Client(raise_request_exception=False)
    if role == "member":
        # The member who owns an activity: their pages have the most forms (the
        # follow-up report form of "my activities" too).
        client.force_login(world.users["owner"])
    return client


def _body(fields, value):
    return "&".join(f"{quote(field)}={value}" for field in sorted(fields)).encode()


def _targets(client, page_path, name, world, language):
    """POST targets reached from this page: {path: field names}."""
    targets = {}
    response = client.get(page_path)
    if response.status_code == 200 and "html" in response.get("Content-Type", ""):
        parser = FormFields()
        parser.feed(response.content.decode())
        for action, fields in parser.forms:
            target = urlsplit(action).path or page_path
            if target.startswith("/"):
                targets.setdefault(target, set()).update(fields)
    for case in matrix.PAGES.get(name, []):
        if case.method == "post":
            with translation.override(language):
                try:
                    path = reverse(name, kwargs=case.kwargs(world))
                except NoReverseMatch:
                    continue
            targets.setdefault(path, set()).update(str(k) for k in case.data(world))
    # Only the targets that belong to this pattern: each form is tried from its own.
    own = {}
    for path, fields in targets.items():
        try:
            match = django_resolve(path)
        except Resolver404:
            continue
        if match.view_name == name or (name is None and path == page_path):
            own[path] = fields
    return own


def _page(language, route, name, kwargs):
    with translation.override(language):
        if name and not route.endswith("$"):
            try:
                return reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                pass
        return build_path(language, route, {**kwargs, "url": "no-such-page"})


@pytest.mark.parametrize("item", PATTERNS, ids=[_pattern_id(p) for p in PATTERNS])
def test_no_url_pattern_answers_5xx(world, item):
    """One request per hostile value, role and kind (path, query, each form): the
    values take turns between /sv/ and /en/, so both languages see every pattern."""
    route, name = item
    kwargs = sample_kwargs(world, name, route)
    arguments = [arg for _conv, arg in _converters(route)] or (
        ["url"] if "(?P<url>" in route else []
    )
    failures = []

    def check(role, method, url, response):
        if response.status_code >= 500:
            failures.append(f"{method} {url[:150]} as {role}: {response.status_code}")

    for role in ROLES:
        client = _client(world, role)
        targets = {}
        for language in ("sv", "en"):
            page = _page(language, route, name, kwargs)
            with translation.override(language):
                targets[language] = (page, _targets(client, page, name, world, language))
        for index, (label, value) in enumerate(HOSTILE.items()):
            language = ("sv", "en")[index % 2]
            page, forms = targets[language]
            # The path's parts (or, without any, one more segment).
            if arguments:
                hostile_path = build_path(language, route, dict.fromkeys(arguments, value))
            else:
                hostile_path = page.rstrip("/") + f"/{value}/"
            check(role, "GET", hostile_path, client.get(hostile_path))
            # Every query parameter.
            query = "&".join(f"{key}={value}" for key in QUERY_KEYS)
            check(role, "GET", f"{page}?{query}", client.get(f"{page}?{query}"))
            # Every form field.
            for target, fields in forms.items():
                if not fields:
                    continue
                response = client.post(
                    target, _body(fields, value), content_type="application/x-www-form-urlencoded"
                )
                check(role, "POST", f"{target} [{label}]", response)
                user = getattr(response.wsgi_request, "user", None)
                if role == "member" and user is not None and not user.is_authenticated:
                    client = _client(world, role)  # logged out by the form: log in again
    assert not failures, "\n".join(failures)
