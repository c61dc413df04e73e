"""Files the plan refers to — the signed plan, minutes, Systemanalysen, strategies —
attached to a plan, section, activity, event or body, each with who may read it."""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# What a document can be attached to (app label, model name). A model added here gets
# documents on its admin page (an inline) and, where its page includes the list, there.
TARGETS = (
    ("plan", "plan"),
    ("plan", "section"),
    ("plan", "activity"),
    ("events", "event"),
    ("members", "body"),
)


def _targets_q() -> models.Q:
    q = models.Q(pk__in=[])
    for app_label, model in TARGETS:
        q |= models.Q(app_label=app_label, model=model)
    return q


def _upload_to(instance: "Document", filename: str) -> str:
    # A fresh random directory per upload keeps the original name readable, never
    # overwrites another file of the same name, and cannot be guessed.
    return f"documents/{secrets.token_hex(8)}/{PurePath(filename).name}"


class Document(models.Model):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("everyone")
        MEMBERS = "members", _("logged-in members")
        BOARD = "board", _("the board and the secretariat")

    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        DOCX = "docx", _("Word (DOCX)")
        XLSX = "xlsx", _("Excel (XLSX)")
        ODT = "odt", _("OpenDocument text (ODT)")

    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.CASCADE,
        limit_choices_to=_targets_q,
        verbose_name=_("attached to (kind)"),
    )
    object_id = models.PositiveBigIntegerField(_("attached to (id)"))
    target = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("title"), max_length=300)
    date = models.DateField(
        _("date"), null=True, blank=True, help_text=_("The document's own date, if it has one.")
    )
    visibility = models.CharField(
        _("who may read it"),
        max_length=10,
        choices=Visibility.choices,
        default=Visibility.MEMBERS,
    )
    file = models.FileField(_("file"), upload_to=_upload_to, max_length=300)
    kind = models.CharField(_("file type"), max_length=4, choices=Kind.choices, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0, editable=False)
    order = models.PositiveIntegerField(_("order"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["order", models.F("date").desc(nulls_last=True), "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="document_target_idx")]
        permissions = [("view_board_document", _("Can read documents for the board"))]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("documents:download", kwargs={"pk": self.pk, "filename": self.filename})

    @property
    def filename(self) -> str:
        return PurePath(self.file.name).name
