"""Reads for the reminders: which reminders are due on a day, for whom, about what.

A reminder is planned, never sent, here. ``reminders_due`` returns what ought to go out on
`today`; services.reminders_run turns each into a ReminderLog row (the claim) and queues
its delivery. The same functions rebuild a reminder's content when it is delivered, so a
mail lists what is still missing at the moment it is sent.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as AuthUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from events.models import Event, Registration
from members import roles
from members.models import Person, Role
from plan.models import Activity, Plan, ReportingPeriod, StatusUpdate

from .models import ContactPreference, ReminderLog

# An overdue reminder is not sent for periods longer ago than this: a portal started late,
# or a beat that was down for weeks, must not wake up owners about last year.
FOLLOWUP_AFTER_WINDOW_DAYS = 14

User = get_user_model()


@dataclass
class Recipient:
    """Who a reminder goes to: a person (with or without a login) or a login alone, or a
    bare address (the secretariat's shared mailbox)."""

    key: str
    email: str
    language: str
    name: str = ""
    person: Person | None = None
    user: AuthUser | None = None


@dataclass
class PlannedReminder:
    kind: str
    occasion: str
    recipient: Recipient
    period: ReportingPeriod | None = None
    event: Event | None = None
    activities: list[Activity] = field(default_factory=list)
    reason: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.kind, self.occasion, self.recipient.key)

    def describe(self) -> str:
        """One line for the dry run."""
        what = self.period or self.event
        line = (
            f"{self.kind:<17} {self.recipient.name} <{self.recipient.email}> "
            f"[{self.recipient.language}] {what}"
        )
        if self.activities:
            count = len(self.activities)
            line += f": {count} {'activity' if count == 1 else 'activities'}"
        if self.reason:
            line += f" ({self.reason})"
        return line


# -- people ---------------------------------------------------------------------------


def person_language(person: Person | None) -> str:
    """The person's chosen language, or the site's (Swedish) when none is chosen."""
    if person is not None:
        try:
            return person.contact_preference.language
        except ContactPreference.DoesNotExist:
            pass
    return settings.LANGUAGE_CODE


def person_email(person: Person) -> str:
    """The person's own address, else the address of their login."""
    if person.email:
        return person.email
    if person.user_id and person.user.email:
        return person.user.email
    return ""


def person_recipient(person: Person) -> Recipient:
    return Recipient(
        key=f"person:{person.pk}",
        email=person_email(person),
        language=person_language(person),
        name=person.full_name,
        person=person,
        user=person.user if person.user_id else None,
    )


def user_recipient(user) -> Recipient:
    """A login's recipient: their person's, when the login belongs to one."""
    person = getattr(user, "person", None)
    if person is not None:
        recipient = person_recipient(person)
        if not recipient.email:
            recipient.email = user.email
        return recipient
    return Recipient(
        key=f"user:{user.pk}",
        email=user.email,
        language=settings.LANGUAGE_CODE,
        name=user.get_full_name() or user.get_username(),
        user=user,
    )


def _people() -> QuerySet[Person]:
    return Person.objects.select_related("user", "contact_preference")


def secretariat_recipients() -> list[Recipient]:
    """Active users in the secretariat group with an address, and the extra addresses in
    REMINDER_SECRETARIAT_EMAILS."""
    users = (
        User.objects.filter(is_active=True, groups__name=roles.SECRETARIAT)
        .exclude(email="")
        .select_related("person__contact_preference", "person__user")
        .order_by("pk")
        .distinct()
    )
    recipients = [user_recipient(user) for user in users]
    seen = {r.email.lower() for r in recipients}
    for address in settings.REMINDER_SECRETARIAT_EMAILS:
        if address.lower() not in seen:
            seen.add(address.lower())
            recipients.append(
                Recipient(
                    key=f"email:{address.lower()}",
                    email=address,
                    language=settings.LANGUAGE_CODE,
                    name=address,
                )
            )
    return recipients


# -- follow-up ------------------------------------------------------------------------


