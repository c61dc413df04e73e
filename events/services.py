"""Writes for events: saving and cancelling an event, registrations and the personal
calendar token."""

import secrets

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from malardal.types import Actor

from .models import CalendarToken, Event, Registration, calendar_token_hash
from .selectors import event_is_past
from .signals import event_cancelled

REGISTER_PERMISSION = "events.register_for_event"


def _schedule_changed(stored: Event, event: Event) -> bool:
    return any(getattr(stored, f) != getattr(event, f) for f in Event.SCHEDULE_FIELDS)


@transaction.atomic
def event_save(*, event: Event) -> Event:
    """Save `event` (new or changed: the admin, imports). When an existing event's time,
    place or status changes, its ``sequence`` goes up by one, so calendars that hold the
    event replace their copy (RFC 5545 §3.8.7.4); other edits (texts, links) keep it.
    The change, the new sequence included, is in the audit trail (audit.recorder).

    The stored row is locked while comparing, so two editors saving at once each raise
    the sequence. Raises ValidationError when the event is not valid.
    """
    if event.pk is not None:
        stored = Event.objects.select_for_update().filter(pk=event.pk).first()
        if stored is not None:
            # The stored identity wins over whatever the form or file carried.
            event.uid = stored.uid
            event.sequence = stored.sequence
            event.created_at = stored.created_at
            if _schedule_changed(stored, event):
                event.sequence += 1
            if event.status == Event.Status.CANCELLED and stored.status != event.status:
                event.cancelled_at = timezone.now()
            elif event.status == Event.Status.CONFIRMED:
                event.cancelled_at = None
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_cancel(*, event: Event, by: Actor | None = None) -> bool:
    """Cancel `event`: it stays in every feed with STATUS:CANCELLED and a higher
    sequence, its page says it is cancelled, registration closes, and once the
    transaction commits everyone registered as attending is sent a cancellation with an
    .ics (METHOD:CANCEL) — the ``event_cancelled`` signal, which the reminders app
    handles. Returns False (and does nothing) when the event was cancelled already, so
    a second click sends nothing twice. `by` is the user who cancelled (for receivers;
    the audit trail takes the actor from the request).
    """
    stored = Event.objects.select_for_update().get(pk=event.pk)
    if stored.status == Event.Status.CANCELLED:
        event.refresh_from_db()
        return False
    stored.status = Event.Status.CANCELLED
    stored.cancelled_at = timezone.now()
    stored.registration_open = False
    stored.sequence += 1
    stored.full_clean()
    stored.save()
    event.refresh_from_db()
    event_cancelled.send(sender=Event, event=stored, by=by)
    return True


@transaction.atomic
def registration_set(*, event: Event, user: User, response: str) -> Registration:
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
    if event.is_cancelled:
        raise ValidationError(_("This event is cancelled."))
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
def calendar_token_issue(*, user: User) -> tuple[CalendarToken, str]:
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
