"""gunicorn settings for the portal, from the environment.

BIND (default 127.0.0.1:$PORT, PORT default 8000): where to listen; behind a proxy on
the same host keep the loopback address, on a host of its own use 0.0.0.0:PORT.
WEB_CONCURRENCY: worker processes (default 2 × cores + 1).
"""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# Synchronous workers: pages are server-rendered and quick; slow work (reports,
# reminders) goes to Celery.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# No recycling of workers by default: restarting a worker every ~1,000 requests halved
# the throughput of the bench's bare view (issue 12), and the portal has no known leak
# (the heavy work, PDFs and imports, runs in Celery). GUNICORN_MAX_REQUESTS=N turns it
# on (with 10 % jitter) should a leak ever appear.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# The proxy in front sets X-Forwarded-Proto; trust it from the proxy's address only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"


# Secrets that travel in URLs: the personal calendar feed's token, and the token of a
# password-reset link (its user id stays: it says whose link it was, not how to use it),
# and any query parameter named like a secret. Whoever reads the access log must not be
# able to open a member's feed or reset their password.
_SECRET_PATTERNS = [
    (re.compile(r"(/events/my/)[^/?#\s\"]+(/feed\.ics)"), r"\1[redacted]\2"),
    (
        re.compile(r"(/accounts/reset/[^/?#\s\"]+/)(?!set-password/)[^/?#\s\"]+/"),
        r"\1[redacted]/",
    ),
    (
        re.compile(
            r"((?:^|[?&])(?:token|key|secret|password|signature)=)[^&#\s\"]*", re.IGNORECASE
        ),
        r"\1[redacted]",
    ),
]


def redact(text):
    """``text`` with every secret of ``_SECRET_PATTERNS`` replaced by ``[redacted]``."""
    if not isinstance(text, str):
        return text
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactingLogger(Logger):
    """gunicorn's logger, with tokens taken out of every access-log field that can carry
    a URL: the request line, the path, the query string, the Referer and any other
    request header or environment value a custom format might print."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) for key, value in atoms.items()}


logger_class = RedactingLogger
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "malardal-web"
# No runtime control socket: nothing here uses it, and several instances on one host
# would otherwise share its default path. (Older gunicorn ignores this name.)
control_socket_disable = True
