"""One progress figure, everywhere: the 2023 plan's figures are computed once, through
plan.rollup (by plan.followup.plan_progress), and every page and every report format
must show exactly those — the same number for the same scope, with the scope named.

Pages are parsed with a real HTML parser, the PDF read with pdftotext, the XLSX with
openpyxl and the CSV with the csv module."""

import csv
import datetime
import io
import re
from html.parser import HTMLParser

import openpyxl
import pytest
from django.utils import translation

from plan import reports
from plan.followup import plan_progress
from plan.models import Activity, Plan, Status
from plan.seed import plan_seed_load
from plan.services import reporting_periods_create_default
from tests.factories import StatusUpdateFactory

from .test_reports import pdf_text

pytestmark = pytest.mark.django_db


class FigureParser(HTMLParser):
    """The text of every element with class ``progress-figure`` (and of its parts)."""

    def __init__(self):
        super().__init__()
        self.figures: list[str] = []
        self._depth = 0  # inside a figure: the open elements' count
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "input", "meta", "link"}:
            return
        classes = (dict(attrs).get("class") or "").split()
        if self._depth:
            self._depth += 1
        elif "progress-figure" in classes:
            self._depth = 1
            self._text = []

    def handle_endtag(self, tag):
        if self._depth:
            self._depth -= 1
            if not self._depth:
                self.figures.append(" ".join("".join(self._text).split()))

    def handle_data(self, data):
        if self._depth:
            self._text.append(data)


def figures_on(html: str) -> list[str]:
    parser = FigureParser()
    parser.feed(html)
    return parser.figures


def shown(label, figure) -> str:
    """How a figure reads on a page: "Label: 32 % of 50 activities, Full year – 3 late,
    50 reports missing" (whitespace collapsed, as the parser gives it)."""
    text = f"{figure.scope} – {figure.late_text}, {figure.report_missing_text}"
    if label:
        text = f"{label}: {text}"
    return " ".join(text.split())


@pytest.fixture
def year_2023(db):
    """The 2023 plan with reports: a spread of progress over three periods, some
    activities never reported, some past their end date."""
    plan_seed_load()
    plan = Plan.objects.get(year=2023)
    if not plan.periods.exists():
        reporting_periods_create_default(plan=plan)
    t1, t2, full = plan.periods.order_by("order")
    statuses = list(Status.objects.order_by("order"))
    activities = list(
        Activity.objects.filter(section__plan=plan).order_by("section__order", "order")
    )
    for i, activity in enumerate(activities):
        if i % 5 == 4:
            continue  # never reported
        StatusUpdateFactory(activity=activity, period=t1, status=statuses[i % 3], progress=i % 40)
        if i % 3:
            StatusUpdateFactory(
                activity=activity, period=t2, status=statuses[1], progress=(i * 7) % 101
            )
        if i % 4 == 0:
            StatusUpdateFactory(activity=activity, period=full, status=statuses[4], progress=100)
        if i % 6 == 1:
            activity.end_date = datetime.date(2023, 6, 30)
            activity.save(update_fields=["end_date"])
    return plan


