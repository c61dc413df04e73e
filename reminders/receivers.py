"""What the reminders app does when the events app says something happened."""

from functools import partial

from django.db import transaction


def queue_event_cancellations(sender, *, event, by=None, **kwargs) -> None:
    """An event was cancelled (events.services.event_cancel): once the cancellation is
    committed, a worker logs and sends the cancellation mails."""
    from .tasks import send_event_cancellations

    transaction.on_commit(partial(send_event_cancellations.delay, event.pk))
