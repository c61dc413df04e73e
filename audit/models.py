from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One create, change or delete of a domain object, from any path (admin, import,
    services, tasks, the shell). Written by :mod:`audit.recorder` in the same
    transaction as the change, so a rolled-back change leaves no entry.

    ``changes`` maps a field name to ``[old, new]``: ``old`` is null on create and
    ``new`` is null on delete, so a deleted object keeps its last values here.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        UPDATE = "update", _("Changed")
        DELETE = "delete", _("Deleted")
        # What happened to logins (issue 11), with the client's address.
        LOGIN = "login", _("Logged in")
        LOGOUT = "logout", _("Logged out")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Locked out")
        PASSWORD_RESET = "password_reset", _("Password reset asked for")
        # One entry for an erasure of personal data: what was erased, not the values.
        ERASE = "erase", _("Personal data erased")

    timestamp = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("kind of object"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    changes = models.JSONField(_("changes"), default=dict, encoder=DjangoJSONEncoder)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_entries",
    )
    # Kept as text so the entry still says who it was if the login is deleted later.
    user_repr = models.CharField(_("who"), max_length=150)
    source = models.CharField(
        _("source"),
        max_length=300,
        blank=True,
        help_text=_("The address of the request, or the command, that made the change."),
    )
    client_address = models.GenericIPAddressField(
        _("client address"),
        null=True,
        blank=True,
        help_text=_("The IP address the request came from."),
    )

    class Meta:
        ordering = ["-timestamp", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.object_repr}"

    def save(self, *args, **kwargs):
        # Append-only: an entry, once written, is never changed or deleted through the
        # ORM's object methods. The one rewrite the law asks for (erasing a person's own
        # values, members.services.person_erase) is itself recorded as an entry.
        if not self._state.adding:
            raise PermissionDenied("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Audit entries cannot be deleted.")
