"""Uploads have a size limit: an import file over IMPORT_MAX_FILE_SIZE is refused with
a message before it is read, and nothing is imported."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from members.models import Organisation


def import_url():
    with translation.override("en"):
        return reverse("admin:members_organisation_import")


@pytest.fixture
def secretariat(client, secretariat_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    client.force_login(secretariat_user)
    return client


def upload(client, content):
    return client.post(
        import_url(),
        {"resource": "0", "format": "0", "import_file": SimpleUploadedFile("big.csv", content)},
    )


def csv_of(rows):
    lines = ["slug,name_sv,name_en,kind"]
    lines += [f"org-{n},Organisation {n},Organisation {n},other" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def test_a_file_over_the_limit_is_refused_and_nothing_is_imported(secretariat, settings):
    content = csv_of(2000)
    settings.IMPORT_MAX_FILE_SIZE = len(content) - 1
    response = upload(secretariat, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert "an import takes files of at most" in html
    assert "Split it into smaller files." in html
    assert not Organisation.objects.exists()
    # Nothing was kept for a confirm step either.
    assert not any(settings.MEDIA_ROOT.rglob("*"))


def test_a_file_within_the_limit_is_read(secretariat, settings):
    content = csv_of(3)
    settings.IMPORT_MAX_FILE_SIZE = len(content)
    response = upload(secretariat, content)
    assert response.status_code == 200
    html = response.content.decode()
    assert "an import takes files of at most" not in html
    assert "org-2" in html  # the preview lists the rows
