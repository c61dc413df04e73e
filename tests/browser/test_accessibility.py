"""Every page type, in Swedish and English, in a real browser (issue 3, points 5 and 6).

For each page type the URL configuration has, as the role that can see it:
- axe-core's WCAG 2.1 A and AA rules find nothing;
- <html lang> is the page's language and the <title> is the page's own;
- the first Tab focuses a visible skip link that moves focus to <main>, every Tab stop
  shows a focus indicator with readable text, and focus moves forward through the
  document;
- the page asks nothing of any host but the portal's;
- with JavaScript off the page shows the same <h1>, and 320 px wide it does not scroll
  sideways (WCAG 1.4.10).

Some page types are checked in a state a person brings about (a form sent with an
error); axe-core only sees what is on the page, so those states are pages of their own.

A page type added to the URL configuration without an entry in PAGE_TYPES (or a reason in
NOT_PAGES) fails test_every_page_type_is_checked_in_the_browser.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from .conftest import (
    LANGUAGES,
    NARROW,
    VIEWPORT,
    Portal,
    axe_violations,
    describe_violations,
    foreign_requests,
    keyboard_problems,
    log_in,
    open_tab,
    reflow_problems,
)

VISITOR, MEMBER, BOARD = "visitor", "member", "board"
# axe-core's WCAG rule whose outcome depends on the width, run again 320 px wide. (The
# others read the markup and the colours, which do not change with the width here.)
LAYOUT_RULES = ["scrollable-region-focusable"]


@dataclass(frozen=True)
class PageType:
    url_name: str | None  # None: a page that is not a URL pattern (the 404 page)
    role: str
    kwargs: Callable[[Portal], dict] = lambda p: {}
    query: str = ""
    path: str = ""  # for url_name None: the path after the language prefix
    status: int = 200
    # Something a person does on the page first (submit a form); the page that answers
    # is the one checked.
    act: Callable | None = None
    # The admin's login page keeps its site name in the header and has no <h1>.
    one_h1: bool = True


def submit(form: str = "main form", *, fill: dict | None = None, check: tuple = ()):
    """An act: fill in and tick fields of the first `form`, then press its submit
    button, as a person would (it works with JavaScript off too)."""

    def act(page):
        scope = page.locator(form).first
        for selector, value in (fill or {}).items():
            scope.locator(selector).first.fill(value)
        for selector in check:
            scope.locator(selector).first.check()
        with page.expect_navigation() as navigation:
            scope.locator("button[type=submit]").first.click()
        return navigation.value

    return act


PAGE_TYPES: dict[str, PageType] = {
    # The plan (plan/)
    "home": PageType("plan:home", VISITOR),
    "archive": PageType("plan:archive", VISITOR),
    "search": PageType("plan:search", VISITOR, query="?q=godstransport"),
    "plan": PageType("plan:plan_detail", VISITOR, lambda p: {"year": p.plan.year}),
    "section": PageType(
        "plan:section_detail", VISITOR, lambda p: {"year": p.plan.year, "slug": p.section.slug}
    ),
    "activity": PageType(
        "plan:activity_detail", VISITOR, lambda p: {"year": p.plan.year, "pk": p.activity.pk}
    ),
    "goal": PageType("plan:goal_detail", VISITOR, lambda p: {"year": p.plan.year, "pk": p.goal.pk}),
    "goal, with the board's assessment form": PageType(
        "plan:goal_detail", BOARD, lambda p: {"year": p.plan.year, "pk": p.goal.pk}
    ),
    "goal, an assessment with an error": PageType(
        "plan:goal_detail",
        BOARD,
        lambda p: {"year": p.plan.year, "pk": p.goal.pk},
        status=400,
        act=submit("main form.assessment-form", fill={"textarea": "Ingen nivå vald."}),
    ),
    "plan changes": PageType(
        "plan:plan_changes",
        VISITOR,
        lambda p: {"year": p.plan.year},
        query="?from=2022",
    ),
    "plan versions": PageType("plan:plan_versions", VISITOR, lambda p: {"year": p.plan.year}),
    # Follow-up (plan/views_followup.py)
    "my activities": PageType("plan:my_activities", MEMBER),
    "my activities, a report with an error": PageType(
        "plan:my_activities",
        MEMBER,
        status=400,
        act=submit("main form.report-form", fill={"input[type=number]": "150"}),
    ),
    "follow-up dashboard": PageType(
        "plan:followup_dashboard", BOARD, lambda p: {"year": p.plan.year}
    ),
    "follow-up report": PageType("plan:followup_report", BOARD, lambda p: {"year": p.plan.year}),
    "report requests": PageType("plan:report_requests", BOARD, lambda p: {"year": p.plan.year}),
    "report request": PageType(
        "plan:report_request_detail", BOARD, lambda p: {"pk": p.report_request.pk}
    ),
    # Events (events/)
    "events": PageType("events:event_list", VISITOR),
    "event": PageType("events:event_detail", VISITOR, lambda p: {"slug": p.public_event.slug}),
    "members' event with registration": PageType(
        "events:event_detail", MEMBER, lambda p: {"slug": p.members_event.slug}
    ),
    "members' event, answered": PageType(
        "events:event_detail",
        MEMBER,
        lambda p: {"slug": p.members_event.slug},
        act=submit("main form[action$='/register/']", check=("input[type=radio]",)),
    ),
    "my calendar": PageType("events:my_calendar", MEMBER),
    "my calendar, with its address": PageType(
        # Creates the address (or, once it exists, replaces it): the page then shows it.
        "events:my_calendar",
        MEMBER,
        act=submit(),
    ),
    # The member directory (members/)
    "directory": PageType("members:directory", VISITOR),
    "directory, searched without a result": PageType(
        "members:directory", VISITOR, query="?q=G%C3%B6teborg&kind=associated"
    ),
    "directory, a search refused": PageType(
        "members:directory", VISITOR, query="?county=99", status=400
    ),
    "directory, searched by typing": PageType(
        "members:directory", VISITOR, act=submit("form.filter-form", fill={"#id_q": "orebro"})
    ),
    "partners and arenas": PageType("members:partners", VISITOR, query="?year=2023"),
    "organisation": PageType(
        "members:organisation_detail", VISITOR, lambda p: {"slug": p.organisation.slug}
    ),
    "bodies": PageType("members:body_list", VISITOR),
    "body": PageType("members:body_detail", VISITOR, lambda p: {"slug": p.body.slug}),
    "body, as a member": PageType("members:body_detail", MEMBER, lambda p: {"slug": p.body.slug}),
    # The programmes (ebs/, ebm/)
    "En Bättre Sits": PageType("ebs:programme", VISITOR),
    "En Bättre Matchning": PageType("ebm:programme", VISITOR),
    # Open data (api/)
    "open data": PageType("open_data:page", VISITOR),
    # Logging in and passwords (accounts/)
    "login": PageType("login", VISITOR),
    "login, wrong password": PageType(
        "login",
        VISITOR,
        act=submit(fill={"input[name=username]": "nobody", "input[name=password]": "wrong"}),
    ),
    "password reset": PageType("password_reset", VISITOR),
    "password reset, not an address": PageType(
        "password_reset", VISITOR, act=submit(fill={"input[name=email]": "not an address"})
    ),
    "password reset sent": PageType("password_reset_done", VISITOR),
    "new password": PageType(
        "password_reset_confirm",
        VISITOR,
        lambda p: {"uidb64": p.reset_uidb64, "token": p.reset_token},
    ),
    "password reset complete": PageType("password_reset_complete", VISITOR),
    "password change": PageType("password_change", MEMBER),
    "password change, with errors": PageType("password_change", MEMBER, act=submit()),
    "password changed": PageType("password_change_done", MEMBER),
    # The pages a public body's site must have (about/)
    "accessibility statement": PageType("about:accessibility", VISITOR),
    "personal data": PageType("about:personal_data", VISITOR),
    "cookies": PageType("about:cookies", VISITOR),
    "contact": PageType("about:contact", VISITOR),
    # The admin is Django's own, but its login page is open to everyone.
    "admin login": PageType("admin:login", VISITOR, one_h1=False),
    # Not URL patterns of their own, but pages people reach.
    "not found": PageType(None, VISITOR, path="plan/1999/", status=404),
    # A NUL byte in the address: the site's 400 page (issue 11).
    "bad request": PageType(None, VISITOR, path="events/my/%00/feed.ics", status=400),
    "access denied": PageType(
        "plan:followup_dashboard", MEMBER, lambda p: {"year": p.plan.year}, status=403
    ),
}

# Named URL patterns that are not pages a person reads, and why.
NOT_PAGES = {
    "set_language": "the language switch's POST target; it redirects back",
    "logout": "a POST action (the account menu's button); it redirects",
    "plan:start": "where logging in leads: redirects each role to its work",
    "admin_password_reset": "the same page as password_reset, named for the admin's login",
    "plan:plan_document": "a PDF download",
    "plan:plan_document_docx": "a Word (DOCX) download",
    "plan:report_request_retry": "a POST action; it redirects to the request's page",
    "plan:report_current": "a POST action; it redirects to the follow-up page",
    "plan:report_request_download": "a file download",
    "events:feed": "an .ics calendar feed",
    "events:body_feed": "an .ics calendar feed",
    "events:personal_feed": "an .ics calendar feed",
    "events:event_ics": "an .ics file",
    "events:event_register": "a POST action; it redirects to the event's page",
    "documents:download": "a file download (PDF, DOCX, XLSX, ODT)",
}
# Django's admin is out of scope, except its login page (in PAGE_TYPES); the open-data
# API (api:) answers JSON, CSV and JSON-LD to programs, never a page.
NOT_PAGE_NAMESPACES = {"admin", "api"}


def named_url_patterns(resolver=None, namespace=""):
    """(name with namespace, namespace, pattern) for every pattern of the URL
    configuration; the name is None for a pattern that has none."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from named_url_patterns(pattern, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield name, namespace, pattern


