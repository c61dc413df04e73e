"""Documents the plan refers to — minutes, the signed plan, Systemanalysen — attached to
a plan, section, activity, event or body, listed on its page, and served only to those
who may read them."""

import os

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEntry
from documents.models import Document
from documents.services import document_create, document_delete, document_update
from events.models import Event
from members import roles
from plan.models import Plan
from tests import factories
from tests.pages import page_text

from . import files

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def swedish():
    # Pages and messages in Swedish (the site's first language) whatever ran before.
    with translation.override("sv"):
        yield


@pytest.fixture
def section():
    plan = factories.PlanFactory(year=2023, status=Plan.Status.ADOPTED)
    return factories.SectionFactory(plan=plan, slug="godstransporter", number="1.1")


@pytest.fixture
def member():
    return factories.UserFactory(username="medlem", groups=[roles.MEMBER])


@pytest.fixture
def board():
    return factories.UserFactory(username="styrelse", groups=[roles.BOARD])


@pytest.fixture
def secretariat():
    return factories.UserFactory(username="kansli", is_staff=True, groups=[roles.SECRETARIAT])


def attach(target, visibility, name="protokoll.pdf", content=files.PDF, **values):
    return document_create(
        target=target,
        title_sv=values.pop("title_sv", f"Protokoll {visibility}"),
        title_en=values.pop("title_en", f"Minutes {visibility}"),
        visibility=visibility,
        file=files.upload(name, content),
        **values,
    )


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("systemanalys.pdf", files.PDF, "pdf"),
        ("handlingsplan.docx", files.docx(), "docx"),
        ("budget.xlsx", files.xlsx(), "xlsx"),
        ("protokoll.odt", files.odt(), "odt"),
    ],
)
def test_each_office_format_is_accepted_and_recognised(section, name, content, kind):
    document = attach(section, "public", name=name, content=content)
    assert document.kind == kind
    assert document.size == len(content)
    assert document.filename == name
    with document.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        # An HTML page named as a PDF: the name says PDF, the bytes do not.
        ("protokoll.pdf", b"<html><script>alert(1)</script></html>", "none of them"),
        ("program.exe.pdf", b"MZ\x90\x00\x03", "none of them"),
        # A real Word file named .pdf: refused, naming the right ending.
        ("protokoll.pdf", files.docx(), ".docx"),
        ("protokoll.docx", files.PDF, ".pdf"),
        ("trasig.docx", b"PK\x03\x04 not really a zip", "none of them"),
    ],
)
def test_a_file_is_judged_by_its_content_not_its_name(section, name, content, message):
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        attach(section, "public", name=name, content=content)
    assert not Document.objects.exists()


@override_settings(DOCUMENT_MAX_FILE_SIZE=100)
def test_a_file_over_the_size_limit_is_refused(section):
    with translation.override("en"), pytest.raises(ValidationError, match="at most 100"):
        attach(section, "public")
    assert not Document.objects.exists()


def _get(client, document):
    return client.get(document.get_absolute_url())


def test_who_may_download_what(client, section, member, board):
    public = attach(section, "public")
    members = attach(section, "members")
    board_only = attach(section, "board")

    response = _get(client, public)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == files.PDF
    assert "public" in response["Cache-Control"]

    # Logged out: the members' and the board's files lead to the login and back.
    for document in (members, board_only):
        response = _get(client, document)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
        assert "next=" in response["Location"]

    client.force_login(member)
    response = _get(client, members)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert _get(client, board_only).status_code == 403

    client.force_login(board)
    assert _get(client, board_only).status_code == 200


def test_a_document_never_says_more_than_its_page(client, member, board):
    draft = factories.PlanFactory(year=2024, status=Plan.Status.DRAFT)
    draft_section = factories.SectionFactory(plan=draft)
    of_draft = attach(draft_section, "public")
    internal = factories.EventFactory(slug="internt", visibility=Event.Visibility.MEMBERS)
    of_internal_event = attach(internal, "public")

    assert _get(client, of_draft).status_code == 404
    assert _get(client, of_internal_event).status_code == 404
    client.force_login(member)
    assert _get(client, of_draft).status_code == 404
    assert _get(client, of_internal_event).status_code == 200
    client.force_login(board)
    assert _get(client, of_draft).status_code == 200


def test_a_guessed_or_changed_file_name_finds_nothing(client, section):
    document = attach(section, "public")
    url = reverse("documents:download", kwargs={"pk": document.pk, "filename": "annat.pdf"})
    assert client.get(url).status_code == 404


