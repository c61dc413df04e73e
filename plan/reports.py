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

import base64
import csv
import datetime
import html as html_lib
import io
import re
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from malardal.spreadsheets import neutralise_row, protect_xlsx_cell

from . import selectors
from .charts import progress_bars_svg, status_distribution_svg
from .followup import FollowupReport, PlanFollowUp, attainment_parts, followup_report
from .models import Plan, ReportRequest

PRINT_STYLESHEET = "plan/print.css"
# Times in the spreadsheets are Swedish wall-clock time, whatever the server's zone.
SWEDISH_TIME = ZoneInfo("Europe/Stockholm")
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


# A tagged PDF (PDF/UA-1 as far as WeasyPrint goes): a structure tree from the HTML
# (headings H1–H6 in document order, lists, tables with their headers, figures with the
# <img>'s alt as /Alt), /Lang from <html lang>, the <title> shown as the window title,
# XMP metadata that claims PDF/UA, and bookmarks from the headings. Swedish public bodies
# must publish accessible documents (lagen om tillgänglighet till digital offentlig
# service); veraPDF is the tool to check a file against PDF/UA in full.
PDF_VARIANT = "pdf/ua-1"


# The charts (plan/charts.py) are inline SVG with role="img", a <title> and a <desc>;
# WeasyPrint tags only <img> as a Figure with /Alt. So for the PDF each such chart becomes
# an <img> of the same SVG (a data: URL, the one kind of URL the PDF may load) whose alt
# is the chart's title and description. Decorative SVG (aria-hidden, e.g. the status
# swatches next to a status's name) stays inline and gets no figure.
_CHART_SVG = re.compile(r"<svg\b(?P<attrs>[^>]*)>(?P<body>.*?)</svg>", re.S)
_CLASS = re.compile(r'\bclass="([^"]*)"')


def _svg_text(body: str, tag: str) -> str:
    found = re.search(rf"<{tag}\b[^>]*>(.*?)</{tag}>", body, re.S)
    return " ".join(html_lib.unescape(found.group(1)).split()) if found else ""


def _chart_as_image(match: re.Match) -> str:
    attrs = match.group("attrs")
    if 'role="img"' not in attrs:
        return match.group(0)
    title = _svg_text(match.group("body"), "title")
    desc = _svg_text(match.group("body"), "desc")
    alt = f"{title}: {desc}" if title and desc else title or desc
    css_class = _CLASS.search(attrs)
    svg = match.group(0)
    if "xmlns=" not in attrs:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    source = base64.b64encode(svg.encode()).decode()
    return (
        f'<img class="{html_lib.escape(css_class.group(1) if css_class else "chart")}" '
        f'alt="{html_lib.escape(alt)}" src="data:image/svg+xml;base64,{source}">'
    )


def charts_as_images(html: str) -> str:
    """`html` with every chart SVG (role="img") replaced by an <img> with alt text."""
    return _CHART_SVG.sub(_chart_as_image, html)


def html_to_pdf(html: str) -> bytes:
    """Render `html` with the print stylesheet as a tagged PDF; links resolve against
    SITE_URL."""
    from weasyprint import CSS, HTML

    stylesheet = finders.find(PRINT_STYLESHEET)
    if stylesheet is None:
        raise ReportError(f"The print stylesheet {PRINT_STYLESHEET} is missing")
    document = HTML(
        string=charts_as_images(html),
        base_url=settings.SITE_URL + "/",
        url_fetcher=_refuse_fetch,
    )
    return document.write_pdf(stylesheets=[CSS(filename=Path(stylesheet))], pdf_variant=PDF_VARIANT)


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


def _report_budget_lines(report: FollowupReport):
    from .budget import budget_lines

    return budget_lines(
        (item.section, [entry.activity for entry in item.activities]) for item in report.sections
    )


