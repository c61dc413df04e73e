from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from events.signals import event_cancelled

        from .receivers import queue_event_cancellations

        event_cancelled.connect(queue_event_cancellations, dispatch_uid="reminders:cancel")
