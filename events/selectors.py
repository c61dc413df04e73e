"""Reads for the event pages and feeds.

Visibility is decided in one place, ``Event.objects.visible_to(user)``: members-only
events never reach a visitor or a user without ``events.view_members_only_event``.
Every selector runs a fixed number of queries whatever the number of events.
"""

import datetime
import hmac
from dataclasses import dataclass

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone

from members.models import Body
from plan.models import Activity, Section
from plan.selectors import plans_visible_to

from .models import (  # noqa: F401  (past_q and upcoming_q: read here by other apps)
    CalendarToken,
    Event,
    Registration,
    calendar_token_hash,
    past_q,
    upcoming_q,
)


def today() -> datetime.date:
    return timezone.localdate()


def event_last_day(event: Event) -> datetime.date | None:
    return event.end_date or event.start_date


def event_is_past(event: Event, *, on: datetime.date | None = None) -> bool:
    """True once the event is over (past_q): a dated event after its last day, without
    a query; an undated one as past_q decides (one query)."""
    on = on or today()
    last_day = event_last_day(event)
    if last_day is not None:
        return last_day < on
    return Event.objects.filter(past_q(on), pk=event.pk).exists()


def members_only_count(*, on: datetime.date | None = None) -> int:
    """How many members-only events are still to come: what a visitor is told exists
    behind the login. The same number for every visitor (anonymous pages are cached)."""
    on = on or today()
    return Event.objects.filter(upcoming_q(on), visibility=Event.Visibility.MEMBERS).count()


def event_for_login(slug: str) -> Event | None:
    """The event `slug` if logging in as a member would show it (a members-only event),
    else None: a visitor following a link to it is asked to log in, while events that
    members could not see either stay unknown (404)."""
    return (
        Event.objects.visible_to_members()
        .filter(slug=slug)
        .exclude(visibility=Event.Visibility.PUBLIC)
        .first()
    )


@dataclass
class EventListing:
    upcoming: list[Event]
    past: QuerySet[Event]


def event_listing(
    user, *, kind: str | None = None, body: Body | None = None, on: datetime.date | None = None
) -> EventListing:
    """The events `user` may see, split into upcoming (soonest first, undated last) and
    past (latest first, as a queryset for paging), optionally of one kind or body."""
    on = on or today()
    events = Event.objects.visible_to(user).select_related("body")
    if kind:
        events = events.filter(kind=kind)
    if body is not None:
        events = events.filter(body=body)
    upcoming = events.filter(upcoming_q(on)).order_by(
        F("start_date").asc(nulls_last=True), "start_time", "title", "pk"
    )
    past = events.filter(past_q(on)).order_by(
        F("start_date").desc(nulls_last=True), "-start_time", "title", "pk"
    )
    return EventListing(upcoming=list(upcoming), past=past)


def bodies_with_events(user) -> QuerySet[Body]:
    """The bodies that meet at an event `user` may see: the choices of the body filter."""
    return (
        Body.objects.filter(events__in=Event.objects.visible_to(user))
        .distinct()
        .order_by("order", "name")
    )


def event_for_page(user, slug: str) -> Event | None:
    """The event `slug` if `user` may see it, with its body, parent and hosts."""
    return (
        Event.objects.visible_to(user)
        .select_related("body", "parent")
        .prefetch_related("hosts")
        .filter(slug=slug)
        .first()
    )


def event_plan_links(event: Event, user) -> dict:
    """The plan sections and activities `event` serves, from the plans `user` may read
    (two queries): ``{"sections": [...], "activities": [...]}``."""
    plans = plans_visible_to(user)
    sections = list(
        Section.objects.filter(events=event, plan__in=plans)
        .select_related("plan")
        .order_by("-plan__year", "order", "pk")
    )
    activities = list(
        Activity.objects.filter(events=event, section__plan__in=plans)
        .select_related("section__plan")
        .order_by("-section__plan__year", "section__order", "order", "pk")
    )
    return {"sections": sections, "activities": activities}


def event_parent(event: Event, user) -> Event | None:
    """The event `event` is part of, unless `user` may not see that one."""
    if event.parent is None:
        return None
    if event.parent.visibility == Event.Visibility.PUBLIC or user.has_perm(
        "events.view_members_only_event"
    ):
        return event.parent
    return None


def event_children(event: Event, user) -> list[Event]:
    """The parts of `event` (e.g. the council meeting within Mälartinget) `user` may see."""
    return list(Event.objects.visible_to(user).filter(parent=event).select_related("body"))


def registration_of(event: Event, user) -> Registration | None:
    if not user.is_authenticated:
        return None
    return Registration.objects.filter(event=event, user=user).first()


def public_feed_events() -> QuerySet[Event]:
    """Every dated public event, for the public calendar feed."""
    return Event.objects.filter(
        visibility=Event.Visibility.PUBLIC, start_date__isnull=False
    ).order_by("start_date", "start_time", "pk")


def body_feed_events(body: Body) -> QuerySet[Event]:
    """The dated public events where `body` meets."""
    return public_feed_events().filter(body=body)


# What a calendar feed carries unless asked for more: the last twelve months and the
# future. A subscribed calendar already holds the older events it once received.
FEED_PAST_DAYS = 365


def feed_window(events: QuerySet[Event], since: datetime.date | None) -> QuerySet[Event]:
    """`events` that end on or after `since` (all of them when `since` is None): an event
    that started before `since` and is still going on stays."""
    if since is None:
        return events
    return events.filter(Q(start_date__gte=since) | Q(end_date__gte=since))


def feed_fingerprint(events: QuerySet[Event]) -> dict:
    """What a feed's ETag is made from, in one query: how many events, which (the sum of
    their ids), their latest change and the sum of their revisions. Any change to an
    event saved through the services or the admin changes `changed` or `sequences`;
    an event that leaves the feed (deleted, hidden, no longer attended) changes `count`
    and `keys`."""
    return events.order_by().aggregate(
        count=Count("pk"), keys=Sum("pk"), changed=Max("modified_at"), sequences=Sum("sequence")
    )


def calendar_token_owner(token: str):
    """The active user whose calendar token is `token`, or None.

    Looked up by the token's hash, so the database compares hashes, never the secret;
    the final check is constant-time all the same."""
    if not token:
        return None
    digest = calendar_token_hash(token)
    found = (
        CalendarToken.objects.select_related("user")
        .filter(token_hash=digest, user__is_active=True)
        .first()
    )
    if found is None or not hmac.compare_digest(found.token_hash, digest):
        return None
    return found.user


def personal_feed_events(user) -> QuerySet[Event]:
    """The dated events `user` has said they will attend, among those they may still see
    (a member who loses membership loses the members-only events from the feed)."""
    return (
        Event.objects.visible_to(user)
        .filter(
            registrations__user=user,
            registrations__response=Registration.Response.ATTENDING,
            start_date__isnull=False,
        )
        .order_by("start_date", "start_time", "pk")
    )
