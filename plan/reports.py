"""Files made from the plan: the yearly follow-up report (PDF, XLSX, CSV) and the plan
document (PDF).

The PDFs are WeasyPrint renderings of the same template pieces the web pages use
(``templates/plan/report/``, ``templates/plan/includes/``) with a print stylesheet
(``static/plan/print.css``: A4 pages, a table of contents with page numbers from
``target-counter``, page numbers in the margin). WeasyPrint fetches nothing: every
resource a template might name is refused except ``data:`` URLs, so a worker never
makes a network request on behalf of text typed into the portal.

The spreadsheets have one row per activity and, per reporting period, its status,
progress and comment; every text cell is made safe to open (see malardal.spreadsheets).
"""

import csv
import io
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from malardal.spreadsheets import neutralise_row, protect_xlsx_cell

from . import selectors
from .charts import progress_bars_svg, status_distribution_svg
from .followup import FollowupReport, PlanFollowUp, followup_report
from .models import Plan, ReportRequest

PRINT_STYLESHEET = "plan/print.css"
FORMATS = {choice.value for choice in ReportRequest.Format}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


class ReportError(Exception):
    """The report cannot be made as asked (unknown format or language)."""


# --- PDF ------------------------------------------------------------------------------


def _refuse_fetch(url, timeout=10, ssl_context=None):
    from weasyprint import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)
    raise ValueError(f"The PDF may not fetch {url}")


def html_to_pdf(html: str) -> bytes:
    """Render `html` with the print stylesheet; links resolve against SITE_URL."""
    from weasyprint import CSS, HTML

    stylesheet = finders.find(PRINT_STYLESHEET)
    if stylesheet is None:
        raise ReportError(f"The print stylesheet {PRINT_STYLESHEET} is missing")
    document = HTML(string=html, base_url=settings.SITE_URL + "/", url_fetcher=_refuse_fetch)
    return document.write_pdf(stylesheets=[CSS(filename=Path(stylesheet))])


def summary_charts(follow: PlanFollowUp) -> dict:
    """The two summary charts of a roll-up, with the rows of their text alternative."""
    section_rows = [(_section_label(s.section), s.total.progress) for s in follow.top_level]
    return {
        "status_chart": status_distribution_svg(
            follow.status_counts(), title=_("Activities by status")
        ),
        "progress_chart": progress_bars_svg(section_rows, title=_("Average progress per section")),
        "section_rows": section_rows,
    }


def _section_label(section) -> str:
    return f"{section.number} {section.heading}".strip()


def followup_report_context(plan: Plan) -> dict:
    report = followup_report(plan)
    return {"plan": plan, "report": report, **summary_charts(report.final)}


def followup_report_html(plan: Plan, language: str) -> str:
    with translation.override(language):
        return render_to_string("plan/report/followup_print.html", followup_report_context(plan))


def followup_report_pdf(plan: Plan, language: str) -> bytes:
    return html_to_pdf(followup_report_html(plan, language))


def plan_document_context(plan: Plan) -> dict:
    return {
        "plan": plan,
        "tree": selectors.section_tree(plan, with_content=True),
        **selectors.plan_front_matter(plan),
    }


def plan_document_html(plan: Plan, language: str) -> str:
    with translation.override(language):
        return render_to_string("plan/report/plan_document.html", plan_document_context(plan))


def plan_document_pdf(plan: Plan, language: str) -> bytes:
    """The operations plan regenerated from the data, reading like the adopted
    document: cover, contents with page numbers, introduction, direction goals,
    prioritised areas and every section with its text, goals and activities."""
    return html_to_pdf(plan_document_html(plan, language))


# --- Spreadsheets ---------------------------------------------------------------------


def followup_table(report: FollowupReport) -> tuple[list[str], list[list]]:
    """The report as a table: a header row and one row per activity, in plan order.
    Progress is a number; everything else is text (not yet made safe)."""
    headers = [
        _("Section number"),
        _("Section"),
        _("Activity id"),
        _("Activity"),
        _("Responsible"),
        _("Organisations"),
    ]
    for period in report.periods:
        headers += [
            _("%(period)s: status") % {"period": period.name},
            _("%(period)s: progress (%%)") % {"period": period.name},
            _("%(period)s: comment") % {"period": period.name},
        ]
    headers += [_("Final status"), _("Final progress (%)"), _("Late"), _("Report missing")]
    rows = []
    for section in report.sections:
        for item in section.activities:
            activity = item.activity
            row = [
                section.section.number,
                section.section.heading,
                activity.pk,
                activity.text,
                ", ".join(p.full_name for p in activity.owners.all()),
                ", ".join(o.name for o in activity.organisations.all()),
            ]
            for update in item.by_period:
                if update is None:
                    row += ["", None, ""]
                else:
                    row += [str(update.status.name), update.progress, update.comment]
            final = item.final
            row += [str(final.status.name) if final else "", final.progress if final else None]
            row += [_yes(item.figure.is_late), _yes(item.figure.report_missing)]
            rows.append(row)
    return headers, rows


