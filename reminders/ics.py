"""The .ics a meeting reminder attaches. One function, so where calendar data comes from
can change in one place; today it is the events app's own feed code (events/ics.py)."""

from django.utils import translation

from events.models import Event


def event_ics(event: Event, *, language: str) -> bytes:
    """A VCALENDAR with `event` alone, its texts in `language`."""
    from events.ics import calendar_for

    with translation.override(language):
        name = event.title
    return calendar_for([event], language=language, name=name)


def event_cancellation_ics(event: Event, *, language: str, attendee: str = "") -> bytes:
    """A VCALENDAR with METHOD:CANCEL for `event`, for the cancellation mail."""
    from events.ics import cancellation_for

    return cancellation_for(event, language=language, attendee=attendee)
