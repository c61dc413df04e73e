"""The project's own records. Nothing domain-specific: a background import job."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def _import_upload_to(instance, filename):
    # A random directory, so a file's address cannot be guessed; it is removed once the
    # job has run.
    return f"imports/{uuid.uuid4().hex}/{filename}"


class ImportJob(models.Model):
    """A large import file that a Celery task imports (all or nothing), with its
    outcome. Progress while it runs is kept outside the database (see
    malardal.services.import_job_progress): the import's own transaction hides its rows
    until the end."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Nothing imported")

    model = models.CharField(_("model"), max_length=100)  # an app label, e.g. "plan.Activity"
    resource_index = models.PositiveSmallIntegerField(default=0)
    format_index = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(_("file"), upload_to=_import_upload_to, blank=True, max_length=300)
    file_name = models.CharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    language = models.CharField(_("language"), max_length=10, default="sv")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=State.choices, default=State.QUEUED
    )
    # {"new": n, "update": n, "skip": n, "delete": n}
    totals = models.JSONField(_("totals"), default=dict, blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.model} {self.file_name} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in (self.State.DONE, self.State.FAILED)
