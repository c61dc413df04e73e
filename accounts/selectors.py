import datetime

from django.db.models import Max
from django.utils import timezone

from .models import LoginThrottle


def _name(username: str) -> str:
    # User names are compared case-insensitively, so "Admin" and "admin" share a counter.
    return username.strip().casefold()[:150]


def throttle_keys(*, username: str | None, ip: str | None) -> list[tuple[str, str]]:
    """The counters a login attempt is held against: ``("pair", "pair:<name>|<address>")``
    when a user name was typed, and ``("ip", "ip:<address>")`` when the address is known.

    There is deliberately no counter for a user name alone: anyone could then lock any
    account by typing wrong passwords for it. A request whose address cannot be read
    (no request, a malformed REMOTE_ADDR) counts under the address ``unknown``.
    """
    address = ip or "unknown"
    keys = []
    if username and username.strip():
        keys.append(("pair", f"pair:{_name(username)}|{address}"))
    keys.append(("ip", f"ip:{address}"))
    return keys


def pair_key_prefix(*, username: str) -> str:
    """The start of every pair key of a user name (``pair:<name>|``), to lift them all."""
    return f"pair:{_name(username)}|"


def login_locked_until(*, username: str | None, ip: str | None) -> datetime.datetime | None:
    """When the lock on this (user name, address) pair or on the address ends, or None
    if neither is locked."""
    keys = [key for _, key in throttle_keys(username=username, ip=ip)]
    return LoginThrottle.objects.filter(key__in=keys, locked_until__gt=timezone.now()).aggregate(
        until=Max("locked_until")
    )["until"]
