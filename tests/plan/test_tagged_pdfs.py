"""Accessible PDFs (issue 13.5): the plan document (command and the plan page's link)
and the yearly report are tagged PDFs — a structure tree in reading order with headings,
the document's language and title, bookmarks from the headings, and charts as figures
with alternative text. Read back with pikepdf and poppler's pdfinfo."""

import io
import re
import subprocess

import pikepdf
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from plan import reports
from plan.models import Plan
from plan.seed import plan_seed_load
from plan.services import status_update_create
from tests.services import require_command

from . import followup_data
from .pdf_tags import outline_titles, structure

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fp(db):
    fp = followup_data.build()
    status_update_create(
        activity=fp.a1, period=fp.t1, status=fp.on_track, progress=40, comment="", by=fp.anna
    )
    status_update_create(
        activity=fp.a3, period=fp.t1, status=fp.delayed, progress=10, comment="", by=fp.bertil
    )
    return fp


def pdfinfo(content: bytes, tmp_path) -> dict[str, str]:
    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    out = subprocess.run(
        [require_command("pdfinfo"), str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def assert_tagged(content: bytes, tmp_path, *, language: str, title: str) -> pikepdf.Pdf:
    info = pdfinfo(content, tmp_path)
    assert info["Tagged"] == "yes"
    assert info["Title"] == title
    pdf = pikepdf.open(io.BytesIO(content))
    assert "/StructTreeRoot" in pdf.Root
    assert str(pdf.Root.Lang) == language
    assert pdf.Root.ViewerPreferences.DisplayDocTitle  # the title, not the file name
    assert pdf.Root.MarkInfo.Marked
    # The XMP metadata says which standard the file follows.
    with pdf.open_metadata() as meta:
        assert meta.get("pdfuaid:part") == "1"
    return pdf


def headings(pdf) -> list[str]:
    return [e.role for e in structure(pdf) if re.fullmatch(r"H[1-6]", e.role)]


def assert_heading_order(roles: list[str]) -> None:
    """One H1 first, and no heading more than one level below the one before it."""
    assert roles[0] == "H1" and roles.count("H1") == 1
    for before, after in zip(roles, roles[1:], strict=False):
        assert int(after[1]) <= int(before[1]) + 1, roles


@pytest.fixture
def plan_2023(db):
    plan_seed_load()
    return Plan.objects.get(year=2023)


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_plan_document_is_a_tagged_pdf_in_its_language(plan_2023, language, tmp_path):
    out = tmp_path / "plan.pdf"
    call_command(
        "plan_document", "2023", "--format", "pdf", "--language", language, "--output", str(out)
    )

    with translation.override(language):
        title = Plan.objects.get(pk=plan_2023.pk).title
    pdf = assert_tagged(out.read_bytes(), tmp_path, language=language, title=title)
    roles = headings(pdf)
    assert_heading_order(roles)
    assert roles.count("H2") >= 5  # the introduction and the top-level sections
    # Bookmarks follow the headings: the title, then the sections in plan order.
    bookmarks = outline_titles(pdf)
    assert bookmarks[0] == (1, title)
    first_section = "1 Fokusområden" if language == "sv" else "1 Focus areas"
    assert any(t.startswith(first_section) and level == 2 for level, t in bookmarks)
    # Lists are lists, with items.
    kinds = {e.role for e in structure(pdf)}
    assert {"L", "LI", "P", "Sect"} <= kinds


def test_the_plan_pages_pdf_is_tagged_too(client, fp, tmp_path):
    with translation.override("en"):
        link = reverse("plan:plan_document", kwargs={"year": fp.plan.year})
        title = Plan.objects.get(pk=fp.plan.pk).title
    response = client.get(link)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)

    pdf = assert_tagged(content, tmp_path, language="en", title=title)
    assert_heading_order(headings(pdf))


@pytest.mark.parametrize(
    "language, chart_titles",
    [
        ("sv", ["Aktiviteter per status", "Genomsnittlig genomförandegrad per avsnitt"]),
        ("en", ["Activities by status", "Average progress per section"]),
    ],
)
def test_the_yearly_reports_charts_are_figures_with_alternative_text(
    fp, language, chart_titles, tmp_path
):
    content = reports.followup_report_pdf(fp.plan, language)

    words = {"sv": "Uppföljning av verksamhetsplanen", "en": "Follow-up of the operations plan"}
    title = f"{words[language]} {fp.plan.year}"
    pdf = assert_tagged(content, tmp_path, language=language, title=title)
    elements = structure(pdf)
    figures = [e for e in elements if e.role == "Figure"]
    assert figures and all(e.alt for e in figures)
    alts = [e.alt for e in figures]
    for chart in chart_titles:
        [alt] = [a for a in alts if a.startswith(chart)]
        assert ":" in alt  # the title and what the chart says, in numbers
    status_alt = next(a for a in alts if a.startswith(chart_titles[0]))
    assert "3" in status_alt  # three activities
    # Reading order: the summary's heading comes before its first chart.
    order = [e.role if e.role != "Figure" else "Figure" for e in elements]
    assert order.index("H2") < order.index("Figure")
    assert_heading_order(headings(pdf))
