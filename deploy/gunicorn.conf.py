"""gunicorn settings for the portal, from the environment.

BIND (default 127.0.0.1:$PORT, PORT default 8000): where to listen; behind a proxy on
the same host keep the loopback address, on a host of its own use 0.0.0.0:PORT.
WEB_CONCURRENCY: worker processes (default 2 × cores + 1).
"""

import multiprocessing
import os

bind = os.environ.get("BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
# Synchronous workers: pages are server-rendered and quick; slow work (reports,
# reminders) goes to Celery.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Recycle workers now and then so a slow leak never grows.
max_requests = 1000
max_requests_jitter = 100
# The proxy in front sets X-Forwarded-Proto; trust it from the proxy's address only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
proc_name = "malardal-web"
# No runtime control socket: nothing here uses it, and several instances on one host
# would otherwise share its default path. (Older gunicorn ignores this name.)
control_socket_disable = True
