"""Events as iCalendar (RFC 5545) data: the public, per-body and personal feeds, and the
.ics a meeting reminder attaches.

- An event without a start time is an all-day event: DTSTART and DTEND are DATE values
  and DTEND is exclusive (the day after the last day), as RFC 5545 §3.6.1 says.
- An event with a start time is in Europe/Stockholm: DTSTART/DTEND carry
  ``TZID=Europe/Stockholm`` and the calendar gets the matching VTIMEZONE. Without an end
  time there is no DTEND (the event has no stated length).
- The UID is the event's stored ``uid``, set once (events made before it was stored kept
  the ``<slug>@malardalsportalen`` they had), so a calendar app updates an event instead
  of adding a copy when the feed changes, whatever is renamed.
- SEQUENCE is the event's revision (raised when time, place or status change),
  LAST-MODIFIED and CREATED its recorded times (left out where not recorded), DTSTAMP
  the moment the file was made. A cancelled event stays in feeds with STATUS:CANCELLED;
  ``cancellation_for`` makes the METHOD:CANCEL message sent to those registered.
- Text is made safe for content lines: SUMMARY, LOCATION and the calendar's name are one
  line (line breaks become spaces), DESCRIPTION keeps its line breaks (escaped as ``\n``
  by icalendar), and other control characters are removed (RFC 5545 §3.3.11).
- SUMMARY, DESCRIPTION and LOCATION are in the language asked for, and URL is the event's
  page in that language.
- Events without a date are left out of calendars; ``event_to_ical`` refuses them.
"""

import datetime
import re
from collections.abc import Iterable
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import UID_DOMAIN, Event

TIME_ZONE = ZoneInfo("Europe/Stockholm")
PRODID = "-//Mälardalsrådet//Mälardalsportalen//EN"

__all__ = ["UID_DOMAIN", "calendar_for", "cancellation_for", "event_to_ical", "event_uid"]

# Line and paragraph separators a title may carry in from a pasted text.
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x85\u2028\u2029]+")
# Control characters other than tab and line feed (RFC 5545 forbids them in TEXT).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def one_line(text: str) -> str:
    """`text` as one line: line breaks become a space, control characters go."""
    return " ".join(_CONTROL.sub("", _LINE_BREAKS.sub(" ", text or "")).split())


def multi_line(text: str) -> str:
    """`text` with LF line ends and no other control characters."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text.replace("\u2028", "\n").replace("\u2029", "\n\n"))


def event_uid(event: Event) -> str:
    return event.uid


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
        title = one_line(event.title)
        if event.is_cancelled:
            # Not every calendar app shows STATUS:CANCELLED; the title says it too.
            title = _("Cancelled: %(title)s") % {"title": title}
        place = one_line(event.place)
        description_parts = [
            multi_line(event.description).strip(),
            one_line(event.date_note),
            url,
        ]
        kind = str(event.get_kind_display())

    vevent = icalendar.Event()
    vevent.add("uid", event_uid(event))
    vevent.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    if event.created_at is not None:
        vevent.add("created", event.created_at.astimezone(datetime.UTC))
    if event.modified_at is not None:
        vevent.add("last-modified", event.modified_at.astimezone(datetime.UTC))
    vevent.add("sequence", event.sequence)
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
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


def calendar_for(
    events: Iterable[Event], *, language: str, name: str, method: str = "PUBLISH"
) -> bytes:
    """A whole VCALENDAR named `name` with the dated events of `events`, as bytes ready to
    send as ``text/calendar``. Undated events are skipped."""
    name = one_line(name)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
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


def cancellation_for(event: Event, *, language: str, attendee: str = "") -> bytes:
    """The message that tells a calendar to remove (strike out) `event`: METHOD:CANCEL
    with the event's UID, a higher SEQUENCE and STATUS:CANCELLED (RFC 5546 §3.2.5). The
    portal's sender address is the ORGANIZER and `attendee` (an e-mail address) the
    ATTENDEE, as mail programs expect of a cancellation."""
    from email.utils import parseaddr

    if event.start_date is None:
        raise ValueError(f"Event {event.slug!r} has no date and cannot go in a calendar.")
    with translation.override(language):
        name = one_line(event.title)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    vevent = event_to_ical(event, language=language)
    organizer = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    if organizer:
        vevent.add("organizer", f"mailto:{organizer}")
    if attendee:
        vevent.add("attendee", f"mailto:{attendee}")
    calendar.add_component(vevent)
    calendar.add_missing_timezones(first_date=event.start_date - datetime.timedelta(days=366))
    return calendar.to_ical()
