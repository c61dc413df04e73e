"""Writes for the reminders: planning a run, claiming, delivering, retrying.

Exactly once, in three steps:

1. ``reminders_run`` inserts one ReminderLog row per due reminder. The unique constraint
   (kind, occasion, recipient) means a second run, or a run on another worker at the same
   moment, cannot insert it again; it only queues the rows it inserted itself.
2. ``reminder_deliver`` claims the row with a conditional UPDATE (pending or failed
   temporarily, or claimed so long ago that the worker must have died) and sends only if
   that UPDATE changed exactly one row. A second delivery of the same row finds nothing
   to claim.
3. The outcome is written back only while the claim is still ours (same claim token).

What remains: a worker killed after the SMTP server accepted a mail and before step 3
leaves a claim that is later taken as stale, and the mail goes out again. That window is
one database round trip; the stable Message-ID lets mail programs spot the copy.
"""

import datetime
import logging
import uuid
from dataclasses import dataclass
from enum import StrEnum
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from members.models import Person

from . import selectors
from .mail import TEMPORARY, build_message, classify_smtp_error
from .models import ContactPreference, ReminderLog, ReminderRun

logger = logging.getLogger(__name__)

Status = ReminderLog.Status


class Outcome(StrEnum):
    SENT = "sent"
    SKIPPED = "skipped"
    NOT_CLAIMED = "not_claimed"
    RETRY = "retry"
    FAILED = "failed"


@dataclass
class Delivery:
    outcome: Outcome
    error: BaseException | None = None


def _queue_delivery(log_id: int) -> None:
    from .tasks import deliver_reminder

    deliver_reminder.delay(log_id)


def retry_delay(retries: int) -> int:
    """Seconds to wait before retry number `retries` + 1: 1, 2, 4 … times
    REMINDER_RETRY_DELAY, at most an hour."""
    delay: int = settings.REMINDER_RETRY_DELAY * 2**retries
    return min(delay, 3600)


def _stale_before(now: datetime.datetime) -> datetime.datetime:
    return now - datetime.timedelta(minutes=settings.REMINDER_CLAIM_TIMEOUT_MINUTES)


# -- planning -------------------------------------------------------------------------


def reminder_log_create(*, planned: selectors.PlannedReminder) -> ReminderLog | None:
    """Insert the log row for `planned` and queue its delivery when the transaction
    commits. Returns None when the row exists already (another run was first).

    A recipient whose address does not validate gets a row marked failed, so the
    secretariat sees it in the admin instead of the reminder silently not going out.
    """
    recipient = planned.recipient
    log = ReminderLog(
        kind=planned.kind,
        occasion=planned.occasion,
        recipient_key=recipient.key,
        person=recipient.person,
        user=recipient.user,
        period=planned.period,
        event=planned.event,
        email=recipient.email,
        language=recipient.language,
    )
    try:
        # The database constraint, not a SELECT, decides who inserts first.
        log.full_clean(validate_constraints=False)
    except ValidationError as exc:
        log.status = Status.FAILED_PERMANENT
        log.error = f"{recipient.email!r}: {'; '.join(exc.messages)}"
        log.email = ""
    try:
        with transaction.atomic():
            log.save()
            if log.status == Status.PENDING:
                transaction.on_commit(partial(_queue_delivery, log.pk))
    except IntegrityError:
        return None
    return log


