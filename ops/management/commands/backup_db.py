from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the database to a time-stamped file under BACKUP_DIR (var/backups/): "
        "a pg_dump custom-format file for PostgreSQL, a copy of the file for SQLite."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", type=Path, help="Write the backup to this file.")
        parser.add_argument("--database", default="default")

    def handle(self, *args, output=None, database="default", **options):
        try:
            path = backup_create(path=output, alias=database)
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(str(path))
