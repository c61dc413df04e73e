"""Browser fixtures: Debian's Chromium driven by Playwright, axe-core from an installed
package, the data the accessibility tests browse, and the checks they run on a page.

Nothing here is fetched at test time: Chromium is the system's (tests.services), and
axe.min.js is the copy shipped inside the axe-playwright-python wheel (a dev dependency
in pyproject.toml).
"""

import datetime
import functools
import importlib.util
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib.resources import files
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from members import roles
from tests.factories import (
    ActivityFactory,
    BodyFactory,
    EventFactory,
    GoalFactory,
    PersonFactory,
    PlanFactory,
    RoleFactory,
    SectionFactory,
    UserFactory,
)
from tests.services import CHROMIUM_ARGS, require_chromium, unavailable

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
LANGUAGES = ("sv", "en")
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Pages are checked at a desktop size, and again 320 px wide: WCAG 1.4.10 asks that
# content reflows there without scrolling sideways.
VIEWPORT = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 800}


@functools.cache
def axe_source() -> str:
    return (files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


def pytest_configure(config):
    # pytest-django's live_server listens on "localhost" unless told otherwise; these
    # tests assert that pages ask nothing of any host but 127.0.0.1, so serve there.
    if not config.getvalue("liveserver") and not os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS"):
        config.option.liveserver = "127.0.0.1"


# ---- The browser ----------------------------------------------------------------------


class BrowserThread:
    """Debian's Chromium, driven by Playwright from a thread of its own.

    Playwright's sync API keeps an asyncio loop running in the thread that starts it,
    and Django refuses database calls from such a thread; the test's fixtures use the
    database in the main thread. So every Playwright call goes through ``run``, which
    hands it to the one browser thread and waits for the answer."""

    def __init__(self, executable: str):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._playwright = None
        self.browser = self.run(self._start, executable)

    def _start(self, executable: str):
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        return self._playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)

    def run(self, function, *args, **kwargs):
        return self._pool.submit(function, *args, **kwargs).result()

    def close(self) -> None:
        def stop():
            self.browser.close()
            self._playwright.stop()

        try:
            self.run(stop)
        finally:
            self._pool.shutdown()


@pytest.fixture(scope="session")
def chromium():
    """One headless Debian Chromium for the whole run (``playwright install`` is never
    used: it would download a browser)."""
    executable = require_chromium()
    for module in ("playwright", "axe_playwright_python"):
        if importlib.util.find_spec(module) is None:
            unavailable(f"{module} is not installed (pip install -e '.[dev]')")
    browser = BrowserThread(executable)
    yield browser
    browser.close()


@dataclass
class BrowserTab:
    """One browser context (a role, with or without JavaScript) and its one page, reused
    for every page type; ``requests`` holds every URL the page asked for since the last
    ``goto``."""

    context: object
    page: object
    requests: list = field(default_factory=list)

    def goto(self, url: str):
        self.requests.clear()
        return self.page.goto(url, wait_until="load")


def open_tab(browser, *, javascript: bool = True, viewport: dict = VIEWPORT) -> BrowserTab:
    context = browser.new_context(
        java_script_enabled=javascript,
        viewport=viewport,
        # The portal registers no service worker; blocking them keeps every request the
        # page makes in sight of the "request" event below.
        service_workers="block",
    )
    page = context.new_page()
    tab = BrowserTab(context=context, page=page)
    context.on("request", lambda request: tab.requests.append(request.url))
    return tab


def log_in(tab: BrowserTab, base_url: str, username: str) -> None:
    """Log in through the site's own login page, as a person would: the form works with
    JavaScript off too."""
    tab.goto(f"{base_url}/sv/accounts/login/")
    tab.page.fill("input[name=username]", username)
    tab.page.fill("input[name=password]", PASSWORD)
    with tab.page.expect_navigation():
        tab.page.click("main button[type=submit]")
    # The header's account menu shows who is logged in.
    assert tab.page.locator(".account-menu form").count() == 1, (
        f"logging in as {username} failed: {tab.page.url}"
    )


# ---- The checks on one page --------------------------------------------------------------