def reminders_recover(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again what a dead worker or a lost message left behind: claims older than
    REMINDER_CLAIM_TIMEOUT_MINUTES, rows still pending that long after they were made, and
    temporary failures whose retry is that long overdue. Queuing twice is harmless:
    delivery claims first."""
    now = now or timezone.now()
    stale = _stale_before(now)
    ids = list(
        ReminderLog.objects.filter(
            Q(status=Status.CLAIMED, claimed_at__lt=stale)
            | Q(status=Status.PENDING, updated_at__lt=stale)
            | Q(status=Status.FAILED_TEMPORARY, next_attempt_at__lt=stale)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for log_id in ids:
        transaction.on_commit(partial(_queue_delivery, log_id))
    if ids:
        logger.warning("Requeued %d stalled reminders: %s", len(ids), ids)
    return ids


def reminders_run(
    *, today: datetime.date | None = None, trigger: str = ReminderRun.Trigger.SCHEDULE
) -> ReminderRun:
    """Log every reminder due by `today` (default: today in Europe/Stockholm) that is not
    logged yet, queue its delivery, and requeue stalled ones. Safe to run any number of
    times, at once on several workers."""
    today = today or timezone.localdate()
    run = ReminderRun(trigger=trigger, day=today)
    run.full_clean()
    run.save()
    planned = selectors.reminders_not_yet_logged(today)
    queued = 0
    for item in planned:
        log = reminder_log_create(planned=item)
        if log is not None and log.status == Status.PENDING:
            queued += 1
    reminders_recover()
    ReminderRun.objects.filter(pk=run.pk).update(
        due=len(planned), queued=queued, finished_at=timezone.now()
    )
    run.refresh_from_db()
    logger.info("Reminder run for %s: %d new, %d queued", today, len(planned), queued)
    return run


def event_cancellations_send(*, event_id: int) -> int:
    """Log and queue a cancellation mail (with a METHOD:CANCEL .ics) to everyone
    registered as attending the cancelled event `event_id`. Safe to run twice: the log's
    unique constraint lets each mail be logged, and so sent, once. Returns how many were
    queued."""
    from events.models import Event

    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    queued = 0
    for planned in selectors.event_cancellations(event):
        log = reminder_log_create(planned=planned)
        if log is not None and log.status == Status.PENDING:
            queued += 1
    logger.info("Event %s cancelled: %d cancellations queued", event_id, queued)
    return queued


def reminders_request_run(*, trigger: str = ReminderRun.Trigger.ADMIN) -> None:
    """Queue a reminder run on a worker once the current transaction commits."""
    from .tasks import run_reminders

    transaction.on_commit(partial(run_reminders.delay, trigger=trigger))


# -- delivery -------------------------------------------------------------------------


def reminder_claim(*, log_id: int) -> uuid.UUID | None:
    """Take the row for sending. Returns the claim token, or None when the row is not
    ours to send (sent, being sent by a live worker, skipped, failed for good)."""
    now = timezone.now()
    token = uuid.uuid4()
    claimable = Q(status__in=[Status.PENDING, Status.FAILED_TEMPORARY]) | Q(
        status=Status.CLAIMED, claimed_at__lt=_stale_before(now)
    )
    # One UPDATE … WHERE: on PostgreSQL a concurrent claimer waits for the row lock and
    # then re-checks the WHERE, finding the row claimed; on SQLite writes are serial.
    changed = ReminderLog.objects.filter(claimable, pk=log_id).update(
        status=Status.CLAIMED,
        claim_token=token,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    return token if changed == 1 else None


def _finish(log_id: int, token: uuid.UUID, **fields: object) -> bool:
    """Write the outcome, only while the claim is still ours."""
    fields["updated_at"] = timezone.now()
    return bool(
        ReminderLog.objects.filter(pk=log_id, claim_token=token, status=Status.CLAIMED).update(
            **fields
        )
    )


def reminder_deliver(*, log_id: int, retries: int = 0, max_retries: int | None = None) -> Delivery:
    """Claim the reminder `log_id`, build its mail as things stand now and send it.

    Returns SENT; SKIPPED when there is nothing to remind of any more (the owner has
    reported, the meeting moved); NOT_CLAIMED when someone else has it or it is done;
    RETRY on a temporary SMTP failure while `retries` < `max_retries` (the caller retries
    after ``retry_delay(retries)``); FAILED on a permanent failure, or a temporary one with
    no retries left. Failures are written to the row, with the error, for the admin.
    """
    max_retries = settings.REMINDER_MAX_RETRIES if max_retries is None else max_retries
    token = reminder_claim(log_id=log_id)
    if token is None:
        return Delivery(Outcome.NOT_CLAIMED)
    log = ReminderLog.objects.select_related("person__user", "user", "period__plan", "event").get(
        pk=log_id
    )
    planned = selectors.planned_reminder_for_log(log)
    if planned is None:
        _finish(log_id, token, status=Status.SKIPPED, error="")
        return Delivery(Outcome.SKIPPED)
    try:
        message = build_message(planned, log)
        subject = message.subject
        message.send(fail_silently=False)
    except Exception as exc:
        now = timezone.now()
        error = f"{type(exc).__name__}: {exc}"
        if classify_smtp_error(exc) == TEMPORARY and retries < max_retries:
            _finish(
                log_id,
                token,
                status=Status.FAILED_TEMPORARY,
                error=error,
                next_attempt_at=now + datetime.timedelta(seconds=retry_delay(retries)),
            )
            logger.warning("Reminder %s: temporary failure, will retry: %s", log_id, error)
            return Delivery(Outcome.RETRY, exc)
        if classify_smtp_error(exc) == TEMPORARY:
            error = f"Gave up after {retries + 1} attempts. {error}"
        _finish(log_id, token, status=Status.FAILED_PERMANENT, error=error, next_attempt_at=None)
        logger.error("Reminder %s failed: %s", log_id, error)
        return Delivery(Outcome.FAILED, exc)
    _finish(
        log_id,
        token,
        status=Status.SENT,
        sent_at=timezone.now(),
        email=planned.recipient.email,
        subject=subject[:300],
        error="",
        next_attempt_at=None,
    )
    return Delivery(Outcome.SENT)


def reminder_resend(*, log: ReminderLog) -> bool:
    """Send a failed reminder again (after its address or the mail settings were fixed).
    Returns False when the reminder is not in a failed state."""
    changed = ReminderLog.objects.filter(
        pk=log.pk, status__in=[Status.FAILED_PERMANENT, Status.FAILED_TEMPORARY]
    ).update(status=Status.PENDING, error="", next_attempt_at=None, updated_at=timezone.now())
    if changed:
        transaction.on_commit(partial(_queue_delivery, log.pk))
    return bool(changed)


# -- preferences ----------------------------------------------------------------------


def contact_preference_set(*, person: Person, language: str) -> ContactPreference:
    """Set the language `person` gets the portal's mail in."""
    with transaction.atomic():
        preference, _created = ContactPreference.objects.select_for_update().get_or_create(
            person=person, defaults={"language": language}
        )
        preference.language = language
        preference.full_clean()
        preference.save()
    return preference
