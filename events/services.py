"""Writes for events: registrations and the personal calendar token."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import CalendarToken, Event, Registration, _new_calendar_token
from .selectors import event_is_past

REGISTER_PERMISSION = "events.register_for_event"


@transaction.atomic
def registration_set(*, event: Event, user, response: str) -> Registration:
    """Record `user`'s answer to `event`: ``Registration.Response.ATTENDING`` or
    ``NOT_ATTENDING``. A second call changes the answer; it never adds a second row.

    Raises PermissionDenied when the user may not register (no
    ``events.register_for_event`` permission, or an event the user may not see), and
    ValidationError when the event is not open for registration, is over, or the response
    is not one of the choices.
    """
    if not user.is_authenticated or not user.has_perm(REGISTER_PERMISSION):
        raise PermissionDenied(_("You may not register for events."))
    if not Event.objects.visible_to(user).filter(pk=event.pk).exists():
        raise PermissionDenied(_("You may not register for this event."))
    if not event.registration_open:
        raise ValidationError(_("This event is not open for registration."))
    if event_is_past(event):
        raise ValidationError(_("This event is over."))

    # Lock the row (if any) so two quick submissions end as one registration.
    registration = Registration.objects.select_for_update().filter(
        event=event, user=user
    ).first() or Registration(event=event, user=user)
    registration.response = response
    registration.full_clean()
    registration.save()
    return registration


@transaction.atomic
def calendar_token_get_or_create(*, user) -> CalendarToken:
    """The user's calendar token, created on first use."""
    token, _created = CalendarToken.objects.get_or_create(user=user)
    return token


@transaction.atomic
def calendar_token_reset(*, user) -> CalendarToken:
    """Give the user a new calendar token. The old feed URL stops working at once."""
    token = CalendarToken.objects.select_for_update().filter(user=user).first()
    if token is None:
        token = CalendarToken(user=user)
    else:
        token.token = _new_calendar_token()
    token.full_clean()
    token.save()
    return token
