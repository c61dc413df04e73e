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
