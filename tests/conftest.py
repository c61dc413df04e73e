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