def test_pages_list_what_the_reader_may_read_and_say_there_is_more(
    client, section, member, django_assert_max_num_queries
):
    attach(section, "public", title_sv="Systemanalys 2023")
    attach(section, "members", title_sv="Protokoll från styrgruppen")
    attach(section, "board", title_sv="Styrelsens underlag")

    text = page_text(client.get(section.get_absolute_url()))
    assert "Systemanalys 2023 (PDF" in text
    assert "Protokoll från styrgruppen" not in text
    assert "2 dokument till är för medlemmar. Logga in för att läsa dem" in text

    client.force_login(member)
    text = page_text(client.get(section.get_absolute_url()))
    assert "Protokoll från styrgruppen" in text
    assert "Styrelsens underlag" not in text
    assert "1 dokument till är för styrelsen." in text

    with translation.override("en"):
        client.logout()
        text = page_text(client.get(section.get_absolute_url()))
    assert "Minutes public" in text and "2 more documents are for members." in text


def test_documents_are_listed_on_every_kind_of_page(client, section):
    plan = section.plan
    activity = factories.ActivityFactory(section=section)
    event = factories.EventFactory(slug="motet")
    body = factories.BodyFactory(slug="styrelsen")
    for target in (plan, section, activity, event, body):
        attach(target, "public", title_sv=f"Bilaga till {target._meta.model_name}")
    pages = {
        "plan": plan.get_absolute_url(),
        "section": section.get_absolute_url(),
        "activity": reverse("plan:activity_detail", kwargs={"year": 2023, "pk": activity.pk}),
        "event": reverse("events:event_detail", kwargs={"slug": "motet"}),
        "body": reverse("members:body_detail", kwargs={"slug": "styrelsen"}),
    }
    for model_name, url in pages.items():
        assert f"Bilaga till {model_name}" in page_text(client.get(url)), url


def test_changes_and_removal_keep_files_and_rows_together(
    section, secretariat, django_capture_on_commit_callbacks
):
    document = attach(section, "members")
    old_path = document.file.path
    with django_capture_on_commit_callbacks(execute=True):
        document_update(
            document=document,
            by=secretariat,
            file=files.upload("protokoll-rev.docx", files.docx()),
            title_sv="Protokoll (reviderat)",
        )
    assert not os.path.exists(old_path), "the replaced file is gone"
    assert document.kind == "docx" and os.path.exists(document.file.path)

    path = document.file.path
    with django_capture_on_commit_callbacks(execute=True):
        document_delete(document=document, by=secretariat)
    assert not os.path.exists(path)
    assert not Document.objects.exists()
    actions = list(
        AuditEntry.objects.filter(content_type__model="document")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_the_secretariat_attaches_a_document_on_the_sections_admin_page(
    client, section, secretariat, django_capture_on_commit_callbacks
):
    client.force_login(secretariat)
    url = reverse("admin:plan_section_change", args=[section.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "documents-document-content_type-object_id-TOTAL_FORMS" in page.content.decode()

    form = _admin_form_data(page)
    prefix = "documents-document-content_type-object_id"
    form.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-title_sv": "Godsstrategin",
            f"{prefix}-0-title_en": "The freight strategy",
            f"{prefix}-0-visibility": "public",
            f"{prefix}-0-order": "0",
            f"{prefix}-0-file": files.pdf_upload("godsstrategi.pdf"),
        }
    )
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    document = Document.objects.get()
    assert document.target == section and document.uploaded_by == secretariat
    assert AuditEntry.objects.filter(content_type__model="document", action="create").exists()

    # A web page renamed to .pdf is refused on the form, and nothing is stored.
    form[f"{prefix}-TOTAL_FORMS"] = "2"
    form.update(
        {
            f"{prefix}-0-id": str(document.pk),
            f"{prefix}-0-file": "",
            f"{prefix}-1-title_sv": "Falsk",
            f"{prefix}-1-visibility": "public",
            f"{prefix}-1-order": "0",
            f"{prefix}-1-file": files.upload("falsk.pdf", b"<html></html>"),
        }
    )
    form[f"{prefix}-INITIAL_FORMS"] = "1"
    response = client.post(url, form)
    assert response.status_code == 200
    assert "Endast PDF, Word (DOCX), Excel (XLSX)" in response.content.decode()
    assert Document.objects.count() == 1


def _admin_form_data(page) -> dict:
    """The change form's current values, as the browser would send them back."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data = {}
            self.select = None
            self.textarea = None

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in {"submit", "file"}:
                if attrs.get("type") == "checkbox":
                    if "checked" in attrs:
                        self.data[name] = attrs.get("value", "on")
                else:
                    self.data[name] = attrs.get("value", "")
            elif tag == "select" and name:
                self.select = name
                self.data.setdefault(name, "")
            elif tag == "option" and self.select and "selected" in attrs:
                self.data[self.select] = attrs.get("value", "")
            elif tag == "textarea" and name:
                self.textarea = name
                self.data[name] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None
            if tag == "textarea":
                self.textarea = None

        def handle_data(self, data):
            if self.textarea:
                self.data[self.textarea] += data

    parser = Fields()
    parser.feed(page.content.decode())
    return {k: v for k, v in parser.data.items() if k != "csrfmiddlewaretoken"}
