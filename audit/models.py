from django.conf import settings
from django.contrib.contenttypes.models import ContentType
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

    timestamp = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
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

    class Meta:
        ordering = ["-timestamp", "-pk"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["content_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return f"{self.get_action_display()}: {self.object_repr}"
