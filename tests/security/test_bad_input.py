"""Bad input (issue 6, point 5) where the other tests leave gaps: the portal's forms
refuse bad data with a message, keep what was typed (escaped) and write nothing; a
request body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused; an import file of 6 MB is
refused at the default limit with a message, and nothing is imported or kept."""

import datetime
import re
from html import unescape

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from events.models import Registration
from members.models import Organisation
from plan.models import ReportRequest, StatusUpdate
from tests.factories import EventFactory
from tests.plan import followup_data

from .test_script_payloads import PAYLOAD

pytestmark = pytest.mark.django_db


def url(name, lang="en", **kwargs):
    with translation.override(lang):
        return reverse(name, kwargs=kwargs)


def text_of(response) -> str:
    html = response.content.decode()
    main = html[html.index('<main id="main"') :]
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", main)))


@pytest.fixture
def fp(db):
    return followup_data.build()


def report_form(fp, activity, **values):
    prefix = f"a{activity.pk}"
    data = {
        "activity": str(activity.pk),
        f"{prefix}-period": str(fp.t1.pk),
        f"{prefix}-status": str(fp.on_track.pk),
        f"{prefix}-progress": "40",
        f"{prefix}-comment": "Ett möte med Trafikverket är hållet.",
    }
    data.update({f"{prefix}-{k}": v for k, v in values.items()})
    return data


# --- The status update form -------------------------------------------------------------


def test_a_too_long_comment_is_refused_and_kept(client, fp):
    client.force_login(fp.anna)
    comment = "Lång kommentar. " * 300  # 4,800 characters; the form takes 4,000
    response = client.post(url("plan:my_activities"), report_form(fp, fp.a1, comment=comment))
    assert response.status_code == 400
    assert "Ensure this value has at most 4000 characters" in text_of(response)
    assert comment.strip() in unescape(response.content.decode())
    assert not StatusUpdate.objects.exists()


def test_a_script_typed_into_a_refused_form_comes_back_escaped(client, fp):
    client.force_login(fp.anna)
    data = report_form(fp, fp.a1, progress="101", comment=PAYLOAD)
    response = client.post(url("plan:my_activities", "sv"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "<script>alert" not in html and "<img src=x" not in html
    assert (
        "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"
        "</textarea>" in html
    )
    assert not StatusUpdate.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("period", "999999", "That period does not take reports."),
        ("period", "x", "That period does not take reports."),
        ("status", "999999", "Choose one of the statuses."),
        ("status", "", "Choose a status."),
    ],
)
def test_forged_choices_are_refused_with_a_message(client, fp, field, value, message):
    client.force_login(fp.anna)
    data = report_form(fp, fp.a1, **{field: value}, comment="Mitt utkast")
    response = client.post(url("plan:my_activities"), data)
    assert response.status_code == 400
    assert message in text_of(response)
    assert "Mitt utkast</textarea>" in response.content.decode()
    assert not StatusUpdate.objects.exists()


def test_a_body_over_the_form_data_limit_is_refused(client, fp, settings):
    """Form fields over DATA_UPLOAD_MAX_MEMORY_SIZE (5 MB) are refused before any view
    reads them (400), and nothing is written."""
    client.force_login(fp.anna)
    huge = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post(url("plan:my_activities"), report_form(fp, fp.a1, comment=huge))
    assert response.status_code == 400
    assert not StatusUpdate.objects.exists()


# --- Registration, the report request, logins -------------------------------------------


def test_a_bad_registration_answer_says_why_and_keeps_the_earlier_answer(client, member_user):
    soon = timezone.localdate() + datetime.timedelta(days=10)
    event = EventFactory(slug="motet", registration_open=True, start_date=soon, end_date=soon)
    client.force_login(member_user)
    detail = url("events:event_detail", slug=event.slug)
    client.post(url("events:event_register", slug=event.slug), {"response": "attending"})

    response = client.post(
        url("events:event_register", slug=event.slug), {"response": "maybe"}, follow=True
    )
    assert response.redirect_chain[-1][0].startswith(detail)
    assert "Choose whether you will attend." in text_of(response)
    html = response.content.decode()
    attending = re.search(r'<input type="radio" name="response" value="attending"[^>]*>', html)
    assert attending and "checked" in attending.group(0)
    assert Registration.objects.get().response == "attending"


def test_a_bad_report_request_is_refused_with_a_message(client, fp, board_user):
    client.force_login(board_user)
    response = client.post(
        url("plan:report_requests", year=fp.plan.year), {"format": "exe", "language": "sv"}
    )
    assert response.status_code == 400
    assert "Select a valid choice. exe is not one of the available choices." in text_of(response)
    assert not ReportRequest.objects.exists()


def test_an_empty_login_form_says_what_is_missing_and_keeps_the_user_name(client, member_user):
    response = client.post(url("login"), {"username": "medlem", "password": ""})
    assert response.status_code == 200
    assert "This field is required." in text_of(response)
    assert 'value="medlem"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_new_password_that_does_not_match_is_refused(client, member_user):
    link = url(
        "password_reset_confirm",
        uidb64=urlsafe_base64_encode(force_bytes(member_user.pk)),
        token=default_token_generator.make_token(member_user),
    )
    form_url = client.get(link)["Location"]
    response = client.post(
        form_url,
        {"new_password1": "ett långt lösenord 1", "new_password2": "ett långt lösenord 2"},
    )
    assert response.status_code == 200
    assert "The two password fields didn’t match." in text_of(response)
    assert "ett långt lösenord" not in response.content.decode()  # never echoed back
    member_user.refresh_from_db()
    assert member_user.check_password("correct horse battery staple")


# --- A very large import file -----------------------------------------------------------


def test_a_6_mb_csv_import_is_refused_at_the_default_limit(
    client, secretariat_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    assert settings.IMPORT_MAX_FILE_SIZE == 5 * 1024 * 1024  # the shipped default
    lines = ["slug,name_sv,name_en,kind"]
    row = 0
    size = len(lines[0])
    while size < 6 * 1024 * 1024:
        line = f"org-{row},Organisation {row},Organisation {row},other"
        lines.append(line)
        size += len(line) + 1
        row += 1
    content = ("\n".join(lines) + "\n").encode()
    client.force_login(secretariat_user)
    response = client.post(
        url("admin:members_organisation_import"),
        {
            "resource": "0",
            "format": "0",
            "import_file": SimpleUploadedFile("organisationer.csv", content),
        },
    )
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))
    assert "The file is 6.0 MB; an import takes files of at most 5.0 MB." in text
    assert not Organisation.objects.exists()
    assert not any(tmp_path.rglob("*"))  # nothing kept for a confirmation step
