"""Who is acting right now, for the audit trail.

A context variable (safe with threads and async) holds either the current request,
set by :class:`audit.middleware.AuditContextMiddleware`, or a user given explicitly
with :func:`acting_as` (Celery tasks, management commands). With neither, the actor
is "system".
"""

import contextlib
import sys
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    user: Any  # a user instance or None
    label: str
    source: str
    address: str | None = None  # the client's IP address, in a request


@dataclass(frozen=True)
class _Context:
    request: Any = None
    user: Any = None
    source: str = ""
    address: str | None = None


_current: ContextVar[_Context | None] = ContextVar("audit_context", default=None)
# Set while a service writes one entry of its own for what it does (an erasure).
_suspended: ContextVar[bool] = ContextVar("audit_suspended", default=False)


def _command_source() -> str:
    """ "manage.py load_plan_2023", "celery worker" …: the program and its sub-command
    only, never further arguments (they may hold passwords)."""
    if not sys.argv or not sys.argv[0]:
        return ""
    parts = [Path(sys.argv[0]).name]
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        parts.append(sys.argv[1])
    return " ".join(parts)[:300]


def current_actor() -> Actor:
    """The user behind the change being recorded. Reading ``request.user`` is left
    until a change is recorded, so requests that change nothing never load it."""
    context = _current.get()
    if context is None:
        return Actor(None, SYSTEM, _command_source())
    user = context.user
    source = context.source
    address = context.address
    if context.request is not None:
        from .net import client_ip

        request = context.request
        user = getattr(request, "user", None)
        source = source or f"{request.method} {request.path}"[:300]
        address = client_ip(request)
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, SYSTEM if context.request is None else "anonymous", source, address)
    return Actor(user, user.get_username(), source, address)


def recording_suspended() -> bool:
    return _suspended.get()


@contextlib.contextmanager
def suspend_recording():
    """Record nothing from signals inside the block: for a service that writes one
    entry of its own saying what it did (members.services.person_erase)."""
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


@contextlib.contextmanager
def acting_for_request(request):
    token = _current.set(_Context(request=request))
    try:
        yield
    finally:
        _current.reset(token)


@contextlib.contextmanager
def acting_as(user, source: str = ""):
    """Record changes made inside the block as made by ``user`` (None: "system").

    For Celery tasks that act on behalf of a user, and for commands::

        with acting_as(request_user, source="task build_report"):
            report_build(...)
    """
    # Inside a request (a service acting for its user), the request's address stays.
    outer = _current.get()
    address = outer.address if outer is not None else None
    if outer is not None and outer.request is not None:
        from .net import client_ip

        address = client_ip(outer.request)
    token = _current.set(_Context(user=user, source=source or _command_source(), address=address))
    try:
        yield
    finally:
        _current.reset(token)
