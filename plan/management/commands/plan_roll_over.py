from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audit.context import acting_as
from plan.models import Plan
from plan.services import plan_roll_over


class Command(BaseCommand):
    help = (
        "Roll a plan over into next year's draft, as the admin action on Plans does: "
        "a hidden draft for the next year with copies of the texts, the section tree, "
        "goals and activities (with owners), and the default reporting periods."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="The year of the plan to roll over, e.g. 2023.")

    def handle(self, *args, year, **options):
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(f"There is no plan for {year}.")
        try:
            # The same service as the admin action; the audit trail names this command.
            with acting_as(None, source="manage.py plan_roll_over"):
                new_plan = plan_roll_over(plan=plan)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            f"Rolled {plan.year} over into a draft for {new_plan.year}: "
            f"{new_plan.sections.count()} sections, "
            f"{sum(s.activities.count() for s in new_plan.sections.all())} activities. "
            "It is hidden from visitors until it is published."
        )
