"""A script saved in any text field renders inert (issue 6, point 5).

Every CharField and TextField of every model of the five domain apps (both languages of
translated fields), and the users' names, is set to a script payload, each with a marker
of its own in front (``[x12]<script>alert("xss")</script><img src=x onerror=alert(1)>``).
Then every public and member page that shows those objects is fetched — in Swedish and
in English, as a visitor and as a member (the board's pages as the board, "my
activities" as an activity owner) — with the admin's lists and change pages, the plan
document and the follow-up report as PDF (their text), XLSX (their cells) and CSV (their
rows).

- No HTML response contains the payload unescaped (``<script>alert``, ``<img src=x``,
  or ``alert("xss")`` with its quotes, which would end an attribute).
- Every field's escaped payload appears somewhere (so the field was rendered, and was
  escaped on the way), unless NOT_SHOWN says why the site never shows it.
- The PDFs, spreadsheets and CSV files carry the payload as plain text.
- And, since each field has a marker: what a visitor may not see (drafts, members-only
  events, persons' contact details) shows on no page a visitor gets.
"""

import csv
import io
import re
import subprocess

import openpyxl
import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from plan import reports
from plan.models import ReportRequest
from tests.services import require_command

from .world import build_world

PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'
# For fields too short for the whole payload.
SHORT_PAYLOADS = ["<script>alert(1)</script>", "<img src=x>"]
APPS = ("members", "plan", "ebs", "ebm", "events")
LANGUAGES = ("sv", "en")

# Text fields left alone, with the reason.
NOT_SET = {
    "members.County.code": "the official two-digit county code",
    "members.Organisation.code": "the official code: two or four digits (validated)",
    "plan.Status.colour": "a validated #rrggbb colour (seven characters)",
    "events.CalendarToken.token_hash": "the hash of a credential, never shown",
    "plan.AssessmentLevel.colour": "a validated #rrggbb colour (seven characters)",
}

# Fields no page or report shows (the admin shows them, and is checked too). Should a
# page start to show one, the test says so and it comes off this list.
NOT_SHOWN = {
    "plan.ReportRequest.data_version": "set by the portal (the newest audit entry's id) "
    "and compared; the admin shows it, no page does",
    **dict.fromkeys(
        ["members.Person.title_sv", "members.Person.title_en", "members.Person.party"],
        "the role tables show a person's name, organisation and position only",
    ),
    **dict.fromkeys(
        ["plan.CommunicationPriority.text_sv", "plan.CommunicationPriority.text_en"],
        "the plan's communication priorities are held; no page shows them yet",
    ),
    **dict.fromkeys(
        ["plan.Indicator.description_sv", "plan.Indicator.description_en"],
        "key figures show their name, value, unit and source",
    ),
    "plan.ReportRequest.build_task_id": (
        "the id of the Celery task building a report, for whoever reads the worker's log: "
        "shown in the admin only"
    ),
    "events.Event.uid": (
        "set by the portal, never typed (not editable); it goes only into .ics files, "
        "where tests/events/test_calendar_changes.py checks it"
    ),
}

MARKER = re.compile(r"\[x(\d+)\]")


class Payloads:
    """Gives each field of each object its own marked payload and remembers which."""

    def __init__(self):
        self.by_marker = {}

    def value(self, key, pk, max_length):
        number = len(self.by_marker) + 1
        marker = f"[x{number}]"
        for payload in [PAYLOAD, *SHORT_PAYLOADS]:
            if max_length is None or len(marker + payload) <= max_length:
                self.by_marker[str(number)] = (key, pk, payload)
                return marker + payload
        return None

    def markers_of(self, obj, *field_names):
        """The markers of `obj`'s fields (all of them without `field_names`)."""
        label = obj._meta.label
        return {
            marker
            for marker, (key, pk, _payload) in self.by_marker.items()
            if pk == obj.pk
            and key.startswith(label + ".")
            and (not field_names or key.removeprefix(label + ".") in field_names)
        }


def _text_fields(model):
    for field in model._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField):
            continue
        if isinstance(field, models.SlugField | models.EmailField | models.URLField):
            continue
        if field.choices:
            continue
        yield field


def _translated_base_names(model):
    from modeltranslation.translator import NotRegistered, translator

    try:
        return set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return set()


