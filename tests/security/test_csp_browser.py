"""The Content-Security-Policy (no 'unsafe-inline') breaks nothing: a real browser opens
the site and every admin page — lists, forms, import and export — and reports no
violation, and the admin's scripts still work."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib import admin

from plan.models import Plan
from tests import factories
from tests.services import CHROMIUM_ARGS, require_chromium

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"

VIOLATION_LISTENER = """
document.addEventListener('securitypolicyviolation', e => console.error(
  'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' +
  (e.sourceFile || '') + ':' + e.lineNumber));
"""


def in_browser(steps):
    """Run ``steps(page)`` in a fresh Chromium in a thread of its own and return the
    CSP violations and script errors the page reported.

    A thread of its own: Playwright's sync API runs an event loop in the thread that
    starts it, where Django refuses database calls, and only one may run per thread —
    other browser tests may hold one in the main thread for the whole session.
    """
    chromium = require_chromium()
    playwright_api = pytest.importorskip("playwright.sync_api")

    def run():
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            try:
                context = browser.new_context()
                context.add_init_script(VIOLATION_LISTENER)
                page = context.new_page()
                problems = []
                page.on(
                    "console",
                    lambda m: (
                        m.type == "error"
                        and ("Content Security Policy" in m.text or "CSP violation" in m.text)
                        and problems.append((page.url, m.text))
                    ),
                )
                page.on("pageerror", lambda e: problems.append((page.url, str(e))))
                steps(page)
                return problems
            finally:
                browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


@pytest.fixture
def site_data(transactional_db):
    """What the pages show, made before the browser starts (the live server's thread
    reads it, so it is committed: transactional_db)."""
    factories.UserFactory(username="super", is_staff=True, is_superuser=True)
    factories.UserFactory(username="medlem", groups=["member"])
    factories.PlanFactory(year=2023)
    update = factories.StatusUpdateFactory()
    update.activity.owners.add(factories.PersonFactory())
    factories.GoalFactory(section=update.activity.section)
    factories.RoleFactory()
    factories.EventFactory()
    factories.IndicatorValueFactory()
    factories.PrioritisedMeasureFactory()
    factories.FreightMeasureFactory()
    factories.RailwayProgrammeFactory()
    factories.TrainingFacilityFactory()
    return update


def admin_model_urls():
    urls = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/sv/admin/{opts.app_label}/{opts.model_name}/"
        urls.append(base)
        if hasattr(model_admin, "import_action"):
            urls += [base + "import/", base + "export/"]
    return sorted(urls)


def log_in(page, live_server, username):
    page.goto(live_server.url + "/sv/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click(".account-form button[type=submit]")
    page.wait_for_load_state()


def test_every_admin_page_runs_under_the_policy(site_data, live_server):
    urls = admin_model_urls()
    opened = []

    def steps(page):
        log_in(page, live_server, "super")
        assert "/accounts/login/" not in page.url
        for url in ["/sv/admin/", *urls]:
            response = page.goto(live_server.url + url)
            assert response.status == 200, url
            opened.append(url)
            if re.fullmatch(r"/sv/admin/\w+/\w+/", url):
                first = page.query_selector("#result_list tbody tr th a")
                if first:
                    href = first.get_attribute("href")
                    assert page.goto(live_server.url + href).status == 200, href
                    opened.append(href)

    assert in_browser(steps) == []
    assert len(opened) > len(urls)


def test_admin_scripts_still_work(site_data, live_server):
    # An activity of a draft plan: an adopted plan is frozen since the adoption work
    # (plan/freeze.py), so its dates are read-only and carry no calendar shortcuts.
    draft = factories.ActivityFactory(section__plan__status=Plan.Status.DRAFT)
    draft.owners.add(factories.PersonFactory())
    activity_id = draft.pk

    def steps(page):
        log_in(page, live_server, "super")
        # Autocomplete (select2, fetching its choices as JSON) and the calendar shortcuts.
        page.goto(f"{live_server.url}/sv/admin/plan/activity/{activity_id}/change/")
        page.click(".field-owners .select2-selection")
        page.wait_for_selector(".select2-results__option")
        page.keyboard.press("Escape")
        page.click(".field-start_date .datetimeshortcuts a")
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", page.input_value("#id_start_date"))

        # The export page's "Select all" box (an inline handler upstream).
        page.goto(live_server.url + "/sv/admin/members/organisation/export/")
        boxes = ".selectable-field-export-row input[type=checkbox]:not(#select-all-toggle)"
        assert page.eval_on_selector_all(boxes, "els => els.every(e => e.checked)")
        page.click("#select-all-toggle")
        assert page.eval_on_selector_all(boxes, "els => els.every(e => !e.checked)")

        # The action bar's "select all".
        page.goto(live_server.url + "/sv/admin/plan/activity/")
        page.check("#action-toggle")
        assert page.is_visible(".actions .question, .actions .action-counter")

    assert in_browser(steps) == []


def test_the_site_runs_under_the_policy(site_data, live_server):
    def steps(page):
        for url in ["/sv/", "/en/", "/sv/plan/2023/", "/sv/accounts/login/"]:
            assert page.goto(live_server.url + url).status == 200, url
        log_in(page, live_server, "medlem")
        for url in ["/sv/", "/sv/accounts/password_change/"]:
            assert page.goto(live_server.url + url).status == 200, url
        page.click(".account-menu summary")  # the account menu (a <details>)
        page.click(".account-menu button[type=submit]")  # log out
        page.wait_for_load_state()
        assert page.query_selector(".account-menu a[href^='/sv/accounts/login/']")

    assert in_browser(steps) == []
