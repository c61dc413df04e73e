"""Test overrides. The database comes from DATABASE_URL like everywhere else; CI points
it at PostgreSQL."""

import os

os.environ.setdefault("DEBUG", "1")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = None
# Tasks run eagerly here: a background rebuild of the report files after every write
# would build PDFs in every test that commits. Tests that check it turn it on.
REPORT_REFRESH_SECONDS = 0
SECURE_SSL_REDIRECT = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tests never run collectstatic: whitenoise looks files up per request instead of
# scanning a STATIC_ROOT that does not exist (and warning about it).
WHITENOISE_AUTOREFRESH = True
# The page cache in local memory, whatever REDIS_URL says (the Celery tests use that
# Redis as their broker); tests/test_page_cache.py runs it on Redis. tests/conftest.py
# starts every test with a new data version.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
