from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginThrottle(models.Model):
    """A counter of failed logins, or of password-reset mails, under one key:

    - ``pair:<user name>|<address>``: failed logins with one user name from one address;
    - ``ip:<address>``: failed logins from one address, whatever the user name;
    - ``reset-user:<user id>`` and ``reset-ip:<address>``: password-reset mails asked for.

    Reaching a limit sets ``locked_until``; see :mod:`accounts.services` for the rules.
    No key names a user name alone, so no one can lock another person out from an
    address of their own.
    """

    key = models.CharField(_("user name or address"), max_length=200, unique=True)
    failures = models.PositiveIntegerField(_("failed attempts"), default=0)
    window_started_at = models.DateTimeField(_("first failure at"))
    last_failure_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        ordering = ["-window_started_at"]
        verbose_name = _("login lock")
        verbose_name_plural = _("login locks")

    def __str__(self):
        return self.key
