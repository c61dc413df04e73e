"""Throttling failed logins and password-reset mails.

**Logins.** Failed logins are counted per (user name, client address) pair and per
client address. After ``LOGIN_FAILURE_LIMIT`` failures of one pair, or
``LOGIN_FAILURE_LIMIT_PER_ADDRESS`` from one address (higher: an office shares one
address), the pair or the address waits ``LOGIN_LOCKOUT_SECONDS`` before it may try
again, and each further failure doubles the wait, up to ``LOGIN_LOCKOUT_MAX_SECONDS``.
Attempts made during a wait are refused without being counted, so a wait always ends on
time. A counter is forgotten ``LOGIN_FAILURE_RESET_SECONDS`` after its last failure, and
a pair's when that pair logs in. There is no lock on a user name alone: someone typing
wrong passwords for Anna's user name slows down only their own address, and Anna logs
in from hers. Counters are kept for any user name typed, existing or not, so a lock
says nothing about whether an account exists.

**Password resets.** At most ``PASSWORD_RESET_LIMIT_PER_ADDRESS`` requests per address
and ``PASSWORD_RESET_LIMIT_PER_ACCOUNT`` mails per account within
``PASSWORD_RESET_WINDOW_SECONDS``; past that the form answers as always and sends
nothing.

These counters are written by the login machinery, not by a person editing data, so
they skip ``full_clean()`` and the audit trail.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import LoginThrottle
from .selectors import pair_key_prefix, throttle_keys


def _limit(kind: str) -> int:
    if kind == "pair":
        return settings.LOGIN_FAILURE_LIMIT
    return settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS


def login_delay(*, kind: str, failures: int) -> datetime.timedelta | None:
    """How long a pair (``kind="pair"``) or an address (``"ip"``) must wait after its
    ``failures``-th failure: nothing below the limit, then ``LOGIN_LOCKOUT_SECONDS``,
    doubled with each further failure, at most ``LOGIN_LOCKOUT_MAX_SECONDS``."""
    over = failures - _limit(kind)
    if over < 0:
        return None
    seconds = settings.LOGIN_LOCKOUT_SECONDS * 2 ** min(over, 32)
    return datetime.timedelta(seconds=min(seconds, settings.LOGIN_LOCKOUT_MAX_SECONDS))


def login_throttles_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete counters that no longer hold anything back: not locked, and with no
    attempt for ``LOGIN_FAILURE_RESET_SECONDS`` (logins) or
    ``PASSWORD_RESET_WINDOW_SECONDS`` (reset mails), whichever is longer. Returns how
    many were deleted. Safe to run at any time, also twice."""
    now = now or timezone.now()
    keep = max(settings.LOGIN_FAILURE_RESET_SECONDS, settings.PASSWORD_RESET_WINDOW_SECONDS)
    cutoff = now - datetime.timedelta(seconds=keep)
    deleted, _ = (
        LoginThrottle.objects.filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .filter(
            Q(last_failure_at__lt=cutoff)
            | Q(last_failure_at__isnull=True, window_started_at__lt=cutoff)
        )
        .delete()
    )
    return deleted


def login_failure_record(*, username: str | None, ip: str | None) -> list[str]:
    """Count one failed login against the (user name, address) pair and the address.

    Returns the kinds (``"pair"``, ``"ip"``) that this failure locked, for whoever
    wants to record a lock-out."""
    now = timezone.now()
    forget = datetime.timedelta(seconds=settings.LOGIN_FAILURE_RESET_SECONDS)
    locked = []
    with transaction.atomic():
        login_throttles_purge(now=now)
        for kind, key in throttle_keys(username=username, ip=ip):
            # Row lock: two failures at the same moment both count.
            throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"window_started_at": now}
            )
            if throttle.locked_until and throttle.locked_until > now:
                continue
            if throttle.last_failure_at and now - throttle.last_failure_at > forget:
                throttle.failures = 0
                throttle.window_started_at = now
            throttle.failures += 1
            throttle.last_failure_at = now
            delay = login_delay(kind=kind, failures=throttle.failures)
            throttle.locked_until = now + delay if delay else None
            if delay:
                locked.append(kind)
            throttle.save()
    return locked


def login_success_record(*, username: str, ip: str | None) -> None:
    """Forget the failures of this user name from this address after it logged in.
    The address's own counter stays: one account of one's own must not wipe out the
    failures tried on others."""
    keys = [key for kind, key in throttle_keys(username=username, ip=ip) if kind == "pair"]
    LoginThrottle.objects.filter(key__in=keys).delete()


def login_lock_clear(*, username: str) -> None:
    """Forget the failures of a user name from every address: after a password reset
    (whoever reads the account's mail may log in again)."""
    LoginThrottle.objects.filter(key__startswith=pair_key_prefix(username=username)).delete()


def _count_within_window(*, key: str, limit: int) -> bool:
    """Count one more under ``key`` in a fixed window of ``PASSWORD_RESET_WINDOW_SECONDS``;
    False (and not counted) once ``limit`` is reached in the window."""
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.PASSWORD_RESET_WINDOW_SECONDS)
    with transaction.atomic():
        throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(
            key=key, defaults={"window_started_at": now}
        )
        if now - throttle.window_started_at >= window:
            throttle.failures = 0
            throttle.window_started_at = now
            throttle.locked_until = None
        throttle.last_failure_at = now
        if throttle.failures >= limit:
            throttle.save(update_fields=["last_failure_at", "window_started_at", "failures"])
            return False
        throttle.failures += 1
        if throttle.failures >= limit:
            throttle.locked_until = throttle.window_started_at + window
        throttle.save()
        return True


def password_reset_address_allowed(*, ip: str | None) -> bool:
    """Count one password-reset request from ``ip``; False when the address has asked
    ``PASSWORD_RESET_LIMIT_PER_ADDRESS`` times within the window already."""
    return _count_within_window(
        key=f"reset-ip:{ip or 'unknown'}", limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS
    )


def password_reset_mail_allowed(*, user_id: int) -> bool:
    """Count one reset mail to the account ``user_id``; False when it has had
    ``PASSWORD_RESET_LIMIT_PER_ACCOUNT`` within the window already."""
    return _count_within_window(
        key=f"reset-user:{user_id}", limit=settings.PASSWORD_RESET_LIMIT_PER_ACCOUNT
    )