def followup_report_context(plan: Plan, *, with_budget: bool = True) -> dict:
    """The yearly report's context. The report files are the board's: their budget is
    always in them; the web page passes `with_budget` from plan.budget.may_see_budget."""
    from .budget import budget_rows, plan_budget

    report = followup_report(plan)
    context = {
        "plan": plan,
        "report": report,
        "attainment_parts": attainment_parts(report.attainment),
        **summary_charts(report.final),
    }
    if with_budget:
        totals = plan_budget(plan)
        context |= {
            "budget": totals,
            "budget_areas": budget_rows(plan, totals),
            # Each section's and activity's own amounts, under the totals (no queries).
            "budget_lines": _report_budget_lines(report),
        }
    return context


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
            _("%(period)s: reported") % {"period": period.name},
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
                    row += ["", None, "", None]
                else:
                    row += [
                        str(update.status.name),
                        update.progress,
                        update.comment,
                        _local(update.reported_at),
                    ]
            final = item.final
            row += [str(final.status.name) if final else "", final.progress if final else None]
            row += [_yes(item.figure.is_late), _yes(item.figure.report_missing)]
            rows.append(row)
    return headers, rows


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """`moment` as the wall-clock time in Sweden, without a time zone: spreadsheets have
    none, and a reader in Sweden expects the time the report was made there."""
    if moment is None:
        return None
    return timezone.localtime(moment, SWEDISH_TIME).replace(tzinfo=None)


