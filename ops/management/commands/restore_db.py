from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the whole database with a backup made by backup_db. The current "
        "database is backed up first (pre-restore-… under BACKUP_DIR). Stop the web "
        "processes and workers before you restore."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="A file made by backup_db.")
        parser.add_argument("--database", default="default")
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Do not ask first."
        )

    def handle(self, *args, file, database="default", interactive=True, **options):
        if interactive:
            answer = input(
                f"This replaces everything in the database with {file}.\nType 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Nothing was restored.")
        try:
            safety = backup_restore(path=file, alias=database)
        except BackupError as e:
            raise CommandError(f"Nothing was restored: {e}") from e
        if safety:
            self.stdout.write(f"The database as it was is in {safety}")
        self.stdout.write(
            self.style.SUCCESS(f"Restored {file}.")
            + " If it is older than the code, run `manage.py migrate` now."
        )
