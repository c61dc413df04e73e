import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from reminders import selectors, services
from reminders.mail import render_preview
from reminders.models import ReminderLog, ReminderRun


class Command(BaseCommand):
    help = (
        "Send the reminders that are due, exactly as the scheduled task does. "
        "With --dry-run, list what would be sent and send nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be sent; send nothing."
        )
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            help="Act as if today were this day (YYYY-MM-DD). Default: today.",
        )
        parser.add_argument(
            "--show", action="store_true", help="With --dry-run, print each mail in full."
        )

    def handle(self, *args, dry_run=False, date=None, show=False, **options):
        if show and not dry_run:
            raise CommandError("--show only goes with --dry-run.")
        if dry_run:
            return self.dry_run(date, show=show)
        run = services.reminders_run(today=date, trigger=ReminderRun.Trigger.COMMAND)
        self.stdout.write(f"{run.queued} new reminders queued for {run.day}.")
        # Without a broker (make run) delivery has already happened in-process; with one,
        # workers are sending: this shows where each stands right now.
        logs = ReminderLog.objects.filter(updated_at__gte=run.started_at).order_by("pk")
        for log in logs:
            self.stdout.write(
                f"  {log.get_status_display():<30} {log.kind:<17} {log.email} {log.occasion}"
                + (f"  {log.error}" if log.error else "")
            )

    def dry_run(self, date, *, show):
        today = date or timezone.localdate()
        planned = selectors.reminders_not_yet_logged(today)
        if not planned:
            self.stdout.write(f"Dry run for {today}: nothing to send.")
            return
        self.stdout.write(f"Dry run for {today}: {len(planned)} reminders would be sent:")
        for item in planned:
            self.stdout.write(f"  {item.describe()}")
            if show:
                self.stdout.write("")
                for line in render_preview(item).splitlines():
                    self.stdout.write(f"    | {line}")
                self.stdout.write("")
        self.stdout.write("Nothing was sent.")
