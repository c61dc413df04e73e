import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

PASSWORD_FILE = settings.BASE_DIR / ".local-admin-password"


class Command(BaseCommand):
    help = (
        "Make sure the local development superuser 'admin' exists and print how to log in. "
        "Only with DEBUG on: production accounts are made with createsuperuser."
    )

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_local_admin is for development (DEBUG=1) only.")
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None or not PASSWORD_FILE.exists():
            # A fresh random password, kept beside the checkout (git ignores it), so the
            # account is never left with a guessable password.
            password = secrets.token_urlsafe(12)
            if user is None:
                user = User.objects.create_superuser(username, f"{username}@localhost", password)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            PASSWORD_FILE.write_text(password + "\n")
            PASSWORD_FILE.chmod(0o600)
        password = PASSWORD_FILE.read_text().strip()
        if not user.check_password(password):
            # Another database (DATABASE_URL) with an older admin: align it with the file.
            user.set_password(password)
            user.save(update_fields=["password"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Log in at http://127.0.0.1:{self._port()}/sv/admin/ as "
                f"'{username}' with password '{password}' "
                f"(kept in {PASSWORD_FILE.name})."
            )
        )

    @staticmethod
    def _port():
        import os

        return os.environ.get("PORT", "8000")
