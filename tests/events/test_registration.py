"""Members register for an event as attending or not attending, and change their answer."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone, translation

from events.models import Event, Registration
from events.services import registration_set

from ..factories import EventFactory, UserFactory
from .pages import html_of, text_of, url

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


@pytest.fixture
def event(db):
    return EventFactory(
        slug="malartinget",
        title_en="Mälartinget",
        start_date=days(20),
        end_date=days(21),
        registration_open=True,
    )


def radio(html, value) -> str:
    return re.search(rf'<input type="radio" name="response" value="{value}"[^>]*>', html).group(0)


def register(client, event, response, lang="en"):
    return client.post(url("events:event_register", lang, slug=event.slug), {"response": response})


def test_visitor_is_asked_to_log_in(client, event):
    html = html_of(client.get(url("events:event_detail", "en", slug=event.slug)))

    assert "Log in to register" in html
    assert 'name="response"' not in html


def test_visitor_post_goes_to_login_and_registers_nothing(client, event):
    response = register(client, event, "attending")

    assert response.status_code == 302
    assert "next=" in response["Location"]
    assert not Registration.objects.exists()


def test_member_registers_sees_the_answer_and_changes_it(client, event, member_user):
    client.force_login(member_user)
    page = html_of(client.get(url("events:event_detail", "en", slug=event.slug)))
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'type="radio" name="response" value="attending"' in page

    response = register(client, event, "attending")
    assert response.status_code == 302
    assert response["Location"].endswith("/en/events/malartinget/#registration")
    page = client.get(response["Location"])
    text = text_of(page)
    assert "Your answer: Attending" in text
    assert "Your answer is saved: you will attend." in text
    assert "checked" in radio(html_of(page), "attending")
    assert "checked" not in radio(html_of(page), "not_attending")

    register(client, event, "not_attending")
    registration = Registration.objects.get()
    assert (registration.user, registration.event) == (member_user, event)
    assert registration.response == Registration.Response.NOT_ATTENDING
    text = text_of(client.get(url("events:event_detail", "en", slug=event.slug)))
    assert "Your answer: Not attending" in text


def test_form_needs_the_csrf_token(event, member_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(member_user)

    response = register(client, event, "attending")

    assert response.status_code == 403
    assert not Registration.objects.exists()


def test_user_without_permission_cannot_register(client, event):
    client.force_login(UserFactory(username="plain"))

    page = text_of(client.get(url("events:event_detail", "en", slug=event.slug)))
    assert "Your account cannot register for events" in page
    assert register(client, event, "attending").status_code == 403
    assert not Registration.objects.exists()


def test_a_closed_or_past_event_takes_no_registrations(client, member_user):
    closed = EventFactory(start_date=days(5), end_date=None, registration_open=False)
    past = EventFactory(start_date=days(-5), end_date=None, registration_open=True)
    client.force_login(member_user)

    with translation.override("en"):
        assert "not open for registration" in text_of(client.get(closed.get_absolute_url()))
        assert "This event is over." in text_of(client.get(past.get_absolute_url()))
    for event in [closed, past]:
        response = register(client, event, "attending")
        assert response.status_code == 302
    assert not Registration.objects.exists()


def test_a_bad_answer_is_refused(client, event, member_user):
    client.force_login(member_user)

    register(client, event, "maybe")

    assert not Registration.objects.exists()


def test_members_only_event_is_404_for_those_who_cannot_see_it(client, event):
    event.visibility = Event.Visibility.MEMBERS
    event.save()
    client.force_login(UserFactory(username="plain"))

    assert register(client, event, "attending").status_code == 404


# -- the service -----------------------------------------------------------------------


def test_service_keeps_one_row_per_user_and_event(event, member_user):
    first = registration_set(event=event, user=member_user, response="attending")
    second = registration_set(event=event, user=member_user, response="not_attending")

    assert first.pk == second.pk
    assert Registration.objects.get().response == "not_attending"


def test_service_refuses_users_without_permission(event):
    with pytest.raises(PermissionDenied):
        registration_set(event=event, user=UserFactory(username="plain"), response="attending")


def test_service_refuses_hidden_closed_and_invalid(event, member_user):
    with pytest.raises(ValidationError):
        registration_set(event=event, user=member_user, response="maybe")
    event.registration_open = False
    event.save()
    with pytest.raises(ValidationError):
        registration_set(event=event, user=member_user, response="attending")
    assert not Registration.objects.exists()
