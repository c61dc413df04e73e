"""Signals the events app sends, so apps that depend on it (reminders) can act without
events importing them (apps depend one way: events ← reminders).

``event_cancelled(sender=Event, event, by)``: sent inside the transaction of
``services.event_cancel``, once per cancellation (never for an event that was cancelled
already). Receivers that send something must do it with ``transaction.on_commit``.
"""

from django.dispatch import Signal

event_cancelled = Signal()