def fill_every_text_field(payloads: Payloads) -> None:
    """Every text field of every row of the five apps' models (and the users' names)
    gets its marked payload, written with update() so that no validation stands in the
    way: what is tested is the output, whatever got into the database."""
    targets = [m for label in APPS for m in apps.get_app_config(label).get_models()]
    targets.append(get_user_model())
    for model in targets:
        base_names = _translated_base_names(model)
        for pk in model._default_manager.values_list("pk", flat=True):
            values = {}
            for field in _text_fields(model):
                key = f"{model._meta.label}.{field.name}"
                if key in NOT_SET or field.name in base_names:
                    continue  # (a translated field's own column is not shown)
                if model is get_user_model() and field.name not in ("first_name", "last_name"):
                    continue
                value = payloads.value(key, pk, field.max_length)
                if value is None:
                    pytest.fail(f"{key} is too short for any payload; add it to NOT_SET")
                values[field.name] = value
            # No translated field's own name here: modeltranslation would write it to the
            # active language's column.
            model._default_manager.filter(pk=pk).update(**values)


@pytest.fixture
def world(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    payloads = Payloads()
    fill_every_text_field(payloads)
    world.payloads = payloads
    return world


def pages(w):
    """(URL name, kwargs, query, roles) of every page that shows the world's objects."""
    everyone = ("visitor", "member")
    board = ("board",)
    y = w.adopted.year
    return [
        ("plan:home", {}, {}, everyone),
        ("plan:archive", {}, {}, everyone),
        ("plan:plan_detail", {"year": y}, {}, everyone),
        ("plan:plan_detail", {"year": w.archived.year}, {}, everyone),
        ("plan:plan_detail", {"year": w.draft.year}, {}, board),
        ("plan:section_detail", {"year": y, "slug": w.section.slug}, {}, everyone),
        ("plan:section_detail", {"year": y, "slug": w.child_section.slug}, {}, everyone),
        ("plan:activity_detail", {"year": y, "pk": w.owned.pk}, {}, everyone),
        # The board sees the assessment form too (period and level names in it).
        ("plan:goal_detail", {"year": y, "pk": w.goal.pk}, {}, everyone + board),
        ("plan:activity_detail", {"year": y, "pk": w.not_owned.pk}, {}, everyone),
        ("plan:plan_changes", {"year": y}, {}, everyone),
        ("plan:plan_versions", {"year": w.archived.year}, {}, everyone),
        ("plan:plan_changes", {"year": w.draft.year}, {}, board),
        ("plan:search", {}, {"q": "alert"}, everyone),
        ("plan:search", {}, {"q": "xss", "kind": "activity"}, everyone),
        ("plan:my_activities", {}, {}, ("owner",)),
        ("plan:followup_dashboard", {"year": y}, {}, board),
        ("plan:followup_report", {"year": y}, {}, board),
        ("plan:report_requests", {"year": y}, {}, board),
        ("plan:report_request_detail", {"pk": w.failed_request.pk}, {}, board),
        ("events:event_list", {}, {}, everyone),
        ("events:event_detail", {"slug": w.public_event.slug}, {}, everyone),
        ("events:event_detail", {"slug": w.members_event.slug}, {}, everyone[1:]),
        ("events:my_calendar", {}, {}, ("member",)),
        ("members:directory", {}, {}, everyone),
        ("members:partners", {}, {}, everyone),
        ("members:organisation_detail", {"slug": w.organisation.slug}, {}, everyone),
        ("members:body_list", {}, {}, everyone),
        ("members:body_detail", {"slug": w.body.slug}, {}, everyone),
        ("ebs:programme", {}, {}, everyone),
        ("ebm:programme", {}, {}, everyone),
    ]


def client_for(w, role):
    client = Client()
    if role != "visitor":
        client.force_login(w.users[role])
    return client


ESCAPED = escape(PAYLOAD)


def check_html(html, where, problems):
    for raw in ("<script>alert", "<img src=x", 'alert("xss")', "alert(1)</script>"):
        if raw in html:
            at = html.index(raw)
            problems.append(f"{where}: unescaped {raw!r} in …{html[max(0, at - 80) : at + 60]}…")


def markers_in_html(html):
    """The markers whose payload appears escaped."""
    found = set()
    for match in MARKER.finditer(html):
        if html.startswith("&lt;", match.end()):
            found.add(match.group(1))
    return found


def hidden_from_visitors(w):
    """The markers a visitor must never get: drafts, members-only events, contact
    details."""
    p = w.payloads
    hidden = set()
    for obj in (w.draft, w.draft_section, w.draft_activity, w.members_event):
        hidden |= p.markers_of(obj)
    for period in w.periods[w.draft.year]:
        hidden |= p.markers_of(period)
    for person in (w.owner_person, w.member_person, w.other_person):
        hidden |= p.markers_of(person, "phone")
    return hidden


def fetch_pages(w, problems):
    """Every page, checked; returns (markers shown, markers a visitor got)."""
    shown, seen_by_visitor = set(), set()
    for name, kwargs, query, roles in pages(w):
        for language in LANGUAGES:
            with translation.override(language):
                url = reverse(name, kwargs=kwargs)
            for role in roles:
                response = client_for(w, role).get(url, query)
                where = f"{url} as {role}"
                if response.status_code != 200:
                    problems.append(f"{where}: {response.status_code}")
                    continue
                html = response.content.decode()
                check_html(html, where, problems)
                found = markers_in_html(html)
                if not found:
                    problems.append(f"{where}: no escaped payload on the page")
                shown |= found
                if role == "visitor":
                    seen_by_visitor |= found
    return shown, seen_by_visitor


def fetch_admin(w, problems):
    """Every model's list and change page in the admin, as the secretariat (the login
    locks, which are not the secretariat's, as a superuser)."""
    from django.contrib import admin

    from .world import admin_object

    shown = set()
    for model in admin.site._registry:
        role = "superuser" if model._meta.app_label == "accounts" else "secretariat"
        client = client_for(w, role)
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        with translation.override("en"):
            urls = [
                reverse(f"{info}_changelist"),
                reverse(f"{info}_change", args=[admin_object(w, model).pk]),
            ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            html = response.content.decode()
            check_html(html, f"{url} as {role}", problems)
            shown |= markers_in_html(html)
    return shown


def _flat(text):
    return re.sub(r"\s+", " ", text)


PDF_PAYLOAD = re.compile(r"\[x(\d+)\]" + re.escape(_flat(PAYLOAD)))


def pdf_markers(content, where, problems):
    """The markers whose whole payload is in the PDF's text (it would not be, had the
    HTML behind it been unescaped: the tags would have vanished)."""
    pdftotext = require_command("pdftotext")
    text = subprocess.run(
        [pdftotext, "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    found = set(PDF_PAYLOAD.findall(_flat(text)))
    if not found:
        problems.append(f"{where}: no payload in the PDF's text")
    return found


def cell_markers(cells, payloads, where, problems):
    """The markers in spreadsheet or CSV cells; each marker must be followed by its
    payload exactly as it was saved."""
    found = set()
    for cell in cells:
        if not isinstance(cell, str):
            continue
        for match in MARKER.finditer(cell):
            found.add(match.group(1))
            payload = payloads.by_marker[match.group(1)][2]
            if not cell.startswith(payload, match.end()):
                problems.append(f"{where}: the cell {cell!r} does not hold the payload as is")
    if not found:
        problems.append(f"{where}: no payload in the cells")
    return found


def fetch_outputs(w, problems):
    """The plan document (PDF) and the follow-up report (PDF, XLSX, CSV)."""
    shown = set()
    for language in LANGUAGES:
        with translation.override(language):
            url = reverse("plan:plan_document", kwargs={"year": w.adopted.year})
        response = client_for(w, "visitor").get(url)
        assert response.status_code == 200
        shown |= pdf_markers(b"".join(response.streaming_content), url, problems)
        for fmt in ReportRequest.Format.values:
            _name, content = reports.build_followup_report_file(
                w.adopted, fmt=fmt, language=language
            )
            where = f"the follow-up report ({fmt}, {language})"
            if fmt == "pdf":
                shown |= pdf_markers(content, where, problems)
            elif fmt == "csv":
                rows = csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";")
                shown |= cell_markers([c for row in rows for c in row], w.payloads, where, problems)
            else:
                book = openpyxl.load_workbook(io.BytesIO(content))
                cells = [c.value for row in book.active.iter_rows() for c in row]
                shown |= cell_markers(cells, w.payloads, where, problems)
    return shown


def test_a_script_in_every_text_field_renders_inert(world):
    w = world
    problems = []
    shown, seen_by_visitor = fetch_pages(w, problems)
    shown |= fetch_outputs(w, problems)
    in_admin = fetch_admin(w, problems)
    assert not problems, "\n".join(problems)

    by_marker = w.payloads.by_marker
    keys = {key for key, _pk, _payload in by_marker.values()}
    shown_keys = {by_marker[m][0] for m in shown}
    never = sorted(keys - shown_keys - set(NOT_SHOWN))
    assert not never, (
        "These fields were rendered on no page and in no report; show them, or say in "
        f"NOT_SHOWN why the site never does: {never}"
    )
    stale = sorted(set(NOT_SHOWN) & shown_keys)
    assert not stale, f"NOT_SHOWN names fields that are shown now: {stale}"
    # The admin shows every field that is set (translated fields in English here).
    admin_keys = {by_marker[m][0] for m in in_admin}
    missing = sorted(k for k in keys - admin_keys if not k.endswith("_sv"))
    assert not missing, f"The admin showed no payload of {missing}"

    leaked = sorted(f"{by_marker[m][0]} [x{m}]" for m in seen_by_visitor & hidden_from_visitors(w))
    assert not leaked, f"A visitor got what is not a visitor's: {leaked}"
