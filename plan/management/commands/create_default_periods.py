from django.core.management.base import BaseCommand

from plan.services import reporting_periods_create_missing


class Command(BaseCommand):
    help = (
        "Give every plan without reporting periods the default ones (tertial 1, tertial 2, "
        "the full year). Plans that have periods are left alone, so this is safe to run "
        "again; `make run` runs it after loading the 2023 plan."
    )

    def handle(self, *args, **options):
        created = reporting_periods_create_missing()
        if not created:
            self.stdout.write("Every plan has its reporting periods; nothing changed.")
            return
        for year, count in created.items():
            self.stdout.write(f"Created {count} reporting periods for {year}.")
