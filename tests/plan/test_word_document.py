"""The plan as a Word document (issue 13.6), opened with python-docx as Word would open
it: real heading styles, real list paragraphs, document properties, every goal and
activity of the plan; from the command and from the plan page's link."""

import io

import docx
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from plan.models import Activity, Goal, Plan, Section
from plan.seed import plan_seed_load
from tests.events.pages import html_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def plan_2023(db):
    plan_seed_load()
    return Plan.objects.get(year=2023)


def open_docx(content: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(content))


def styled(document, style: str) -> list[str]:
    return [p.text for p in document.paragraphs if p.style.name == style]


def build(tmp_path, language: str) -> docx.document.Document:
    out = tmp_path / f"plan-{language}.docx"
    call_command(
        "plan_document", "2023", "--format", "docx", "--language", language, "--output", str(out)
    )
    return open_docx(out.read_bytes())


def test_the_swedish_docx_has_headings_lists_and_properties(plan_2023, tmp_path):
    document = build(tmp_path, "sv")

    assert document.core_properties.title == "Verksamhetsplan 2023"
    assert document.core_properties.language == "sv-SE"
    assert document.core_properties.author == "Mälardalsrådet"
    assert document.paragraphs[0].style.name == "Title"
    assert document.paragraphs[0].text == "Verksamhetsplan 2023"

    heading_1 = styled(document, "Heading 1")
    assert heading_1[0] == "Inledning"
    assert "1 Fokusområden" in heading_1
    assert "1.1 Infrastruktur och transporter (En Bättre Sits)" in styled(document, "Heading 2")
    # Deeper sections are Heading 3, so the navigation pane shows the plan's tree.
    assert styled(document, "Heading 3")
    # The spelling language of the text itself, not only the property.
    lang = document.styles["Normal"].element.rPr.find(docx.oxml.ns.qn("w:lang"))
    assert lang.get(docx.oxml.ns.qn("w:val")) == "sv-SE"


def test_every_goal_and_activity_is_a_list_paragraph_in_plan_order(plan_2023, tmp_path):
    document = build(tmp_path, "sv")
    bullets = styled(document, "List Bullet")

    goals = Goal.objects.filter(section__plan=plan_2023).order_by("section__order", "order")
    activities = Activity.objects.filter(section__plan=plan_2023).order_by(
        "section__order", "order"
    )
    with translation.override("sv"):
        goal_texts = [g.text for g in goals]
        activity_texts = [a.text for a in activities]
    assert goal_texts and activity_texts
    for text in goal_texts + activity_texts:
        assert text in bullets, text
    positions = [bullets.index(t) for t in activity_texts]
    assert positions == sorted(positions)
    # The section's lead-in ("Aktiviteterna innefattar") comes right before its list,
    # in bold, as in the plan.
    paragraphs = document.paragraphs
    first_activity = [p.text for p in paragraphs].index(activity_texts[0])
    lead = paragraphs[first_activity - 1]
    assert lead.text == "Aktiviteterna innefattar"
    assert lead.runs[0].bold


def test_the_english_docx_is_in_english(plan_2023, tmp_path):
    document = build(tmp_path, "en")

    assert document.core_properties.language == "en-GB"
    assert document.core_properties.title == "Operations plan 2023"
    assert "1 Focus areas" in styled(document, "Heading 1")
    assert "Activities" in [p.text for p in document.paragraphs]


def test_the_plan_page_links_the_docx_and_serves_it_once_per_version(client, plan_2023):
    with translation.override("sv"):
        page = html_of(client.get(reverse("plan:plan_detail", kwargs={"year": 2023})))
        link = reverse("plan:plan_document_docx", kwargs={"year": 2023})
    assert f'href="{link}"' in page
    assert "Ladda ner planen som Word-dokument (DOCX)" in page

    response = client.get(link)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Disposition"].endswith('-sv.docx"')
    document = open_docx(b"".join(response.streaming_content))
    assert document.core_properties.title == "Verksamhetsplan 2023"

    def files():
        names = default_storage.listdir("plan-documents/2023")[1]
        return sorted(n for n in names if n.endswith(".docx"))

    [first] = files()
    client.get(link)  # unchanged plan: the same file, not built again
    assert files() == [first]

    # The secretariat renames a section: the next download is a new file, the old goes.
    section = Section.objects.filter(plan=plan_2023, number="1").get()
    section.heading_sv = "Våra fokusområden"
    section.save()
    response = client.get(link)
    [second] = files()
    assert second != first
    document = open_docx(b"".join(response.streaming_content))
    assert "1 Våra fokusområden" in styled(document, "Heading 1")