def period_occasion(period: ReportingPeriod) -> str:
    # The due date is part of the occasion: if the secretariat moves the deadline, owners
    # are reminded of the new one.
    return f"period:{period.pk}:{period.due_date.isoformat()}"


def open_periods() -> QuerySet[ReportingPeriod]:
    return ReportingPeriod.objects.filter(
        plan__status__in=(Plan.Status.ADOPTED, Plan.Status.AMENDING, Plan.Status.AMENDED),
        is_locked=False,
    ).select_related("plan")


def periods_due_soon(today: datetime.date) -> list[ReportingPeriod]:
    """Open periods whose due date is at most REMINDER_FOLLOWUP_DAYS_BEFORE days away."""
    days = settings.REMINDER_FOLLOWUP_DAYS_BEFORE
    return list(
        open_periods()
        .filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days))
        .order_by("due_date", "pk")
    )


def periods_overdue(today: datetime.date) -> list[ReportingPeriod]:
    """Open periods whose due date passed REMINDER_FOLLOWUP_DAYS_AFTER days ago or more
    (but not longer ago than the catch-up window)."""
    first = today - datetime.timedelta(days=settings.REMINDER_FOLLOWUP_DAYS_AFTER)
    last = first - datetime.timedelta(days=FOLLOWUP_AFTER_WINDOW_DAYS)
    return list(
        open_periods().filter(due_date__lte=first, due_date__gte=last).order_by("due_date", "pk")
    )


def activities_in_period(period: ReportingPeriod) -> QuerySet[Activity]:
    """The plan's activities that run during the period (no dates means all year)."""
    return (
        Activity.objects.filter(section__plan_id=period.plan_id)
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=period.ends_on))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.starts_on))
    )


def activities_missing_update(
    period: ReportingPeriod, *, owner: Person | None = None
) -> QuerySet[Activity]:
    """Activities of the period with no status update for it, in plan order, with their
    section and owners loaded. With `owner`, only that person's."""
    reported = StatusUpdate.objects.filter(activity=OuterRef("pk"), period=period)
    activities = activities_in_period(period).filter(~Exists(reported))
    if owner is not None:
        activities = activities.filter(owners=owner)
    return (
        activities.select_related("section__plan")
        .prefetch_related(Prefetch("owners", queryset=_people()))
        .order_by("section__order", "order", "pk")
    )


def followup_reminders_for(
    period: ReportingPeriod, *, kind: str
) -> tuple[list[PlannedReminder], list[Activity]]:
    """One digest per owner of an activity still missing an update for `period`. Also
    returns the missing activities themselves (for the secretariat's summary)."""
    missing = list(activities_missing_update(period))
    by_owner: dict[int, list[Activity]] = defaultdict(list)
    owners: dict[int, Person] = {}
    for activity in missing:
        for owner in activity.owners.all():
            owners[owner.pk] = owner
            by_owner[owner.pk].append(activity)
    planned = []
    for owner_pk, activities in by_owner.items():
        recipient = person_recipient(owners[owner_pk])
        if not recipient.email:
            continue  # Listed as unreachable in the secretariat's summary.
        planned.append(
            PlannedReminder(
                kind=kind,
                occasion=period_occasion(period),
                recipient=recipient,
                period=period,
                activities=activities,
            )
        )
    planned.sort(key=lambda p: (p.recipient.name, p.recipient.key))
    return planned, missing


def followup_reminders_due(today: datetime.date) -> list[PlannedReminder]:
    planned: list[PlannedReminder] = []
    for period in periods_due_soon(today):
        planned += followup_reminders_for(period, kind=ReminderLog.Kind.FOLLOWUP_BEFORE)[0]
    for period in periods_overdue(today):
        owner_reminders, missing = followup_reminders_for(
            period, kind=ReminderLog.Kind.FOLLOWUP_AFTER
        )
        planned += owner_reminders
        for recipient in secretariat_recipients():
            planned.append(
                PlannedReminder(
                    kind=ReminderLog.Kind.FOLLOWUP_SUMMARY,
                    occasion=period_occasion(period),
                    recipient=recipient,
                    period=period,
                    activities=missing,
                )
            )
    return planned


