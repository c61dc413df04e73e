"""What the reminders app does when the events or members app says something happened."""

from functools import partial

from django.db import transaction


def queue_event_cancellations(sender, *, event, by=None, **kwargs) -> None:
    """An event was cancelled (events.services.event_cancel): once the cancellation is
    committed, a worker logs and sends the cancellation mails."""
    from .tasks import send_event_cancellations

    transaction.on_commit(partial(send_event_cancellations.delay, event.pk))


def erase_person(sender, *, person, user=None, emails=(), **kwargs) -> dict:
    """A person's personal data is being erased (members.services.person_erase): their
    reminder preferences go; the reminder log keeps what was sent when, not to which
    address. Returns what went, for the erasure's entry."""
    from .models import ContactPreference, ReminderLog

    preferences = ContactPreference.objects.filter(person=person).delete()[0]
    logs = ReminderLog.objects.filter(person=person)
    if user is not None:
        logs = logs | ReminderLog.objects.filter(user=user)
    logs = logs | ReminderLog.objects.filter(recipient_key__in=[f"email:{e}" for e in emails])
    count = 0
    for log in logs.distinct():
        log.email = ""
        if log.recipient_key.startswith("email:"):
            log.recipient_key = f"erased:{log.pk}"
        log.save(update_fields=["email", "recipient_key"])
        count += 1
    done: dict[str, list[object]] = {}
    if preferences:
        done["contact_preference_deleted"] = [None, True]
    if count:
        done["reminder_addresses_erased"] = [None, count]
    return done
