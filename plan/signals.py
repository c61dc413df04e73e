"""Receivers of the plan app, connected in PlanConfig.ready."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import ReportRequest


@receiver(post_delete, sender=ReportRequest, dispatch_uid="plan:report-request-file")
def remove_report_file(sender, instance: ReportRequest, using=None, **kwargs):
    """A deleted request takes its file with it, once the deletion is committed (a
    rolled-back deletion keeps the file). Any path: the service, the admin, a plan
    deleted with its requests. Files orphaned otherwise (raw SQL, a process killed
    between commit and removal) are swept up by the nightly housekeeping."""
    if not instance.file:
        return
    storage, name = instance.file.storage, instance.file.name
    transaction.on_commit(lambda: storage.delete(name), using=using)
