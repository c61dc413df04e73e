from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from plan.seed import SeedError, plan_seed_load


class Command(BaseCommand):
    help = (
        "Load Mälardalsrådet's adopted 2023 operations plan, in Swedish and English, with the "
        "organisations, bodies, meeting places and key figures it names. Safe to run again: "
        "only what is missing is created."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also set the texts of existing objects back to the shipped plan's.",
        )

    def handle(self, *args, update, **options):
        try:
            result = plan_seed_load(update=update)
        except (SeedError, ValidationError) as exc:
            raise CommandError(f"The 2023 plan was not loaded: {exc}") from exc
        if not result.changed:
            self.stdout.write("The 2023 plan is already loaded; nothing changed.")
            return
        for label, counts in (("Created", result.created), ("Updated", result.updated)):
            if counts:
                parts = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
                self.stdout.write(f"{label}: {parts}.")
        self.stdout.write(self.style.SUCCESS("The 2023 plan is loaded."))
