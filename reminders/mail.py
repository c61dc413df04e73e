"""Turning a planned reminder into an e-mail, and telling temporary SMTP failures from
permanent ones."""

import smtplib
import uuid
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import select_template
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from malardal.mail import header_text

from .ics import event_cancellation_ics, event_ics
from .models import ReminderLog
from .selectors import REASON_BODY, PlannedReminder, followup_summary_context

TEMPORARY = "temporary"
PERMANENT = "permanent"


def classify_smtp_error(exc: BaseException) -> str:
    """TEMPORARY for what may work later (4xx replies, a dropped or refused connection, a
    timeout); PERMANENT for what will not (5xx replies, anything else)."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        if codes and all(400 <= code < 500 for code in codes):
            return TEMPORARY
        return PERMANENT
    if isinstance(exc, smtplib.SMTPResponseException):
        return TEMPORARY if 400 <= exc.smtp_code < 500 else PERMANENT
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return TEMPORARY
    if isinstance(exc, smtplib.SMTPException):
        return PERMANENT  # e.g. the server lacks STARTTLS or AUTH we were told to use.
    if isinstance(exc, OSError):
        return TEMPORARY  # Connection refused or reset, timeout, name not resolved.
    return PERMANENT


def _template(kind: str, part: str, language: str):
    return select_template(
        [
            f"reminders/email/{kind}_{part}.{language}.txt",
            f"reminders/email/{kind}_{part}.{settings.LANGUAGE_CODE}.txt",
        ]
    )


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL}{url}"


def report_url(activity) -> str:
    """Where the owner reports on `activity` (their "My activities" page, at the
    activity's form), in the active language."""
    return _absolute(f"{reverse('plan:my_activities')}#activity-{activity.pk}")


def activity_url(activity) -> str:
    """The activity's public page, in the active language."""
    return _absolute(activity.get_absolute_url())


def event_page_url(event) -> str:
    try:
        return _absolute(event.get_absolute_url())
    except NoReverseMatch:
        return ""


def _context(planned: PlannedReminder) -> dict:
    context = {
        "recipient": planned.recipient,
        "person": planned.recipient.person,
        "site_url": settings.SITE_URL,
        "period": planned.period,
        "event": planned.event,
    }
    summary = planned.kind == ReminderLog.Kind.FOLLOWUP_SUMMARY
    if planned.period is not None:
        plan = planned.period.plan
        context["plan"] = plan
        context["activities"] = [
            {
                "activity": a,
                "url": activity_url(a) if summary else report_url(a),
                "owners": list(a.owners.all()),
            }
            for a in planned.activities
        ]
    if summary:
        context.update(followup_summary_context(planned.period, planned.activities))
        context["dashboard_url"] = _absolute(
            reverse("plan:followup_dashboard", kwargs={"year": plan.year})
        )
    if planned.event is not None:
        context["event_url"] = event_page_url(planned.event)
        context["because_body"] = planned.reason == REASON_BODY
    return context


def render_reminder(planned: PlannedReminder) -> tuple[str, str]:
    """The subject and plain-text body, in the recipient's language."""
    language = planned.recipient.language
    with translation.override(language):
        context = _context(planned)
        subject = _template(planned.kind, "subject", language).render(context)
        body = _template(planned.kind, "body", language).render(context)
    return header_text(subject), body


def message_id(log: ReminderLog) -> str:
    """A Message-ID that is the same for every attempt at one reminder, so that if a mail
    is ever delivered twice (a worker killed between the server's OK and our note of it)
    mail programs can tell it is the same mail."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "localhost"
    stable = uuid.uuid5(uuid.NAMESPACE_URL, f"{log.kind}/{log.occasion}/{log.recipient_key}")
    return f"<reminder.{log.pk}.{stable.hex[:16]}@{domain}>"


def build_message(planned: PlannedReminder, log: ReminderLog) -> EmailMessage:
    subject, body = render_reminder(planned)
    recipient = planned.recipient
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[
            formataddr((header_text(recipient.name), recipient.email))
            if header_text(recipient.name)
            else recipient.email
        ],
        headers={
            "Message-ID": message_id(log),
            "Auto-Submitted": "auto-generated",
            "Content-Language": recipient.language,
        },
    )
    if planned.kind == ReminderLog.Kind.EVENT_CANCELLED:
        # method=CANCEL in the content type too: mail programs offer "remove from
        # calendar" for it.
        message.attach(
            f"{planned.event.slug}.ics",
            event_cancellation_ics(
                planned.event, language=recipient.language, attendee=recipient.email
            ).decode(),
            "text/calendar; method=CANCEL",
        )
    elif planned.event is not None:
        message.attach(
            f"{planned.event.slug}.ics",
            event_ics(planned.event, language=recipient.language).decode(),
            "text/calendar",
        )
    return message


def render_preview(planned: PlannedReminder) -> str:
    """The mail as text, for the dry run."""
    subject, body = render_reminder(planned)
    attachment = f"\nAttachment: {planned.event.slug}.ics" if planned.event else ""
    return f"To: {planned.recipient.email}\nSubject: {subject}{attachment}\n\n{body}"
