from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginThrottle(models.Model):
    """Failed logins counted for one user name (``user:<name>``) or one client
    address (``ip:<address>``). Reaching the limit inside the window locks the key
    until ``locked_until``; see :mod:`accounts.services`."""

    key = models.CharField(_("user name or address"), max_length=200, unique=True)
    failures = models.PositiveIntegerField(_("failed attempts"), default=0)
    window_started_at = models.DateTimeField(_("first failure at"))
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        ordering = ["-window_started_at"]
        verbose_name = _("login lock")
        verbose_name_plural = _("login locks")

    def __str__(self):
        return self.key