# -- meetings -------------------------------------------------------------------------


def event_occasion(event: Event) -> str:
    # The date is part of the occasion: a meeting moved to another day is reminded again.
    return f"event:{event.pk}:{event.start_date.isoformat()}"


def events_due(today: datetime.date) -> list[Event]:
    """Dated events starting within REMINDER_EVENT_DAYS_BEFORE days (today included)."""
    days = settings.REMINDER_EVENT_DAYS_BEFORE
    return list(
        Event.objects.filter(
            start_date__gte=today, start_date__lte=today + datetime.timedelta(days=days)
        )
        .exclude(status=Event.Status.CANCELLED)
        .select_related("body")
        .order_by("start_date", "pk")
    )


REASON_REGISTERED = "registered"
REASON_BODY = "body"


def event_recipients(event: Event) -> list[tuple[Recipient, str]]:
    """Who is reminded of `event`, and why: everyone registered as attending, and the
    current members of the body that meets — except those who said they will not come.
    A person who is both is reminded once."""
    registrations = list(
        Registration.objects.filter(event=event).select_related(
            "user__person__contact_preference", "user__person__user"
        )
    )
    declined_users = {
        r.user_id for r in registrations if r.response == Registration.Response.NOT_ATTENDING
    }
    result: dict[str, tuple[Recipient, str]] = {}
    for registration in registrations:
        if registration.response != Registration.Response.ATTENDING:
            continue
        if not registration.user.is_active:
            continue
        recipient = user_recipient(registration.user)
        result.setdefault(recipient.key, (recipient, REASON_REGISTERED))
    if event.body_id:
        day = event.start_date
        roles_ = (
            Role.objects.filter(body_id=event.body_id)
            .filter(Q(start_date__isnull=True) | Q(start_date__lte=day))
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=day))
            .select_related("person__contact_preference", "person__user")
            .order_by("person__last_name", "person__first_name", "pk")
        )
        for role in roles_:
            person = role.person
            if person.user_id and person.user_id in declined_users:
                continue
            recipient = person_recipient(person)
            result.setdefault(recipient.key, (recipient, REASON_BODY))
    return [(r, why) for r, why in result.values() if r.email]


def event_reminders_due(today: datetime.date) -> list[PlannedReminder]:
    planned = []
    for event in events_due(today):
        for recipient, reason in event_recipients(event):
            planned.append(
                PlannedReminder(
                    kind=ReminderLog.Kind.EVENT,
                    occasion=event_occasion(event),
                    recipient=recipient,
                    event=event,
                    reason=reason,
                )
            )
    return planned


# -- cancellations --------------------------------------------------------------------


def cancellation_occasion(event: Event) -> str:
    # The revision is part of the occasion: each cancellation is told once.
    return f"cancel:{event.pk}:{event.sequence}"


def cancellation_recipients(event: Event) -> list[Recipient]:
    """Who is told that `event` is cancelled: the active users registered as attending
    (with an address). The body's members got no invitation from the portal; the
    secretariat tells them in its own way."""
    registrations = (
        Registration.objects.filter(
            event=event, response=Registration.Response.ATTENDING, user__is_active=True
        )
        .select_related("user__person__contact_preference", "user__person__user")
        .order_by("pk")
    )
    result: dict[str, Recipient] = {}
    for registration in registrations:
        recipient = user_recipient(registration.user)
        if recipient.email:
            result.setdefault(recipient.key, recipient)
    return list(result.values())


def event_cancellations(event: Event) -> list[PlannedReminder]:
    """One cancellation per attending registrant of the cancelled `event`."""
    if not event.is_cancelled or event.start_date is None:
        return []
    return [
        PlannedReminder(
            kind=ReminderLog.Kind.EVENT_CANCELLED,
            occasion=cancellation_occasion(event),
            recipient=recipient,
            event=event,
        )
        for recipient in cancellation_recipients(event)
    ]


# -- all ------------------------------------------------------------------------------


