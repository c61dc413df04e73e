"""Count failed logins and forget them after a successful one."""

import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from audit.net import client_ip

from .middleware import LAST_ACTIVITY
from .selectors import login_locked_until
from .services import login_failure_record, login_success_record


@receiver(user_login_failed, dispatch_uid="accounts_count_failure")
def count_failure(sender, credentials, request=None, **kwargs):
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username")
    ip = client_ip(request)
    if login_locked_until(username=username, ip=ip):
        return  # attempts during a lock are refused, not counted: it lifts on time
    login_failure_record(username=username, ip=ip)


@receiver(user_logged_in, dispatch_uid="accounts_clear_failures")
def clear_failures(sender, request, user, **kwargs):
    login_success_record(username=user.get_username(), ip=client_ip(request))


@receiver(user_logged_in, dispatch_uid="accounts_start_idle_clock")
def start_idle_clock(sender, request, user, **kwargs):
    """The idle timeout counts from the login (so the first page writes no session)."""
    if settings.SESSION_IDLE_TIMEOUT and request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY] = int(time.time())
