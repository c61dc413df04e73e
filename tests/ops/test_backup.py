"""`make backup` / `make restore`: a restore brings back every object of every model,
byte for byte, on the database the suite runs on (PostgreSQL in CI, SQLite here)."""

import hashlib

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from ops.backup import PG_MAGIC, SQLITE_MAGIC
from plan.models import Activity, Plan, Section
from tests.services import require_command

pytestmark = pytest.mark.django_db(transaction=True)


def snapshot():
    """{model label: (row count, hash of every row's every column)} for every table."""
    result = {}
    for model in apps.get_models(include_auto_created=True):
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*columns)
        digest = hashlib.sha256()
        count = 0
        for row in rows:
            digest.update(repr(row).encode())
            count += 1
        result[model._meta.label] = (count, digest.hexdigest())
    return result


@pytest.fixture
def backup_tools(settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "backups"
    if connection.vendor == "postgresql":
        for tool in ("pg_dump", "pg_restore", "psql"):
            require_command(tool)
    return settings.BACKUP_DIR


def test_a_restore_brings_back_every_object(backup_tools, capsys):
    call_command("load_plan_2023", verbosity=0)
    before = snapshot()
    assert before["plan.Activity"][0] == 50

    call_command("backup_db")
    path = capsys.readouterr().out.strip().splitlines()[-1]
    backup = backup_tools / path.rsplit("/", 1)[-1]
    assert backup.is_file() and str(backup) == path
    magic = PG_MAGIC if connection.vendor == "postgresql" else SQLITE_MAGIC
    assert backup.read_bytes().startswith(magic)
    expected_suffix = ".dump" if connection.vendor == "postgresql" else ".sqlite3"
    assert backup.name.startswith("malardal-") and backup.suffix == expected_suffix

    call_command("flush", interactive=False, verbosity=0)
    assert Plan.objects.count() == Section.objects.count() == Activity.objects.count() == 0

    call_command("restore_db", str(backup), interactive=False)
    after = snapshot()
    assert after == before

    # The database as it was just before the restore was kept, and ids continue.
    assert len(list(backup_tools.glob("pre-restore-*"))) == 1
    section = Section.objects.first()
    new = Activity.objects.create(section=section, text_sv="Ny", text_en="New", order=99)
    assert new.pk > max(Activity.objects.exclude(pk=new.pk).values_list("pk", flat=True))


def test_a_broken_file_changes_nothing(backup_tools, tmp_path):
    call_command("load_plan_2023", verbosity=0)
    before = snapshot()
    call_command("backup_db", output=tmp_path / "whole")
    broken = tmp_path / "broken"
    broken.write_bytes((tmp_path / "whole").read_bytes()[:20000])
    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore_db", str(broken), interactive=False)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    with pytest.raises(CommandError, match="is not"):
        call_command("restore_db", str(not_a_backup), interactive=False)
    assert snapshot() == before
    if connection.vendor == "sqlite":
        # A damaged SQLite file is found before anything is touched.
        assert not list(backup_tools.glob("pre-restore-*"))


def test_a_restore_asks_first(backup_tools, tmp_path, monkeypatch):
    call_command("backup_db", output=tmp_path / "b")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="Nothing was restored"):
        call_command("restore_db", str(tmp_path / "b"))
    assert not list(backup_tools.glob("pre-restore-*"))
