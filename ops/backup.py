"""Back up and restore the database: PostgreSQL with pg_dump/pg_restore (custom format),
SQLite with sqlite3's online backup API. Called by ``manage.py backup_db`` and
``manage.py restore_db`` (``make backup``, ``make restore FILE=…``).

Both work on a live database: pg_dump reads one consistent snapshot, and the SQLite
backup API copies a consistent image while others keep reading. A restore replaces the
whole database in one transaction — on PostgreSQL the dropped schema and the restored
one are a single ``psql --single-transaction`` run — so it either succeeds or leaves the
database as it was.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A backup or restore could not be made; the message says why, for a person."""


# A backup holds password hashes, session keys and personal data: only the portal's
# user may read it.
FILE_MODE = 0o600
DIR_MODE = 0o700


def backup_dir() -> Path:
    return Path(settings.BACKUP_DIR)


def _private_dir(folder: Path) -> None:
    """Create `folder` (and its parents) 0700. BACKUP_DIR is made 0700 whatever it was,
    and backups written there by an older version (0644) are made 0600; a folder given
    on the command line that exists already is left as it is (it may be /tmp)."""
    existed = folder.is_dir()
    folder.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if existed and folder.resolve() != backup_dir().resolve():
        return
    try:
        folder.chmod(DIR_MODE)
        for path in folder.iterdir():
            if path.is_file() and not path.is_symlink():
                path.chmod(FILE_MODE)
    except PermissionError as e:
        raise BackupError(f"{folder} must belong to the portal's user: {e}") from e


def _private_file(path: Path) -> None:
    """Create `path` empty and 0600 before anything writes into it: pg_dump and sqlite
    keep the mode of a file that exists, so the backup is never readable by others, not
    even while it is being written."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def _vendor(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Backups of a {vendor} database are not supported.")
    return vendor


def default_path(alias: str = "default", prefix: str = "malardal") -> Path:
    """``BACKUP_DIR/<prefix>-<UTC time>Z.dump`` (PostgreSQL) or ``….sqlite3``; never the
    name of an existing file."""
    suffix = ".dump" if _vendor(alias) == "postgresql" else ".sqlite3"
    stamp = timezone.now().strftime("%Y%m%d-%H%M%SZ")
    path = backup_dir() / f"{prefix}-{stamp}{suffix}"
    n = 1
    while path.exists():
        n += 1
        path = backup_dir() / f"{prefix}-{stamp}-{n}{suffix}"
    return path


def _pg_env(alias: str) -> dict[str, str]:
    """libpq's environment variables for the connection: no password on a command line."""
    conf = connections[alias].settings_dict
    env = dict(os.environ)
    mapping = {
        "PGDATABASE": conf.get("NAME"),
        "PGUSER": conf.get("USER"),
        "PGPASSWORD": conf.get("PASSWORD"),
        "PGHOST": conf.get("HOST"),
        "PGPORT": str(conf.get("PORT") or ""),
        "PGSSLMODE": (conf.get("OPTIONS") or {}).get("sslmode"),
    }
    for key, value in mapping.items():
        if value:
            env[key] = value
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(
            f"The command {name!r} is not installed; it comes with the PostgreSQL client "
            "(Debian: apt-get install postgresql-client)."
        )
    return path


def _run(args, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise BackupError(f"{Path(args[0]).name} failed: {result.stderr.strip()}")
    return result


def backup_create(*, path: Path | None = None, alias: str = "default") -> Path:
    """Write a backup of the database ``alias`` to ``path`` (default: a time-stamped
    file under BACKUP_DIR) and return the path. The file is 0600 in a 0700 folder.
    Raises BackupError."""
    path = Path(path) if path else default_path(alias)
    _private_dir(path.parent)
    partial = path.with_name(path.name + ".partial")
    _private_file(partial)
    if _vendor(alias) == "postgresql":
        _run(
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={partial}",
            ],
            env=_pg_env(alias),
        )
    else:
        connection = connections[alias]
        connection.ensure_connection()
        target = sqlite3.connect(partial)
        try:
            with connection.wrap_database_errors:
                connection.connection.backup(target)
        finally:
            target.close()
    # Only a finished backup gets the real name, so a file in BACKUP_DIR is whole.
    partial.replace(path)
    return path


def _check_kind(path: Path, vendor: str) -> None:
    if not path.is_file():
        raise BackupError(f"There is no file {path}.")
    with path.open("rb") as f:
        head = f.read(16)
    expected = PG_MAGIC if vendor == "postgresql" else SQLITE_MAGIC
    if not head.startswith(expected):
        kind = "a PostgreSQL dump" if vendor == "postgresql" else "an SQLite database"
        raise BackupError(f"{path} is not {kind}, which this database ({vendor}) needs.")
    if vendor == "sqlite":
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()[0]
        except sqlite3.DatabaseError as e:
            check = str(e)
        finally:
            source.close()
        if check != "ok":
            raise BackupError(f"{path} is damaged: {check}")


def backup_restore(*, path: Path, alias: str = "default", safety_copy: bool = True) -> Path | None:
    """Replace the database ``alias`` with the backup at ``path``.

    First, unless ``safety_copy`` is False, the current database is backed up under
    BACKUP_DIR (``pre-restore-….``); that path is returned, so a wrong restore can be
    undone. Stop the web processes and workers first: their open transactions would
    hold the restore up. Raises BackupError, and then the database is as it was.
    """
    path = Path(path)
    vendor = _vendor(alias)
    _check_kind(path, vendor)
    safety = default_path(alias, prefix="pre-restore") if safety_copy else None
    if safety:
        backup_create(path=safety, alias=alias)
    connection = connections[alias]
    if vendor == "postgresql":
        psql, pg_restore = _tool("psql"), _tool("pg_restore")
        connection.close()  # our own session must not hold the old tables
        script = _run([pg_restore, "--no-owner", "--no-privileges", "--file=-", str(path)])
        sql = "DROP SCHEMA public CASCADE;\nCREATE SCHEMA public;\n" + script.stdout
        _run(
            [
                psql,
                "--quiet",
                "--no-psqlrc",
                "--single-transaction",
                "-v",
                "ON_ERROR_STOP=1",
                "--file=-",
            ],
            input=sql,
            env=_pg_env(alias),
        )
    else:
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            with connection.wrap_database_errors:
                source.backup(connection.connection)
        finally:
            source.close()
    connection.close()
    return safety
