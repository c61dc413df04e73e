from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Meeting places")

    def ready(self):
        from members.signals import person_erasing

        from .receivers import erase_person

        person_erasing.connect(erase_person, dispatch_uid="events:erase_person")
