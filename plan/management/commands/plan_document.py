from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from malardal.files import write_private_file
from plan.models import Plan
from plan.reports import plan_document_pdf
from plan.word import plan_document_docx


class Command(BaseCommand):
    help = (
        "Write the operations plan of a year as a document regenerated from the data: "
        "every heading, text, goal and activity. PDF (tagged, with contents and page "
        "numbers) or DOCX (Word, with real heading and list styles)."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", type=int, help="The plan's year, e.g. 2023.")
        parser.add_argument("--format", dest="fmt", choices=["pdf", "docx"], default="pdf")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default="sv"
        )
        parser.add_argument("--output", required=True, help="The file to write.")

    def handle(self, *args, year, fmt, language, output, **options):
        plan = Plan.objects.filter(year=year).first()
        if plan is None:
            raise CommandError(f"There is no plan for {year}.")
        build = plan_document_docx if fmt == "docx" else plan_document_pdf
        write_private_file(output, build(plan, language))
        self.stdout.write(f"Wrote the {year} plan ({fmt}, {language}) to {output}.")
