from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from malardal.files import write_private_file
from plan.models import Plan, ReportRequest
from plan.reports import ReportError, build_followup_report_file


class Command(BaseCommand):
    help = (
        "Write the yearly follow-up report of a plan: cover, summary with charts, then per "
        "section its goals and each activity's status, progress and comments of every "
        "period, and the meeting places held. PDF, XLSX or CSV, in Swedish or English."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="The plan's year, e.g. 2023.")
        parser.add_argument(
            "--format", dest="fmt", choices=ReportRequest.Format.values, default="pdf"
        )
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default="sv"
        )
        parser.add_argument("--output", required=True, help="The file to write.")

    def handle(self, *args, year, fmt, language, output, **options):
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(f"There is no plan for {year}.")
        try:
            _name, content = build_followup_report_file(plan, fmt=fmt, language=language)
        except ReportError as exc:
            raise CommandError(str(exc)) from exc
        write_private_file(output, content)
        self.stdout.write(f"Wrote the {year} follow-up report ({fmt}, {language}) to {output}.")
