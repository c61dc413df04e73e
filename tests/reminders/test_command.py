"""python manage.py send_reminders [--dry-run]"""

import io

from django.core.management import call_command

from reminders.models import ReminderLog, ReminderRun

from .conftest import TODAY


def test_the_dry_run_lists_what_would_be_sent_and_sends_nothing(smtp, followup):
    out = io.StringIO()
    call_command("send_reminders", "--dry-run", "--show", f"--date={TODAY}", stdout=out)

    text = out.getvalue()
    assert "2 reminders would be sent" in text
    assert "Anna Andersson <anna@example.org> [sv]" in text
    assert "Bob Brown <bob@example.org> [en]" in text
    assert "| Subject: Reminder: report the follow-up for Four-month period 1 by 15 May" in text
    assert "Nothing was sent." in text
    assert smtp.messages == []
    assert not ReminderLog.objects.exists()
    assert not ReminderRun.objects.exists()


def test_the_command_sends_like_the_scheduled_task(
    smtp, followup, django_capture_on_commit_callbacks
):
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_reminders", f"--date={TODAY}", stdout=out)

    assert len(smtp.messages) == 2
    assert ReminderRun.objects.get().trigger == "command"
    assert "2 new reminders queued" in out.getvalue()

    out = io.StringIO()
    call_command("send_reminders", "--dry-run", f"--date={TODAY}", stdout=out)
    assert "nothing to send" in out.getvalue()
