"""Files are private: backups, generated reports, import files waiting for their
confirmation and the files the report commands write are readable by the portal's user
alone (0600 in 0700 folders), whatever the umask of the process that wrote them."""

import os
import stat
from contextlib import contextmanager

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import translation

from malardal.env import env_file_mode
from plan import services
from plan.models import Goal, ReportRequest
from tests.factories import UserFactory
from tests.services import require_command

from ..plan import followup_data


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@contextmanager
def umask(value: int):
    """The umask a careless deployment would run with (files 0666 & ~022 = 0644)."""
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.django_db(transaction=True)
def test_a_backup_is_0600_in_a_0700_folder_and_older_backups_are_made_private(
    settings, tmp_path, capsys
):
    if connection.vendor == "postgresql":
        require_command("pg_dump")
    folder = tmp_path / "backups"
    folder.mkdir(mode=0o755)
    old = folder / "malardal-20200101-000000Z.dump"
    old.write_bytes(b"an old backup, once written 0644")
    old.chmod(0o644)
    settings.BACKUP_DIR = folder
    with umask(0o022):
        call_command("backup_db")
    path = capsys.readouterr().out.strip().splitlines()[-1]
    assert os.path.getsize(path) > 0
    assert mode(path) == 0o600
    assert mode(folder) == 0o700
    assert mode(old) == 0o600
    assert not list(folder.glob("*.partial"))


@pytest.mark.django_db(transaction=True)
def test_a_backup_folder_that_does_not_exist_is_made_0700(settings, tmp_path, capsys):
    if connection.vendor == "postgresql":
        require_command("pg_dump")
    settings.BACKUP_DIR = tmp_path / "var" / "backups"
    with umask(0o022):
        call_command("backup_db")
    path = capsys.readouterr().out.strip().splitlines()[-1]
    assert mode(path) == 0o600 and mode(settings.BACKUP_DIR) == 0o700


@pytest.mark.django_db
def test_a_generated_report_and_its_folders_are_private(media):
    fp = followup_data.build()
    board = UserFactory(username="ordforande", is_superuser=True)
    with umask(0o022):
        report_request = services.report_request_create(
            plan=fp.plan, format="csv", language="sv", by=board
        )
        services.report_request_build(request_id=report_request.pk)
    report_request.refresh_from_db()
    assert report_request.status == ReportRequest.State.DONE
    path = media / report_request.file.name
    assert mode(path) == 0o600
    folder = path.parent
    while folder != media:
        assert mode(folder) == 0o700, folder
        folder = folder.parent


@pytest.mark.django_db
def test_the_report_commands_write_private_files(tmp_path):
    fp = followup_data.build()
    output = tmp_path / "report.csv"
    output.write_bytes(b"")
    output.chmod(0o644)  # an existing file is made private too
    with umask(0o022):
        call_command(
            "followup_report", str(fp.plan.year), "--format", "csv", "--output", str(output)
        )
    assert output.read_bytes() and mode(output) == 0o600


@pytest.mark.django_db
def test_an_uploaded_import_file_waits_for_its_confirmation_privately(
    client, media, secretariat_user
):
    client.force_login(secretariat_user)
    with translation.override("sv"):
        url = reverse("admin:plan_goal_import")
    with umask(0o022):
        response = client.post(
            url,
            {
                "resource": "0",
                "format": "0",
                "import_file": SimpleUploadedFile("goals.csv", b"id,text_sv\n"),
            },
        )
    assert response.status_code == 200
    [waiting] = list((media / "django-import-export").iterdir())
    assert mode(waiting) == 0o600
    assert mode(waiting.parent) == 0o700
    assert not Goal.objects.exists()


def test_a_world_readable_mode_is_refused(monkeypatch):
    monkeypatch.setenv("FILE_UPLOAD_PERMISSIONS", "644")
    with pytest.raises(ImproperlyConfigured, match="FILE_UPLOAD_PERMISSIONS"):
        env_file_mode("FILE_UPLOAD_PERMISSIONS", 0o600)
    monkeypatch.setenv("FILE_UPLOAD_PERMISSIONS", "0o640")
    assert env_file_mode("FILE_UPLOAD_PERMISSIONS", 0o600) == 0o640


def test_the_settings_keep_files_private(settings):
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    assert settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS == 0o700
