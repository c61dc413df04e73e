"""Lock-out after repeated failed logins.

A user name is locked after ``LOGIN_FAILURE_LIMIT`` failures within
``LOGIN_LOCKOUT_SECONDS``, a client address after ``LOGIN_FAILURE_LIMIT_PER_ADDRESS``
(higher: many people share an office's address). A lock lasts ``LOGIN_LOCKOUT_SECONDS``
and is not extended by attempts made while it holds, so it always lifts on time. The
counter is kept for any user name typed, existing or not, so a lock says nothing about
whether an account exists.

These counters are written by the login machinery, not by a person editing data, so
they skip ``full_clean()``.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import LoginThrottle
from .selectors import throttle_keys


def _limit(kind: str) -> int:
    if kind == "user":
        return settings.LOGIN_FAILURE_LIMIT
    return settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS


def login_failure_record(*, username: str | None, ip: str | None) -> None:
    """Count one failed login against the user name and the client address."""
    now = timezone.now()
    window = datetime.timedelta(seconds=settings.LOGIN_LOCKOUT_SECONDS)
    with transaction.atomic():
        # Forget counters that have run out, so the table stays small.
        LoginThrottle.objects.filter(window_started_at__lt=now - window).filter(
            Q(locked_until__isnull=True) | Q(locked_until__lt=now)
        ).delete()
        for kind, key in throttle_keys(username=username, ip=ip):
            # Row lock: two failures at the same moment both count.
            throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(
                key=key, defaults={"window_started_at": now}
            )
            if throttle.locked_until and throttle.locked_until > now:
                continue
            if now - throttle.window_started_at > window or throttle.locked_until:
                throttle.failures = 0
                throttle.window_started_at = now
                throttle.locked_until = None
            throttle.failures += 1
            if throttle.failures >= _limit(kind):
                throttle.locked_until = now + window
            throttle.save()


def login_lock_clear(*, username: str) -> None:
    """Forget the failures of a user name: after a successful login or a password
    reset (whoever reads the account's mail may log in again)."""
    keys = [key for _, key in throttle_keys(username=username, ip=None)]
    LoginThrottle.objects.filter(key__in=keys).delete()
