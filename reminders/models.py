"""Reminders: who prefers which language, and the log that makes every reminder go out
exactly once."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Event
from members.models import Person
from plan.models import ReportingPeriod


class ContactPreference(models.Model):
    """How a person wants to be contacted by the portal. Person lives in members/; the
    preference lives here so the reminder code owns what it reads."""

    person = models.OneToOneField(
        Person,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="contact_preference",
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language of the reminders and other mail the portal sends."),
    )

    class Meta:
        ordering = ["person__last_name", "person__first_name"]
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self):
        return f"{self.person}: {self.get_language_display()}"


class ReminderLog(models.Model):
    """One reminder to one recipient for one occasion.

    The row is the claim: it is inserted (unique on kind, occasion and recipient) before
    anything is sent, and a worker sends only after it has moved the row to ``claimed``
    with a conditional update that changed exactly one row. So running the reminders
    twice, on two workers at once, or again after a worker died, sends each mail once.
    """

    class Kind(models.TextChoices):
        FOLLOWUP_BEFORE = "followup_before", _("Follow-up due soon")
        FOLLOWUP_AFTER = "followup_after", _("Follow-up overdue")
        FOLLOWUP_SUMMARY = "followup_summary", _("Follow-up summary for the secretariat")
        EVENT = "event", _("Meeting reminder")
        EVENT_CANCELLED = "event_cancelled", _("Cancellation of an event")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        CLAIMED = "claimed", _("Being sent")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Not needed any more")
        FAILED_TEMPORARY = "failed_temporary", _("Temporary failure, will be retried")
        FAILED_PERMANENT = "failed_permanent", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    occasion = models.CharField(
        _("occasion"),
        max_length=100,
        help_text=_("What the reminder is for, with its date, e.g. period:3:2024-05-15."),
    )
    recipient_key = models.CharField(
        _("recipient key"), max_length=200, help_text=_("person:12, user:3 or email:address")
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("person"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
    )
    period = models.ForeignKey(
        ReportingPeriod,
        verbose_name=_("reporting period"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
    )
    event = models.ForeignKey(
        Event,
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reminders",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    claim_token = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminder log")
        constraints = [
            # The claim: one row per reminder, whatever races to insert it. A string
            # occasion (not nullable foreign keys) keeps the constraint strict on both
            # SQLite and PostgreSQL, where NULLs would count as distinct.
            models.UniqueConstraint(
                fields=["kind", "occasion", "recipient_key"], name="unique_reminder"
            )
        ]
        indexes = [models.Index(fields=["status", "claimed_at"], name="reminder_status_claimed")]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.email or self.recipient_key}"


class ReminderRun(models.Model):
    """One run of the reminder job, so the secretariat can see when it last ran."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        COMMAND = "command", _("Command")
        ADMIN = "admin", _("Admin")

    trigger = models.CharField(_("started by"), max_length=10, choices=Trigger.choices)
    day = models.DateField(_("day"))
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    due = models.PositiveIntegerField(_("reminders due"), default=0)
    queued = models.PositiveIntegerField(_("reminders queued"), default=0)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("reminder run")
        verbose_name_plural = _("reminder runs")

    def __str__(self):
        return f"{self.day} ({self.get_trigger_display()})"
