from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from events.signals import event_cancelled
        from members.signals import person_erasing

        from .receivers import erase_person, queue_event_cancellations

        event_cancelled.connect(queue_event_cancellations, dispatch_uid="reminders:cancel")
        person_erasing.connect(erase_person, dispatch_uid="reminders:erase_person")