def test_every_page_type_is_checked_in_the_browser():
    checked = {page.url_name for page in PAGE_TYPES.values()}
    unchecked, unnamed = [], []
    for name, namespace, pattern in named_url_patterns():
        if name in checked or name in NOT_PAGES:
            continue
        if namespace.split(":")[0] in NOT_PAGE_NAMESPACES:
            continue
        if name is None:
            unnamed.append(str(pattern.pattern))
        else:
            unchecked.append(name)
    assert not unnamed, f"URL patterns without a name cannot be checked: {unnamed}"
    assert not unchecked, (
        "These URL names have no browser check: add them to PAGE_TYPES in "
        f"{__name__} (or, if they are no page, to NOT_PAGES with the reason): {unchecked}"
    )


BAD_PAGE = """<!DOCTYPE html><html><head><title>Bad</title>
<style>a:focus { outline: none; } p { white-space: nowrap; }</style></head><body>
<a href="/elsewhere">A link before the content</a>
<main id="main"><h1>Bad page</h1>
<img src="https://cdn.example.org/logo.png" alt="">
<p>A line of text that does not wrap, so it is far wider than a phone.</p>
<a href="/x"></a></main></body></html>"""


@pytest.mark.browser
def test_the_checks_find_problems(chromium):
    """The checks are not vacuous: on a page with faults each one speaks up. Every
    request is answered inside the browser (page.route), so nothing leaves it."""

    def on_bad_page():
        tab = open_tab(chromium.browser)
        tab.context.route(
            "**/*",
            lambda route: route.fulfill(
                body=BAD_PAGE if route.request.url.endswith("/bad/") else "",
                content_type="text/html",
            ),
        )
        try:
            tab.goto("http://127.0.0.1:9/bad/")
            found = {
                "axe": [v["id"] for v in axe_violations(tab.page)],
                "foreign": foreign_requests(tab, "http://127.0.0.1:9"),
            }
            tab.page.set_viewport_size(NARROW)
            found["reflow"] = reflow_problems(tab.page)
            tab.page.set_viewport_size(VIEWPORT)
            found["keyboard"] = keyboard_problems(tab.page)
            return found
        finally:
            tab.context.close()

    found = chromium.run(on_bad_page)
    assert {"html-has-lang", "link-name"} <= set(found["axe"])
    assert found["foreign"] == ["https://cdn.example.org/logo.png"]
    assert found["reflow"] and "A line of text" in found["reflow"][0]
    keyboard = "\n".join(found["keyboard"])
    assert "not a skip link to <main>" in keyboard
    assert 'no visible focus indicator on a "A link before the content"' in keyboard


