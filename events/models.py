import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import GreaterThanOrEqual, IsNull, LessThan
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from malardal.textlimits import DESCRIPTION, max_text
from members.models import Body, Organisation
from plan.models import Activity, Section


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.has_perm("events.view_members_only_event"):
            return self
        return self.filter(visibility=Event.Visibility.PUBLIC)

    def visible_to_members(self):
        """What a member (``events.view_members_only_event``) may see: every visibility
        there is today. A more private kind added later must be left out here."""
        return self.filter(visibility__in=[Event.Visibility.PUBLIC, Event.Visibility.MEMBERS])


UID_DOMAIN = "malardalsportalen"


def new_event_uid() -> str:
    """A calendar UID for a new event: random, so it says nothing and never has to
    change (RFC 5545 §3.8.4.7). Stored once; never derived from the slug or the title."""
    return f"{uuid.uuid4()}@{UID_DOMAIN}"


class Event(models.Model):
    """A meeting place: Mälartinget, the council and board meetings, Almedalen …

    Calendar identity: ``uid`` is set once and never changes, so a calendar that has the
    event updates it instead of adding a copy; ``sequence`` counts the changes of time,
    place or status that calendars must show (raised by ``events.services``, never by
    hand); ``created_at``/``modified_at`` become CREATED and LAST-MODIFIED in the .ics.
    """

    # Changing one of these is a new revision of the event for calendars (SEQUENCE + 1).
    SCHEDULE_FIELDS = (
        "start_date",
        "end_date",
        "start_time",
        "end_time",
        "place_sv",
        "place_en",
        "status",
    )

    class Kind(models.TextChoices):
        MALARTINGET = "malartinget", _("Mälartinget")
        COUNCIL_MEETING = "council_meeting", _("Council meeting")
        BOARD_MEETING = "board_meeting", _("Board meeting")
        ALMEDALEN = "almedalen", _("Almedalen")
        FREIGHT_DAY = "freight_day", _("Freight transport day")
        MARITIME_DAY = "maritime_day", _("Maritime day")
        STUDY_TRIP = "study_trip", _("Study trip")
        THEMATIC_MEETING = "thematic_meeting", _("Thematic meeting")
        OTHER = "other", _("Other")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        MEMBERS = "members", _("Members only")

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Takes place")
        CANCELLED = "cancelled", _("Cancelled")

    slug = models.SlugField(_("short name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, **max_text(DESCRIPTION))
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    start_time = models.TimeField(_("start time"), null=True, blank=True)
    end_time = models.TimeField(_("end time"), null=True, blank=True)
    date_note = models.CharField(
        _("note on the date"),
        max_length=200,
        blank=True,
        help_text=_("E.g. “Provisionally spring 2024” when there is no exact date yet."),
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    body = models.ForeignKey(
        Body,
        verbose_name=_("body that meets"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="children",
    )
    hosts = models.ManyToManyField(
        Organisation, verbose_name=_("hosts and partners"), blank=True, related_name="events"
    )
    sections = models.ManyToManyField(
        Section, verbose_name=_("plan sections"), blank=True, related_name="events"
    )
    activities = models.ManyToManyField(
        Activity, verbose_name=_("activities"), blank=True, related_name="events"
    )
    visibility = models.CharField(
        _("who may see it"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.PUBLIC,
    )
    registration_open = models.BooleanField(_("open for registration"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.CONFIRMED
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    uid = models.CharField(
        _("calendar UID"),
        max_length=255,
        unique=True,
        default=new_event_uid,
        editable=False,
        help_text=_("The event's identity in calendars. It never changes."),
    )
    sequence = models.PositiveIntegerField(
        _("revision"),
        default=0,
        editable=False,
        help_text=_("Raised each time the time, place or status changes."),
    )
    # Null for events made before these were recorded: no date is invented for them.
    created_at = models.DateTimeField(_("created"), auto_now_add=True, null=True)
    modified_at = models.DateTimeField(_("last changed"), auto_now=True, null=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = [models.F("start_date").asc(nulls_last=True), "title"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        permissions = [
            ("view_members_only_event", _("Can see members-only events")),
            ("register_for_event", _("Can register for events")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=False, end_date__gte=models.F("start_date")),
                name="event_ends_after_start",
                violation_error_message=_("The event cannot end before it starts."),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:event_detail", kwargs={"slug": self.slug})

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED


# --- Upcoming and past (issue 14, point 7) -------------------------------------------


def _plan_year():
    """The year an event belongs to when it has no date: the latest year of the plans
    whose sections or activities it serves (NULL when it serves none)."""
    by_section = Subquery(
        Section.objects.filter(events=OuterRef("pk"))
        .order_by("-plan__year")
        .values("plan__year")[:1]
    )
    by_activity = Subquery(
        Activity.objects.filter(events=OuterRef("pk"))
        .order_by("-section__plan__year")
        .values("section__plan__year")[:1]
    )
    # Greatest is NULL on SQLite when one side is: each side falls back on the other.
    return Greatest(Coalesce(by_section, by_activity), Coalesce(by_activity, by_section))


def past_q(on: datetime.date) -> Q:
    """Events that are over on `on` (issue 14, point 7): a dated event whose last day
    was before `on`; an undated one that is part of an event that is over (the council
    meeting within Mälartinget 2023), or, when not part of a dated event, that serves
    only plans of years before `on`'s (its date was never set)."""
    parent_last = Coalesce("parent__end_date", "parent__start_date")
    return (
        Q(LessThan(Coalesce("end_date", "start_date"), on))
        | Q(LessThan(parent_last, on), start_date__isnull=True)
        | Q(
            LessThan(_plan_year(), on.year),
            IsNull(parent_last, True),
            start_date__isnull=True,
        )
    )


def upcoming_q(on: datetime.date) -> Q:
    """Events not over on `on` (everything past_q leaves): dated ones whose last day is
    `on` or later, and undated ones still to come (with a date note), including those
    that serve no plan (nothing says their year is over)."""
    parent_last = Coalesce("parent__end_date", "parent__start_date")
    undated = Q(start_date__isnull=True)
    return (
        Q(GreaterThanOrEqual(Coalesce("end_date", "start_date"), on))
        | (undated & Q(GreaterThanOrEqual(parent_last, on)))
        | (
            undated
            & Q(IsNull(parent_last, True))
            & (Q(GreaterThanOrEqual(_plan_year(), on.year)) | Q(IsNull(_plan_year(), True)))
        )
    )


class Registration(models.Model):
    class Response(models.TextChoices):
        ATTENDING = "attending", _("Attending")
        NOT_ATTENDING = "not_attending", _("Not attending")

    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="registrations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    response = models.CharField(_("response"), max_length=20, choices=Response.choices)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["event", "user"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="unique_registration")
        ]

    def __str__(self):
        return f"{self.user} – {self.event}: {self.get_response_display()}"


def _new_calendar_token() -> str:
    # Kept for migration 0002, which names it as the old column's default.
    return secrets.token_urlsafe(32)


def calendar_token_hash(token: str) -> str:
    """The SHA-256 of a feed token, as stored. The token is 256 random bits, so a fast
    hash without salt is enough: there is nothing to guess from a dictionary."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


class CalendarToken(models.Model):
    """The secret in a member's personal calendar feed URL, stored as its SHA-256 hash.

    The token is the only credential a calendar app sends, so it is long and random. It
    is shown to the member once, when it is made or replaced
    (:func:`events.services.calendar_token_issue`); the database, backups and the admin
    hold only its hash, so none of them can give the feed address back. The member
    replaces it (which breaks the old URL) if it leaks or is lost.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_token",
    )
    token_hash = models.CharField(_("token (SHA-256)"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self):
        return str(self.user)