def axe_violations(page, *, rules: list[str] | None = None) -> list[dict]:
    """Run axe-core's WCAG 2.1 A and AA rules (or only `rules`) on the page.

    page.evaluate() runs through the DevTools protocol, which the portal's
    Content-Security-Policy (no inline scripts) does not govern, so the page needs no
    test-only CSP bypass. It needs JavaScript on: axe-core's checks run as promises."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_TAGS}
    result = page.evaluate(
        """options => axe.run(document, options)""",
        {"runOnly": only, "resultTypes": ["violations"]},
    )
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"][:6]:
            html = " ".join(node["html"].split())
            if len(html) > 200:
                html = html[:197] + "..."
            summary = " ".join((node.get("failureSummary") or "").split())
            lines.append(f"    at {' '.join(map(str, node['target']))}\n      {html}")
            if summary:
                lines.append(f"      {summary}")
        if len(violation["nodes"]) > 6:
            lines.append(f"    … and {len(violation['nodes']) - 6} more")
    return "\n".join(lines)


# The focused element: is it on screen, does it carry a focus indicator (an outline or
# a box-shadow), where is it in document order, and is it a link to <main>?
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return null;
  const style = getComputedStyle(el);
  const rect = el.getBoundingClientRect();
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
  const shadow = !!style.boxShadow && style.boxShadow !== "none";
  const all = Array.from(document.querySelectorAll("*"));
  const main = document.querySelector("main, [role=main]");
  const href = el.getAttribute("href") || "";
  const target = href.startsWith("#") && href.length > 1
    ? document.getElementById(decodeURIComponent(href.slice(1))) : null;
  const classes = typeof el.className === "string" && el.className.trim()
    ? "." + el.className.trim().split(/\\s+/).join(".") : "";
  const text = (el.innerText || el.value || el.getAttribute("aria-label") || "").trim();
  // The element whose colour the visible text has: the focused element, or for a
  // control whose own text is visually hidden (an icon button), none.
  let shown = el;
  if (el.tagName !== "INPUT" && el.tagName !== "SELECT" && el.tagName !== "TEXTAREA") {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    shown = null;
    for (let n = walker.nextNode(); n && !shown; n = walker.nextNode()) {
      const box = n.parentElement.getBoundingClientRect();
      if (n.textContent.trim() && box.width > 1 && box.height > 1) shown = n.parentElement;
    }
  }
  // The focused text's contrast with the first opaque background behind it (axe-core
  // checks pages unfocused; a focus style can make a link unreadable).
  const rgba = value => (value.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  let background = null;
  for (let node = shown || el; node && node.nodeType === 1; node = node.parentElement) {
    const bg = rgba(getComputedStyle(node).backgroundColor);
    if (bg.length >= 3 && (bg.length === 3 || bg[3] > 0.9)) { background = bg; break; }
  }
  background = background || [255, 255, 255];
  const shownStyle = getComputedStyle(shown || el);
  const [lighter, darker] = [luminance(rgba(shownStyle.color)), luminance(background)]
    .sort((a, b) => b - a);
  const size = parseFloat(shownStyle.fontSize);
  const large = size >= 24 || (size >= 18.66 && parseInt(shownStyle.fontWeight) >= 700);
  return {
    contrast: shown && text && el.type !== "checkbox" && el.type !== "radio"
      ? Math.round((lighter + 0.05) / (darker + 0.05) * 100) / 100 : null,
    minimum: large ? 3 : 4.5,
    colours: shownStyle.color + " on rgb(" + background.slice(0, 3).join(", ") + ")",
    label: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes + " "
      + JSON.stringify(text.slice(0, 40)),
    index: all.indexOf(el),
    ring: outline || shadow,
    onScreen: rect.width > 0 && rect.height > 0 && rect.bottom > 0 && rect.right > 0
      && rect.top < window.innerHeight && rect.left < window.innerWidth,
    href: href,
    skipsToMain: !!target && target === main,
    isMain: el === main,
    mainIndex: all.indexOf(main),
  };
}"""


def _tab_through(page, stops: int, *, top: int | None = None) -> list[dict]:
    """Press Tab up to `stops` times; stop early when focus leaves the document or comes
    back round to the first stop of the page (document index `top`)."""
    states = []
    for _ in range(stops):
        page.keyboard.press("Tab")
        state = page.evaluate(FOCUS_STATE)
        if state is None:
            break
        if top is None:
            top = state["index"]
        elif state["index"] == top:
            break
        states.append(state)
    return states


def _stop_problems(states: list[dict]) -> list[str]:
    problems = []
    for previous, state in zip([None, *states], states, strict=False):
        if not state["ring"]:
            problems.append(f"no visible focus indicator on {state['label']}")
        if state["contrast"] is not None and state["contrast"] < state["minimum"]:
            problems.append(
                f"focused text has a contrast of {state['contrast']}:1 "
                f"({state['colours']}), below {state['minimum']}:1: {state['label']}"
            )
        if not state["onScreen"]:
            problems.append(f"focused but off screen: {state['label']}")
        if previous and state["index"] <= previous["index"]:
            problems.append(
                f"focus order goes back in the document: {previous['label']} → {state['label']}"
            )
    return problems


