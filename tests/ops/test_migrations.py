"""Migrations run backwards and forwards on a copy of the 2023 data without error.

The run happens in a process of its own on a database of its own (an SQLite file, or a
fresh PostgreSQL database when the suite runs on PostgreSQL), so undoing every
migration cannot harm the test database.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
import django
django.setup()
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

def counts():
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()
            if m._meta.app_label in ("members", "plan", "ebs", "ebm", "events")}

call_command("migrate", interactive=False, verbosity=0)
call_command("load_plan_2023", verbosity=0)
loaded = counts()

# Backwards: every app to zero in one plan, newest first, with the data in place.
executor = MigrationExecutor(connection)
applied_before = len(executor.loader.applied_migrations)
executor.migrate([(app, None) for app in sorted(executor.loader.migrated_apps)])
executor = MigrationExecutor(connection)
left_applied = len(executor.loader.applied_migrations)
tables_left = sorted(connection.introspection.table_names())

# Forwards again, and the plan loads again.
call_command("migrate", interactive=False, verbosity=0)
from django.contrib.auth.models import Group
groups = sorted(Group.objects.values_list("name", flat=True))
call_command("load_plan_2023", verbosity=0)
print(json.dumps({
    "loaded": loaded, "reloaded": counts(), "applied_before": applied_before,
    "left_applied": left_applied, "tables_left": tables_left, "groups": groups,
}))
"""


@pytest.fixture
def scratch_database_url(tmp_path):
    """A database URL nobody else uses, of the kind the suite runs on."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'migrations.sqlite3'}"
        return
    conf = connection.settings_dict
    name = f"migrations_{uuid.uuid4().hex[:12]}"
    params = {
        "host": conf["HOST"] or None,
        "port": conf["PORT"] or None,
        "user": conf["USER"] or None,
        "password": conf["PASSWORD"] or None,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = conf["USER"] or ""
    password = f":{conf['PASSWORD']}" if conf["PASSWORD"] else ""
    host = conf["HOST"] or "127.0.0.1"
    port = conf["PORT"] or "5432"
    yield f"postgres://{user}{password}@{host}:{port}/{name}"
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrations_run_backwards_and_forwards_on_the_2023_data(scratch_database_url):
    env = {
        **os.environ,
        "DATABASE_URL": scratch_database_url,
        "DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "malardal.settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    run = json.loads(result.stdout.strip().splitlines()[-1])
    assert run["loaded"]["plan.Activity"] == 50
    assert run["applied_before"] > 20
    assert run["left_applied"] == 0
    assert run["tables_left"] == ["django_migrations"]
    assert run["groups"] == ["board", "member", "secretariat"]
    assert run["reloaded"] == run["loaded"]
