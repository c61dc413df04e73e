"""Receivers of the plan app, connected in PlanConfig.ready."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from audit.models import AuditEntry

from . import report_files
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


@receiver(post_save, sender=AuditEntry, dispatch_uid="plan:report-files-refresh")
def refresh_report_files(sender, instance: AuditEntry, created=False, raw=False, **kwargs):
    """A change to what the yearly report reads (every write leaves an audit entry)
    queues a background build of its files (plan.report_files.schedule_refresh)."""
    if not created or raw or instance.content_type_id is None:
        return
    app_label = ContentType.objects.get_for_id(instance.content_type_id).app_label
    if app_label in report_files.REPORT_APPS:
        report_files.schedule_refresh()
