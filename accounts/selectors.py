import datetime

from django.db.models import Max
from django.utils import timezone

from .models import LoginThrottle


def throttle_keys(*, username: str | None, ip: str | None) -> list[tuple[str, str]]:
    """``[("user", "user:<name>"), ("ip", "ip:<address>")]`` for what is known. User names
    are compared case-insensitively, so "Admin" and "admin" share one counter."""
    keys = []
    if username:
        keys.append(("user", f"user:{username.strip().casefold()}"[:200]))
    if ip:
        keys.append(("ip", f"ip:{ip}"))
    return keys


def login_locked_until(*, username: str | None, ip: str | None) -> datetime.datetime | None:
    """When the lock on this user name or address ends, or None if neither is locked."""
    keys = [key for _, key in throttle_keys(username=username, ip=ip)]
    if not keys:
        return None
    return LoginThrottle.objects.filter(key__in=keys, locked_until__gt=timezone.now()).aggregate(
        until=Max("locked_until")
    )["until"]