def expected(plan, lang):
    """Every figure of the year, computed once, as each page words it."""
    with translation.override(lang):
        progress = plan_progress(plan)
        areas = [s for s in progress.sections if s.section.depth == 0 and s.total.activity_count]
        return {
            "progress": progress,
            "plan": shown(translation.gettext("Progress of the plan"), progress.total),
            "areas": [shown(None, s.total) for s in areas],
            "sections": {
                s.section.slug: s.total for s in progress.sections if s.total.activity_count
            },
            "label": translation.gettext("Progress"),
            "programme": {code: progress.programme(code) for code in ("ebs", "ebm")},
            "programme_label": translation.gettext("Progress of the programme"),
        }


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_every_page_and_report_shows_the_same_figures(
    client, board_user, year_2023, lang, tmp_path
):
    plan = year_2023
    want = expected(plan, lang)
    progress = want["progress"]
    total = progress.total
    # The year's figures are of its last period (every due date has passed).
    assert progress.period == plan.periods.order_by("order").last()
    assert total.activity_count == Activity.objects.filter(section__plan=plan).count()
    assert 0 < total.progress < 100 and total.late and total.report_missing
    with translation.override(lang):
        section_shown = {
            slug: shown(want["label"], figure) for slug, figure in want["sections"].items()
        }
        bare = {shown(None, f) for f in want["sections"].values()}
        programme_shown = {
            code: shown(want["programme_label"], f) for code, f in want["programme"].items()
        }
    every_figure = {want["plan"], *want["areas"], *section_shown.values()}

    # Home: the plan's figure in the year strip under the H1 (issue 14, point 4), one per
    # area, and the plan's again under Follow-up; nothing else.
    with translation.override(lang):
        strip = shown(None, total)
    home = figures_on(client.get(f"/{lang}/").content.decode())
    assert home == [strip, *want["areas"], want["plan"]]

    # The plan page: the plan's figure in the strip, then one per section with
    # activities, in order.
    page = figures_on(client.get(f"/{lang}/plan/2023/").content.decode())
    assert page == [strip, *section_shown.values()]

    # Each section page: its own figure (with its sub-sections).
    for slug, text in section_shown.items():
        html = client.get(f"/{lang}/plan/2023/{slug}/").content.decode()
        assert figures_on(html) == [text], slug

    # Programme pages: the programme's figure first, then its sections'.
    for code in ("ebs", "ebm"):
        html = client.get(f"/{lang}/programmes/{code}/").content.decode()
        found = figures_on(html)
        figure = want["programme"][code]
        assert figure.activity_count
        assert found[0] == programme_shown[code]
        assert set(found[1:]) <= bare

    # The board's dashboard and the yearly report page.
    client.force_login(board_user)
    dashboard = client.get(f"/{lang}/followup/2023/").content.decode()
    found = figures_on(dashboard)
    assert found[0] == want["plan"]
    assert set(found[1:]) <= bare
    assert f'data-count="late">{total.late}<' in dashboard
    assert f'data-count="report-missing">{total.report_missing}<' in dashboard
    report_page = figures_on(client.get(f"/{lang}/followup/2023/report/").content.decode())
    assert report_page[0] == want["plan"]
    assert set(report_page) <= every_figure

    # The PDF: every "N % of M activities, period" in it is one of the year's figures,
    # and the plan's is there with its counts.
    text = " ".join(pdf_text(reports.followup_report_pdf(plan, lang), tmp_path).split())
    assert want["plan"] in text
    pattern = r"(\d+) % (?:av|of) (\d+) (?:aktiviteter|aktivitet|activities|activity), ([^–]+?) –"
    in_pdf = set(re.findall(pattern, text))
    period = progress.period.name
    allowed = {(str(f.progress), str(f.activity_count), period) for f in want["sections"].values()}
    allowed.add((str(total.progress), str(total.activity_count), period))
    assert in_pdf and in_pdf <= allowed

    # XLSX and CSV: the summary table holds the same figures.
    def summary_rows(rows):
        return {row[0]: row[1:] for row in rows}

    with translation.override(lang):
        whole = translation.gettext("The whole plan")
        summary = translation.gettext("Summary")
        scope_text = total.scope
    plan_row = [period, total.activity_count, total.progress, total.late, total.report_missing]
    book = openpyxl.load_workbook(io.BytesIO(reports.followup_report_xlsx(plan, lang)))
    sheet = book[summary]
    xlsx = summary_rows([[c.value for c in row] for row in sheet.iter_rows(min_row=2)])
    assert xlsx[whole] == [*plan_row, scope_text]
    for follow in progress.top_level:
        label = f"{follow.section.number} {follow.section.heading}".strip()
        figure = follow.total
        assert xlsx[label][1:5] == [
            figure.activity_count,
            figure.progress,
            figure.late,
            figure.report_missing,
        ]
    content = reports.followup_report_csv(plan, lang).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    start = rows.index([summary])
    in_csv = summary_rows(rows[start + 2 :])
    assert in_csv[whole] == [str(v) for v in plan_row] + [scope_text]
    # The activity table's late / report missing columns add up to the same counts.
    activity_rows = rows[1 : rows.index([])]
    assert sum(1 for r in activity_rows if r[-2]) == total.late
    assert sum(1 for r in activity_rows if r[-1]) == total.report_missing
