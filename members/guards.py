"""A person's login changes only through :func:`members.services.person_save` or
:func:`members.services.person_erase`, which check who may link it (issue 11, point 1).

Any other save that links, relinks or unlinks a login while a user is acting (a form
that skips the service, an inline, an import of another resource, a task acting for a
user) is refused with PermissionDenied. Commands and migrations (no acting user) are
not limited here.
"""

from django.core.exceptions import PermissionDenied
from django.db.models.signals import pre_save
from django.utils.translation import gettext

from audit.context import current_actor

from .models import Person

CHECKED = "_login_link_checked"


def guard_person_login(sender, instance, raw=False, using=None, **kwargs):
    checked = instance.__dict__.pop(CHECKED, False)
    if raw or checked or current_actor().user is None:
        return
    if instance.pk is None:
        stored = None
    else:
        row = sender._base_manager.using(using).filter(pk=instance.pk).values("user_id").first()
        stored = row["user_id"] if row else None
    if stored != instance.user_id:
        raise PermissionDenied(
            gettext("A person's login is linked only through the person's form or import.")
        )


def connect():
    pre_save.connect(guard_person_login, sender=Person, dispatch_uid="members_guard_login")
