import pytest

from members import roles

from .factories import UserFactory


@pytest.fixture
def member_user(db):
    return UserFactory(username="medlem", groups=[roles.MEMBER])


@pytest.fixture
def board_user(db):
    return UserFactory(username="styrelse", groups=[roles.BOARD])


@pytest.fixture
def secretariat_user(db):
    """A secretariat user who is staff but not a superuser."""
    return UserFactory(username="kansli", is_staff=True, groups=[roles.SECRETARIAT])


@pytest.fixture(autouse=True)
def django_db_serialized_rollback():
    """Every transactional test starts from what the migrations leave — content types,
    permissions and the role groups — not from an empty database.

    This overrides pytest-django's fixture of the same name, which turns on serialized
    rollback for the tests that ask for it. Without it on everywhere, a test marked
    ``serialized_rollback=True`` ends with a flush that skips post_migrate, and the next
    transactional test finds no content types (while Django's content-type cache still
    has the old ids: saving anything that is audited or logged then fails on a foreign
    key), no permissions and no groups. It has no effect on tests using ``db``.
    """


@pytest.fixture(autouse=True)
def _site_language():
    """Every test starts in the site's first language (Swedish), whatever the test
    before it activated: a test that runs alone and in the suite sees the same."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


# What `make test-fast` leaves out: the suites that start browsers, workers or servers,
# build PDFs, run migrations, or sweep every page, form or admin of the site. `make test`
# (and CI) runs them all. Paths relative to tests/.
SLOW_PATHS = (
    "browser/",
    "security/test_csp_browser.py",
    "security/test_policies.py",
    "security/test_secret_lookups.py",
    "security/test_script_payloads.py",
    "security/test_permission_matrix.py",
    "ops/test_migrations.py",
    "ops/test_faults.py",
    "ops/test_backup.py",
    "api/test_schema_fuzz.py",
    "bench/",
    "plan/test_tagged_pdfs.py",
    "plan/test_goal_report.py",
    "plan/test_progress_figures.py",
    "plan/test_report_formats.py",
    "plan/test_reports.py",
    "plan/test_reports_worker.py",
    "reminders/test_worker.py",
    "reminders/test_serve_stack.py",
    "reminders/test_exactly_once.py",
)
SLOW_MARKERS = {"browser", "redis", "faults"}
# The whole-site sweeps run longer than the per-test limit in pyproject.toml.
SWEEP_TIMEOUT = 1800
SWEEPS = ("browser/test_accessibility.py", "security/test_policies.py")


def pytest_collection_modifyitems(config, items):
    tests_dir = config.rootpath / "tests"
    for item in items:
        try:
            path = item.path.relative_to(tests_dir).as_posix()
        except ValueError:
            continue
        marks = {mark.name for mark in item.iter_markers()}
        if path.startswith(SLOW_PATHS) or marks & SLOW_MARKERS:
            item.add_marker(pytest.mark.slow)
        if path.startswith(SWEEPS) and "timeout" not in marks:
            item.add_marker(pytest.mark.timeout(SWEEP_TIMEOUT))


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Every test starts with a new data version of the anonymous page cache
    (malardal/pagecache.py): no page cached by an earlier test, whose data was rolled
    back without a commit, is served to this one."""
    from malardal import pagecache

    pagecache.bump()