def _yes(value: bool) -> str:
    return str(_("Yes")) if value else ""


def summary_table(report: FollowupReport) -> tuple[list[str], list[list]]:
    """The report's progress figures (plan.rollup) as a table: the plan, each area
    (top-level section) and each programme, with the scope each figure is of."""
    headers = [
        _("Scope"),
        _("Period"),
        _("Activities"),
        _("Progress (%)"),
        _("Late"),
        _("Report missing"),
        _("Progress"),
    ]
    final = report.final
    period = str(final.period.name) if final.period is not None else ""

    def row(label, figure):
        return [
            label,
            period,
            figure.activity_count,
            figure.progress,
            figure.late,
            figure.report_missing,
            figure.scope,
        ]

    rows = [row(str(_("The whole plan")), final.total)]
    rows += [row(_section_label(s.section), s.total) for s in final.top_level]
    rows += [row(label, figure) for label, figure in final.programmes]
    return headers, rows


def _report_for_table(plan: Plan) -> FollowupReport:
    report = followup_report(plan)
    # The table also names owners and organisations: two more queries for all rows.
    from django.db.models import prefetch_related_objects

    activities = [item.activity for s in report.sections for item in s.activities]
    prefetch_related_objects(activities, "owners", "organisations")
    return report


def followup_report_csv(plan: Plan, language: str) -> bytes:
    """The activity table first (one row per activity); then, after an empty row, each
    further table under a one-cell title row: the summary of the progress figures."""
    with translation.override(language):
        report = _report_for_table(plan)
        tables = [(None, *followup_table(report)), (_("Summary"), *summary_table(report))]
    out = io.StringIO()
    writer = csv.writer(out)
    for title, headers, rows in tables:
        if title is not None:
            writer.writerow([])
            writer.writerow(neutralise_row([title]))
        writer.writerow(neutralise_row(headers))
        for row in rows:
            writer.writerow(neutralise_row("" if cell is None else cell for cell in row))
    # With a byte order mark, Excel opens the file with å, ä and ö intact.
    return out.getvalue().encode("utf-8-sig")


def _fill_sheet(sheet, headers, rows) -> None:
    """A header row in bold, the rows, text cells made safe; frozen header, filter."""
    from openpyxl.styles import Alignment, Font

    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    # Text cells hold text: a spreadsheet program never reads one as a formula.
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                protect_xlsx_cell(cell)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions


def followup_report_xlsx(plan: Plan, language: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    with translation.override(language):
        report = _report_for_table(plan)
        headers, rows = followup_table(report)
        title = _("Follow-up %(year)s") % {"year": plan.year}
        summary_title = _("Summary")
        summary = summary_table(report)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    _fill_sheet(sheet, headers, rows)
    widths = {1: 10, 2: 30, 3: 10, 4: 60, 5: 25, 6: 25}
    for index in range(1, len(headers) + 1):
        width = widths.get(index, 40 if (index - 6) % 3 == 0 else 16)
        sheet.column_dimensions[get_column_letter(index)].width = width
    summary_sheet = workbook.create_sheet(summary_title[:31])
    _fill_sheet(summary_sheet, *summary)
    for index, width in enumerate([40, 18, 12, 12, 10, 14, 45], start=1):
        summary_sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# --- One entry point for the command and the task -------------------------------------


def report_filename(plan: Plan, *, fmt: str, language: str) -> str:
    with translation.override(language):
        stem = slugify(_("follow-up report %(year)s") % {"year": plan.year})
    return f"{stem}-{language}.{fmt}"


def build_followup_report_file(plan: Plan, *, fmt: str, language: str) -> tuple[str, bytes]:
    """The yearly follow-up report of `plan` as (file name, content)."""
    if fmt not in FORMATS:
        raise ReportError(f"Unknown format {fmt!r}; use one of {', '.join(sorted(FORMATS))}")
    if language not in dict(settings.LANGUAGES):
        raise ReportError(f"Unknown language {language!r}")
    builders = {
        "pdf": followup_report_pdf,
        "xlsx": followup_report_xlsx,
        "csv": followup_report_csv,
    }
    return report_filename(plan, fmt=fmt, language=language), builders[fmt](plan, language)