def page_url(base_url: str, page: PageType, portal: Portal, language: str) -> str:
    with translation.override(language):
        if page.url_name is None:
            path = f"/{language}/{page.path}"
        else:
            path = reverse(page.url_name, kwargs=page.kwargs(portal) or None)
    return f"{base_url}{path}{page.query}"


def registered(page: PageType) -> bool:
    """False for a page type whose URL is not in the URL configuration yet."""
    if page.url_name is None:
        return True
    names = {name for name, _namespace, _pattern in named_url_patterns()}
    return page.url_name in names


def check_page(tab, quiet, page: PageType, url: str, language: str, base: str):
    """Run every check on one page type in one language; return (problems, title)."""
    response = tab.goto(url)
    if page.act:
        response = page.act(tab.page)
    assert response.status == page.status, f"{url} answered {response.status}"
    problems = []

    violations = axe_violations(tab.page)
    if violations:
        problems.append(
            f"axe-core (WCAG 2.1 AA) found {len(violations)} violation(s):\n"
            + describe_violations(violations)
        )
    # A phone's width: nothing scrolls sideways (WCAG 1.4.10), and what does scroll (a
    # wide table's box) can be reached by keyboard.
    tab.page.set_viewport_size(NARROW)
    problems += reflow_problems(tab.page)
    narrow = axe_violations(tab.page, rules=LAYOUT_RULES)
    if narrow:
        problems.append(
            f"at 320 px wide, axe-core found {len(narrow)} more violation(s):\n"
            + describe_violations(narrow)
        )
    tab.page.set_viewport_size(VIEWPORT)

    lang = tab.page.evaluate("() => document.documentElement.lang")
    if lang != language:
        problems.append(f'<html lang="{lang}">, expected "{language}"')
    title = tab.page.title().strip()
    if not title or title.startswith("–"):
        problems.append(f"the <title> names no page: {title!r}")
    h1 = tab.page.locator("h1")
    if page.one_h1 and h1.count() != 1:
        problems.append(f"the page has {h1.count()} <h1> elements, expected 1")
    heading = h1.first.inner_text().strip() if h1.count() else None

    problems += keyboard_problems(tab.page, fresh=page.act is None)

    foreign = foreign_requests(tab, base)
    if foreign:
        problems.append(f"requests to other hosts: {foreign}")

    # The same page with JavaScript off.
    response = quiet.goto(url)
    if page.act:
        response = page.act(quiet.page)
    quiet_h1 = quiet.page.locator("h1")
    quiet_heading = quiet_h1.first.inner_text().strip() if quiet_h1.count() else None
    if response.status != page.status or quiet_heading != heading:
        problems.append(
            f"with JavaScript off: {response.status}, <h1> {quiet_heading!r} "
            f"(with it: {page.status}, {heading!r})"
        )
    foreign = foreign_requests(quiet, base)
    if foreign:
        problems.append(f"requests to other hosts with JavaScript off: {foreign}")
    return problems, title


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_page_type_in_both_languages(chromium, live_server, portal, subtests):
    """One browser context per role, with JavaScript and without, each reused for every
    page type; each page type and language is a subtest of its own."""
    base = live_server.url
    roles = (VISITOR, MEMBER, BOARD)
    tabs = {role: chromium.run(open_tab, chromium.browser) for role in roles}
    quiet = {role: chromium.run(open_tab, chromium.browser, javascript=False) for role in roles}
    try:
        for role, user in ((MEMBER, portal.member), (BOARD, portal.board)):
            chromium.run(log_in, tabs[role], base, user.username)
            chromium.run(log_in, quiet[role], base, user.username)

        titles = defaultdict(dict)  # language → {label: title}
        for label, page in PAGE_TYPES.items():
            if not registered(page):
                continue  # not built yet; the walker above covers what exists
            for language in LANGUAGES:
                url = page_url(base, page, portal, language)
                with subtests.test(msg=f"{label} /{language}/", url=url):
                    problems, title = chromium.run(
                        check_page, tabs[page.role], quiet[page.role], page, url, language, base
                    )
                    titles[language][label] = title
                    assert not problems, f"{url}\n" + "\n".join(problems)

        for language in LANGUAGES:
            with subtests.test(msg=f"titles differ between page types /{language}/"):
                by_title = defaultdict(list)
                for label, title in titles[language].items():
                    by_title[title].append(label)
                # Checks of one URL name (as another role, in another state) may share one.
                shared = {
                    title: labels
                    for title, labels in by_title.items()
                    if len({PAGE_TYPES[label].url_name for label in labels}) > 1
                }
                assert not shared, f"page types with the same <title>: {shared}"
    finally:
        for tab in [*tabs.values(), *quiet.values()]:
            chromium.run(tab.context.close)
