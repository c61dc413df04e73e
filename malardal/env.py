"""Small typed readers for settings that come from the environment.

Each reader fails loudly with :class:`ImproperlyConfigured` naming the variable, so a
typo in a deployment stops start-up instead of running with a surprise default.
"""

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def parse_database_url(name: str, url: str, base_dir: Path) -> dict:
    """Turn ``sqlite:///relative.sqlite3``, ``sqlite:////abs/path`` or
    ``postgres://user:pass@host:port/db?sslmode=require`` into a DATABASES entry."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parts.path)
        if not path or path == "/":
            raise ImproperlyConfigured(f"{name}: an SQLite URL needs a file path, got {url!r}")
        # sqlite:///x.sqlite3 is relative to the checkout, sqlite:////tmp/x is absolute.
        path = path[1:] if path.startswith("/") else path
        file = Path(path) if Path(path).is_absolute() else base_dir / path
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(file)}
    if scheme in {"postgres", "postgresql", "pgsql"}:
        db_name = unquote(parts.path.lstrip("/"))
        if not db_name:
            raise ImproperlyConfigured(
                f"{name}: a PostgreSQL URL needs a database name, got {url!r}"
            )
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name}: the port is not a number in {url!r}") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": db_name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": dict(parse_qsl(parts.query)),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"{name} must start with sqlite:// or postgres://, got {url.split(':', 1)[0]!r}"
    )


def env_file_mode(name: str, default: int) -> int:
    """An octal file mode such as ``600`` or ``0o640``. Modes that give anything to
    "others" (world-readable files) are refused: uploaded and generated files hold
    personal data."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    text = raw.strip().lower().removeprefix("0o")
    try:
        mode = int(text, 8)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an octal file mode, got {raw!r}") from None
    if not 0 <= mode <= 0o777:
        raise ImproperlyConfigured(f"{name} must be an octal file mode, got {raw!r}")
    if mode & 0o007:
        raise ImproperlyConfigured(
            f"{name}={raw} would let every user on the machine read the portal's files; "
            "use e.g. 600 (or 640 when another user of the same group must read them)"
        )
    return mode