def _cell_text(value) -> str:
    """A CSV cell: a time as "2023-05-04 13:05", nothing for None."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return value


def _yes(value: bool) -> str:
    return str(_("Yes")) if value else ""


def _indicator_text(row) -> str:
    """ "Name: 750 000 (2022); target 120 000 (2025)" — only what the data holds."""
    indicator = row.indicator
    parts = []
    if row.latest is not None:
        value = row.latest.headline or selectors.format_decimal(row.latest.value)
        parts.append(f"{value} ({row.latest.year})" if row.latest.year else value)
    if row.has_target:
        target = selectors.format_decimal(indicator.target_value)
        if indicator.target_year:
            target = f"{target} ({indicator.target_year})"
        parts.append(_("target %(target)s") % {"target": target})
    unit = f" ({indicator.unit})" if indicator.unit else ""
    return f"{indicator.name}{unit}: {'; '.join(parts)}" if parts else f"{indicator.name}{unit}"


def goals_table(report: FollowupReport) -> tuple[list[str], list[list]]:
    """One row per overall goal, in plan order: its section, its current assessment
    and analysis, its contributing activities (count and names) and its indicators."""
    headers = [
        _("Section number"),
        _("Section"),
        _("Goal"),
        _("Assessment"),
        _("Assessed for"),
        _("Analysis"),
        _("Contributing activities"),
        _("Contributing activities (names)"),
        _("Indicators"),
    ]
    rows = []
    for section in report.sections:
        for item in section.goal_items:
            assessment = item.assessment
            rows.append(
                [
                    section.section.number,
                    section.section.heading,
                    item.goal.text,
                    str(assessment.level.name) if assessment else str(_("No assessment")),
                    str(assessment.period.name) if assessment else "",
                    assessment.analysis if assessment else "",
                    len(item.activities),
                    "\n".join(a.activity.text for a in item.activities),
                    "\n".join(_indicator_text(row) for row in item.indicators),
                ]
            )
    return headers, rows


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
    further table under a one-cell title row: the goals (one row per goal) and the
    summary of the progress figures."""
    with translation.override(language):
        report = _report_for_table(plan)
        tables = [
            (None, *followup_table(report)),
            (_("Goals"), *goals_table(report)),
            (_("Summary"), *summary_table(report)),
        ]
    out = io.StringIO()
    # As Excel in Swedish reads and writes CSV (semicolons, CRLF), so the board's
    # double-click opens it in columns (issue 13).
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for title, headers, rows in tables:
        if title is not None:
            writer.writerow([])
            writer.writerow(neutralise_row([title]))
        writer.writerow(neutralise_row(headers))
        for row in rows:
            writer.writerow(neutralise_row(_cell_text(cell) for cell in row))
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
    # Text cells hold text: a spreadsheet program never reads one as a formula. Times are
    # date cells (Swedish wall-clock time), shown as 2023-05-04 13:05.
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
                protect_xlsx_cell(cell)
            elif isinstance(cell.value, datetime.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    _print_setup(sheet)


def _print_setup(sheet) -> None:
    """Printed, the sheet is A4 landscape, every column on one page width (as many
    pages down as it takes) and the header row on every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"
    sheet.print_options.gridLines = True


def followup_report_xlsx(plan: Plan, language: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    with translation.override(language):
        report = _report_for_table(plan)
        headers, rows = followup_table(report)
        title = _("Follow-up %(year)s") % {"year": plan.year}
        summary_title = _("Summary")
        summary = summary_table(report)
        goals_title = _("Goals")
        goals = goals_table(report)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    _fill_sheet(sheet, headers, rows)
    widths = {1: 10, 2: 30, 3: 10, 4: 60, 5: 25, 6: 25}
    per_period = (16, 12, 40, 17)  # status, progress, comment, reported
    period_columns = 4 * len(report.periods)
    for index in range(1, len(headers) + 1):
        if index in widths:
            width = widths[index]
        elif index <= 6 + period_columns:
            width = per_period[(index - 7) % 4]
        else:
            width = 16
        sheet.column_dimensions[get_column_letter(index)].width = width
    goals_sheet = workbook.create_sheet(goals_title[:31])
    _fill_sheet(goals_sheet, *goals)
    for index, width in enumerate([10, 30, 60, 18, 14, 60, 12, 60, 50], start=1):
        goals_sheet.column_dimensions[get_column_letter(index)].width = width
    for row in goals_sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    summary_sheet = workbook.create_sheet(summary_title[:31])
    _fill_sheet(summary_sheet, *summary)
    for index, width in enumerate([40, 18, 12, 12, 10, 14, 45], start=1):
        summary_sheet.column_dimensions[get_column_letter(index)].width = width
    with translation.override(language):
        budget_headers, budget_rows_ = budget_table(plan, report)
        budget_title = _("Budget")
    budget_sheet = workbook.create_sheet(budget_title[:31])
    _fill_sheet(budget_sheet, budget_headers, budget_rows_)
    for row in budget_sheet.iter_rows(min_row=2, min_col=4, max_col=5):
        for cell in row:
            cell.number_format = SEK_FORMAT
    for row in budget_sheet.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate([16, 12, 60, 18, 18], start=1):
        budget_sheet.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# Kronor with two decimals and grouped thousands; the spreadsheet program shows the
# separators of its own language (1 250 000,00 kr in Swedish Excel).
SEK_FORMAT = '#,##0.00 "kr"'


def budget_table(plan: Plan, report: FollowupReport) -> tuple[list[str], list[list]]:
    """The Budget sheet: every section in plan order with its own amounts, each followed
    by its activities' amounts; then one total row per area and the plan's total, from
    plan.budget (never added up here). Numbers are numbers; an amount not given is an
    empty cell, never 0."""
    from .budget import Totals, plan_budget

    totals = plan_budget(plan)
    headers = [
        _("Kind"),
        _("Section number"),
        _("Section, activity or total"),
        _("Planned (SEK)"),
        _("Actual (SEK)"),
    ]
    section_kind, activity_kind = _("Section"), _("Activity")
    rows = []
    for lines in _report_budget_lines(report):
        rows.append(
            [section_kind, lines.number, lines.heading, lines.section.planned, lines.section.actual]
        )
        for line in lines.activities:
            rows.append([activity_kind, lines.number, line.label, line.planned, line.actual])
    area_kind = _("Area total")
    for item in report.sections:
        if item.section.parent_id is None:
            area = totals.areas.get(item.section.pk, Totals())
            rows.append(
                [area_kind, item.section.number, item.section.heading, area.planned, area.actual]
            )
    rows.append(
        [_("Plan total"), None, _("The whole plan"), totals.plan.planned, totals.plan.actual]
    )
    return headers, rows


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
