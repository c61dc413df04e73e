"""Events as iCalendar (RFC 5545) data: the public, per-body and personal feeds, and the
.ics a meeting reminder attaches.

- An event without a start time is an all-day event: DTSTART and DTEND are DATE values
  and DTEND is exclusive (the day after the last day), as RFC 5545 §3.6.1 says.
- An event with a start time is in Europe/Stockholm: DTSTART/DTEND carry
  ``TZID=Europe/Stockholm`` and the calendar gets the matching VTIMEZONE. Without an end
  time there is no DTEND (the event has no stated length).
- The UID is ``<slug>@malardalsportalen`` so a calendar app updates an event instead of
  adding a copy when the feed changes.
- SUMMARY, DESCRIPTION and LOCATION are in the language asked for, and URL is the event's
  page in that language.
- Events without a date are left out of calendars; ``event_to_ical`` refuses them.
"""

import datetime
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone, translation

from .models import Event

TIME_ZONE = ZoneInfo("Europe/Stockholm")
UID_DOMAIN = "malardalsportalen"
PRODID = "-//Mälardalsrådet//Mälardalsportalen//EN"


def event_uid(event: Event) -> str:
    return f"{event.slug}@{UID_DOMAIN}"


def event_url(event: Event, *, language: str) -> str:
    """The absolute address of the event's page in `language`."""
    with translation.override(language):
        return f"{settings.SITE_URL}{event.get_absolute_url()}"


def _start_end(event: Event) -> tuple[datetime.date, datetime.date | None]:
    last_day = event.end_date or event.start_date
    if event.start_time is None:
        return event.start_date, last_day + datetime.timedelta(days=1)
    start = datetime.datetime.combine(event.start_date, event.start_time, tzinfo=TIME_ZONE)
    if event.end_time is None:
        return start, None
    end = datetime.datetime.combine(last_day, event.end_time, tzinfo=TIME_ZONE)
    # A wrongly entered end time before the start would make an invalid event.
    return start, end if end > start else None


def event_to_ical(event: Event, *, language: str) -> icalendar.Event:
    """One VEVENT for `event`, with texts in `language` ("sv" or "en").

    Raises ValueError when the event has no start date: it cannot be put in a calendar.
    """
    if event.start_date is None:
        raise ValueError(f"Event {event.slug!r} has no date and cannot go in a calendar.")
    start, end = _start_end(event)
    url = event_url(event, language=language)
    with translation.override(language):
        title = event.title
        place = event.place
        description_parts = [event.description.strip(), event.date_note.strip(), url]
        kind = str(event.get_kind_display())

    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    vevent.add("dtstart", start)
    if end is not None:
        vevent.add("dtend", end)
    vevent.add("summary", title)
    vevent.add("description", "\n\n".join(part for part in description_parts if part))
    if place:
        vevent.add("location", place)
    vevent.add("url", url)
    vevent.add("categories", [kind])
    if event.visibility == Event.Visibility.MEMBERS:
        vevent.add("class", "PRIVATE")
    return vevent


def calendar_for(events: Iterable[Event], *, language: str, name: str) -> bytes:
    """A whole VCALENDAR named `name` with the dated events of `events`, as bytes ready to
    send as ``text/calendar``. Undated events are skipped."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    first_day = None
    for event in events:
        if event.start_date is None:
            continue
        calendar.add_component(event_to_ical(event, language=language))
        first_day = min(first_day or event.start_date, event.start_date)
    if first_day is not None:
        # Only the time zone rules from the first event on, so the feed stays small.
        calendar.add_missing_timezones(first_date=first_day - datetime.timedelta(days=366))
    return calendar.to_ical()
