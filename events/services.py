"""Writes for events: registrations and the personal calendar token."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import CalendarToken, Event, Registration, calendar_token_hash
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
def calendar_token_issue(*, user) -> tuple[CalendarToken, str]:
    """Make `user` a new calendar token, replacing the one they had (whose feed URL
    stops working at once). Returns the row and the token itself: the caller shows it
    to the member this once; only its hash is stored.

    Raises PermissionDenied when the user may not register for events (the feed lists
    the events they said they will attend)."""
    if not user.is_authenticated or not user.has_perm(REGISTER_PERMISSION):
        raise PermissionDenied(_("You may not have a calendar feed."))
    raw = secrets.token_urlsafe(32)
    token = CalendarToken.objects.select_for_update().filter(user=user).first()
    if token is None:
        token = CalendarToken(user=user)
    token.token_hash = calendar_token_hash(raw)
    token.full_clean()
    token.save()
    return token, raw
