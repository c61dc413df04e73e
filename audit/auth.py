"""Logins in the audit trail (issue 11, point 2): every login, logout, failed login and
lock-out, with the client's address (audit.net.client_ip, through audit.context).
Password reset requests are recorded by accounts.views; the new password itself is a
change of the user (recorded by the recorder, masked). Group and permission changes are
many-to-many changes of users and groups, which the recorder records.
"""

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_save

from .context import acting_for_request
from .models import AuditEntry
from .recorder import record

Action = AuditEntry.Action


def _in(request):
    """The request as the actor when the signal has one (the login view's), else the
    current context (a request handled by the middleware, or a command)."""
    if request is None:
        import contextlib

        return contextlib.nullcontext()
    return acting_for_request(request)


def logged_in(sender, request, user, **kwargs):
    with _in(request):
        record(Action.LOGIN, user, by=user)


def logged_out(sender, request, user, **kwargs):
    if user is None:
        return
    with _in(request):
        # request.user is anonymous by now: the entry is about the user who left.
        record(Action.LOGOUT, user, by=user)


def login_failed(sender, credentials, request=None, **kwargs):
    User = get_user_model()
    typed = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")
    login = User._default_manager.filter(**{f"{User.USERNAME_FIELD}__iexact": typed}).first()
    with _in(request):
        if login is not None:
            record(Action.LOGIN_FAILED, login, changes={"username": [None, typed[:150]]})
        else:
            record(
                Action.LOGIN_FAILED,
                None,
                object_repr=typed[:150],
                changes={"username": [None, typed[:150]]},
            )


def _throttle_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance.__dict__["_audit_locked_before"] = None
        return
    row = sender._base_manager.filter(pk=instance.pk).values("locked_until").first()
    instance.__dict__["_audit_locked_before"] = row["locked_until"] if row else None


def _throttle_after(sender, instance, created, raw=False, **kwargs):
    """A lock set on a user name (``user:<name>``) or an address (``ip:<address>``)."""
    if raw:
        return
    before = instance.__dict__.pop("_audit_locked_before", None)
    until = getattr(instance, "locked_until", None)
    if until is not None and until != before:
        record(
            Action.LOCKOUT,
            instance,
            object_repr=str(instance),
            changes={"locked_until": [None, until.isoformat()]},
        )


def connect():
    user_logged_in.connect(logged_in, dispatch_uid="audit_logged_in")
    user_logged_out.connect(logged_out, dispatch_uid="audit_logged_out")
    user_login_failed.connect(login_failed, dispatch_uid="audit_login_failed")
    try:
        throttle = apps.get_model("accounts", "LoginThrottle")
    except LookupError:
        return
    pre_save.connect(_throttle_before, sender=throttle, dispatch_uid="audit_lock_before")
    post_save.connect(_throttle_after, sender=throttle, dispatch_uid="audit_lock_after")