def keyboard_problems(page, *, stops: int = 12, fresh: bool = True) -> list[str]:
    """Keyboard use from a freshly loaded page (nothing focused yet): the first Tab
    focuses a visible skip link, and Enter on it moves focus to <main>. Tabbing from the
    top and onwards from <main>, every stop shows a focus indicator, is on screen, and
    comes after the previous one in document order (no tabindex > 0 reshuffling it).

    With ``fresh=False`` (a page that answered a form, perhaps scrolled to a fragment)
    only the stops from where the browser put the focus are checked."""
    problems = []
    from_top = _tab_through(page, stops)
    if not from_top:
        return ["Tab focuses nothing"]
    problems += _stop_problems(from_top)
    if not fresh:
        return problems
    first = from_top[0]
    if not first["skipsToMain"]:
        return [f"the first Tab focuses {first['label']}, not a skip link to <main>", *problems]

    # Reload rather than blur(): Chromium would remember where Tab left off.
    page.reload(wait_until="load")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    landed = page.evaluate(FOCUS_STATE)
    if not landed or not landed["isMain"]:
        label = landed["label"] if landed else "nothing"
        problems.append(f"the skip link ({first['href']}) moves focus to {label}, not <main>")
        return problems
    problems += _stop_problems([landed, *_tab_through(page, stops, top=first["index"])])
    return list(dict.fromkeys(problems))


# What sticks out to the right of the viewport: text (a word too long to wrap) and
# replaced elements, outside boxes that scroll on purpose (a wide table's wrapper).
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width) return [];
  const found = [];
  const scrolls = node => {
    for (let p = node.parentElement; p; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== "visible") return true;
    }
    return false;
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    if (!n.textContent.trim() || scrolls(n)) continue;
    const range = document.createRange();
    range.selectNodeContents(n);
    if ([...range.getClientRects()].some(r => r.right > width + 1)) {
      found.push(n.parentElement.tagName.toLowerCase() + " "
        + JSON.stringify(n.textContent.trim().slice(0, 50)));
    }
  }
  for (const el of document.querySelectorAll("body *")) {
    const rect = el.getBoundingClientRect();
    if (rect.right > width + 1 && rect.width > 0 && !scrolls(el)
        && ![...el.children].some(c => c.getBoundingClientRect().right > width + 1)) {
      found.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " (a box "
        + Math.round(rect.width) + " px wide)");
    }
  }
  return found.length ? found : ["something: the page is "
    + document.documentElement.scrollWidth + " px wide"];
}"""


def reflow_problems(page) -> list[str]:
    """At 320 px wide nothing makes the page scroll sideways (WCAG 1.4.10)."""
    found = list(dict.fromkeys(page.evaluate(OVERFLOW)))
    if not found:
        return []
    shown = ", ".join(found[:6]) + (f" and {len(found) - 6} more" if len(found) > 6 else "")
    return [f"at 320 px wide the page scrolls sideways; sticking out: {shown}"]


def foreign_requests(tab: BrowserTab, base_url: str) -> list[str]:
    """URLs the page asked for that are not on the portal's own host and port."""
    own = urlsplit(base_url)
    foreign = []
    for url in tab.requests:
        parts = urlsplit(url)
        if parts.scheme == "data":
            continue  # inline data never leaves the browser
        if (parts.scheme, parts.hostname, parts.port) != (own.scheme, own.hostname, own.port):
            foreign.append(url)
    return foreign


# ---- The data ---------------------------------------------------------------------------


@dataclass
class Portal:
    """What the page types need on top of the 2023 plan."""

    plan: object
    section: object
    activity: object
    goal: object
    archived_plan: object
    public_event: object
    members_event: object
    organisation: object
    body: object
    member: object
    board: object
    report_request: object
    reset_uidb64: str
    reset_token: str


@pytest.fixture
def portal(transactional_db) -> Portal:
    return build_portal()