def reminders_due(today: datetime.date) -> list[PlannedReminder]:
    """Every reminder that ought to have gone out by `today`, logged or not."""
    return followup_reminders_due(today) + event_reminders_due(today)


def reminders_not_yet_logged(today: datetime.date) -> list[PlannedReminder]:
    """The due reminders that have no row in the log yet: what a run would send."""
    planned = reminders_due(today)
    occasions = {p.occasion for p in planned}
    logged = set(
        ReminderLog.objects.filter(occasion__in=occasions).values_list(
            "kind", "occasion", "recipient_key"
        )
    )
    return [p for p in planned if p.key not in logged]


def planned_reminder_for_log(log: ReminderLog) -> PlannedReminder | None:
    """Rebuild the content of a logged reminder as it stands now, or None when there is
    nothing to remind of any more (all reported, the meeting moved or was deleted, the
    recipient gone)."""
    if log.kind in (ReminderLog.Kind.FOLLOWUP_BEFORE, ReminderLog.Kind.FOLLOWUP_AFTER):
        if log.period is None or log.person is None or log.period.is_locked:
            return None
        if period_occasion(log.period) != log.occasion:
            return None
        activities = list(activities_missing_update(log.period, owner=log.person))
        if not activities:
            return None
        recipient = person_recipient(log.person)
        if not recipient.email:
            return None
        return PlannedReminder(
            kind=log.kind,
            occasion=log.occasion,
            recipient=recipient,
            period=log.period,
            activities=activities,
        )
    if log.kind == ReminderLog.Kind.FOLLOWUP_SUMMARY:
        if log.period is None or period_occasion(log.period) != log.occasion:
            return None
        recipient = _recipient_for_log(log)
        if recipient is None:
            return None
        return PlannedReminder(
            kind=log.kind,
            occasion=log.occasion,
            recipient=recipient,
            period=log.period,
            activities=list(activities_missing_update(log.period)),
        )
    if log.kind == ReminderLog.Kind.EVENT_CANCELLED:
        if log.event is None or not log.event.is_cancelled or log.event.start_date is None:
            return None  # Taken back, or deleted: nothing to cancel.
        if cancellation_occasion(log.event) != log.occasion:
            return None
        for recipient in cancellation_recipients(log.event):
            if recipient.key == log.recipient_key:
                return PlannedReminder(
                    kind=log.kind, occasion=log.occasion, recipient=recipient, event=log.event
                )
        return None
    if log.kind == ReminderLog.Kind.EVENT:
        if log.event is None or log.event.start_date is None or log.event.is_cancelled:
            return None
        if event_occasion(log.event) != log.occasion:
            return None
        for recipient, reason in event_recipients(log.event):
            if recipient.key == log.recipient_key:
                return PlannedReminder(
                    kind=log.kind,
                    occasion=log.occasion,
                    recipient=recipient,
                    event=log.event,
                    reason=reason,
                )
        return None
    return None


def _recipient_for_log(log: ReminderLog) -> Recipient | None:
    if log.person_id:
        recipient = person_recipient(log.person)
    elif log.user_id:
        recipient = user_recipient(log.user)
    elif log.recipient_key.startswith("email:"):
        recipient = Recipient(
            key=log.recipient_key, email=log.email, language=log.language, name=log.email
        )
    else:
        return None
    return recipient if recipient.email else None


def followup_summary_context(period: ReportingPeriod, missing: list[Activity]) -> dict:
    """Numbers and lists for the secretariat's summary."""
    total = activities_in_period(period).count()
    unreachable = []
    without_owner = []
    for activity in missing:
        owners = list(activity.owners.all())
        if not owners:
            without_owner.append(activity)
        for owner in owners:
            if not person_email(owner) and owner not in unreachable:
                unreachable.append(owner)
    reported = total - len(missing)
    return {
        "total": total,
        "reported": reported,
        # Whole per cent, rounded down, so "100 %" only when every one has reported.
        "reported_share": (100 * reported) // total if total else None,
        "without_owner": without_owner,
        "unreachable": unreachable,
    }