def build_portal() -> Portal:
    """The 2023 plan as shipped, plus what it lacks: a member who owns activities and has
    reported on one twice (a status history), a board user, a members-only event open for
    registration and a public upcoming one (both linked to that activity), an archived
    2022 plan to compare with, roles in a body, and a finished report request."""
    from members.models import Body, Organisation
    from plan import services
    from plan.models import Plan, ReportingPeriod, Status

    call_command("load_plan_2023", verbosity=0)
    services.reporting_periods_create_missing()
    plan = Plan.objects.get(year=2023)

    member = UserFactory(
        username="a11y-medlem", first_name="Maria", last_name="Medlem", groups=[roles.MEMBER]
    )
    board = UserFactory(
        username="a11y-styrelse", first_name="Sven", last_name="Styrelse", groups=[roles.BOARD]
    )
    person = PersonFactory(first_name="Maria", last_name="Medlem", user=member)
    # Someone who never logs in during the test, so the reset link stays valid (a login
    # changes last_login, which the reset token is made from).
    forgetful = UserFactory(username="a11y-glomsk", groups=[roles.MEMBER])

    # A section with a few activities: its page lists them with owner and status.
    section = (
        plan.sections.annotate(n=Count("activities")).filter(n__gte=2).order_by("order").first()
    )
    owned = list(section.activities.order_by("order", "pk")[:2])
    for activity in owned:
        activity.owners.add(person)
    activity = owned[0]
    periods = list(ReportingPeriod.objects.filter(plan=plan).order_by("order", "pk"))
    services.status_update_create(
        activity=activity,
        period=periods[0],
        status=Status.objects.get(slug="on-track"),
        progress=40,
        comment="Arbetet har kommit i gång enligt plan.",
        by=member,
    )
    services.status_update_create(
        activity=activity,
        period=periods[1],
        status=Status.objects.get(slug="at-risk"),
        progress=55,
        comment="Remissvaren dröjer; tidplanen ses över.",
        by=member,
    )

    # A goal the activity contributes to, assessed twice, with an indicator that has a
    # baseline, a target and values: its page shows all of it (and a trend chart).
    from plan.models import AssessmentLevel, Indicator, IndicatorValue

    goal = activity.goals.order_by("activity_links__order").first()
    for period, slug, analysis in [
        (periods[0], "not-achieved", "Arbetet har inte kommit i gång."),
        (periods[1], "partly-achieved", "Hälften av åtgärderna är genomförda."),
    ]:
        services.goal_assessment_create(
            goal=goal,
            period=period,
            level=AssessmentLevel.objects.get(slug=slug),
            analysis=analysis,
            user=board,
        )
    indicator = Indicator.objects.create(
        slug="a11y-restid",
        name_sv="Andel pendlare med restid under 45 minuter",
        name_en="Share of commuters travelling under 45 minutes",
        unit_sv="procent",
        unit_en="per cent",
        goal=goal,
        baseline_value=55,
        baseline_year=2020,
        target_value=65,
        target_year=2030,
    )
    for year, value in [(2021, "56.5"), (2022, "58")]:
        IndicatorValue.objects.create(
            indicator=indicator, year=year, value=value, source_sv="SCB", source_en="SCB"
        )

    today = timezone.localdate()
    body = Body.objects.order_by("pk").first() or BodyFactory()
    public_event = EventFactory(
        slug="a11y-open-meeting",
        title_sv="Öppet temamöte om godstransporter",
        title_en="Open thematic meeting on freight transport",
        start_date=today + datetime.timedelta(days=20),
        end_date=today + datetime.timedelta(days=20),
        body=body,
    )
    members_event = EventFactory(
        slug="a11y-members-meeting",
        title_sv="Medlemsmöte om kompetensförsörjning",
        title_en="Members' meeting on competence supply",
        start_date=today + datetime.timedelta(days=40),
        end_date=today + datetime.timedelta(days=41),
        visibility="members",
        registration_open=True,
        body=body,
    )
    for event in (public_event, members_event):
        event.activities.add(activity)
        event.sections.add(section)

    for position in ("chair", "member", "deputy"):
        RoleFactory(body=body, position=position, person__organisation=person.organisation)

    archived_plan = PlanFactory(year=2022, status=Plan.Status.ARCHIVED)
    old_section = SectionFactory(plan=archived_plan, number="1", slug=section.slug)
    GoalFactory(section=old_section)
    ActivityFactory(section=old_section, text_sv=activity.text_sv, text_en=activity.text_en)

    report_request = services.report_request_create(
        plan=plan, format="csv", language="sv", by=board
    )
    report_request.refresh_from_db()

    # The plan's adoption and an amendment are recorded, so its version history shows a
    # diff (issue 10, point 1).
    secretariat = UserFactory(username="a11y-kansli", is_staff=True, groups=[roles.SECRETARIAT])
    decided = datetime.date(2022, 12, 8)
    services.plan_adopt(
        plan=plan,
        decided_on=decided,
        body="Mälardalsrådets styrelse",
        reference="§ 12",
        by=secretariat,
    )
    services.plan_amendment_start(plan=plan, by=secretariat)
    goal.text_sv = goal.text_sv + " Ändrat genom beslut."
    goal.text_en = goal.text_en + " Amended by decision."
    goal.save()
    services.plan_amendment_adopt(
        plan=plan,
        decided_on=decided + datetime.timedelta(days=90),
        body="Mälardalsrådets styrelse",
        reference="§ 31",
        by=secretariat,
    )
    plan.refresh_from_db()

    organisation = (
        Organisation.objects.filter(county__isnull=False).order_by("name_sv").first()
        or person.organisation
    )
    return Portal(
        plan=plan,
        section=section,
        activity=activity,
        goal=goal,
        archived_plan=archived_plan,
        public_event=public_event,
        members_event=members_event,
        organisation=organisation,
        body=body,
        member=member,
        board=board,
        report_request=report_request,
        reset_uidb64=urlsafe_base64_encode(force_bytes(forgetful.pk)),
        reset_token=default_token_generator.make_token(forgetful),
    )
