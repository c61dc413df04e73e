"""The one settings module. Everything that differs between a laptop and production
comes from environment variables; with nothing set, the portal runs on SQLite in the
checkout, prints mail to the console and runs Celery tasks in-process."""

import datetime
from pathlib import Path

from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_file_mode, env_int, env_list, env_str, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG:
        SECRET_KEY = "django-insecure-development-only-key-do-not-use-in-production"
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. "
            "Set DEBUG=1 for local development, or give SECRET_KEY a long random value."
        )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    # modeltranslation must come before the admin so its fields show there.
    "modeltranslation",
    "malardal.apps.MalardalConfig",
    # django.contrib.admin with the portal's site: no lookups on secret fields (issue 11).
    "malardal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "import_export",
    "members",
    "plan",
    "ebs",
    "ebm",
    "events",
    # Files attached to plans, sections, activities, events and bodies, with visibility.
    "documents",
    # The pages a public body's site must have: accessibility statement, personal data,
    # cookies, contact (with the secretariat's contact details, kept in the admin).
    "about",
    # Who changed what and when, from any path (issue 6).
    "audit",
    # Logins: the site's login and password pages, lock-out after failed logins.
    "accounts",
    # make backup / make restore: the backup_db and restore_db commands.
    "ops",
    "reminders",
    # manage.py bench (make bench): page timings on a large synthetic data set.
    "bench",
    # Open data (issue 13): the read-only JSON API at /api/v1/, its OpenAPI document,
    # the per-year exports, the DCAT-AP-SE record and the /sv/open-data/ page.
    "rest_framework",
    "drf_spectacular",
    "api",
]

MIDDLEWARE = [
    # Outermost, so every response (redirects and errors too) gets the CSP.
    "malardal.middleware.SecurityHeadersMiddleware",
    # /api/ only: drops the request's cookies (the API is anonymous); CORS for GET, ETag
    # + public Cache-Control on 200s, 304 for a matching If-None-Match, JSON instead of
    # the HTML error page for a 4xx (the bad-input 400 below too). Outside the others,
    # so the ETag is computed on the response exactly as it leaves.
    "api.middleware.OpenDataMiddleware",
    # The first to read the request: a path, query string or form field with control
    # characters (NUL …) or invalid UTF-8 gets a 400 before anything else sees it.
    "malardal.middleware.BadInputMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Serves collected static files in production (make serve, gunicorn); see STORAGES.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Visitors' GETs of public pages from the page cache (malardal/pagecache.py): after
    # the HTTPS redirect, before the session, so a hit reads no session and no database.
    "malardal.pagecache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Every response to a logged-in user (redirects of the middleware below too) is
    # Cache-Control: private, no-store (accounts/middleware.py).
    "accounts.middleware.PrivatePagesMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After AuthenticationMiddleware: the request's user is the actor of audited changes.
    "audit.middleware.AuditContextMiddleware",
    # Logged-in users are logged out after SESSION_IDLE_TIMEOUT without a request.
    "accounts.middleware.IdleTimeoutMiddleware",
]

ROOT_URLCONF = "malardal.urls"
WSGI_APPLICATION = "malardal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            # Templates are compiled once per process, not per request (with DEBUG on,
            # Django's autoreloader empties the cache when a template changes).
            "loaders": [
                (
                    "django.template.loaders.cached.Loader",
                    [
                        "django.template.loaders.filesystem.Loader",
                        "django.template.loaders.app_directories.Loader",
                    ],
                )
            ],
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": parse_database_url(
        "DATABASE_URL", env_str("DATABASE_URL", "sqlite:///db.sqlite3"), BASE_DIR
    )
}
# Keep connections between requests (no connect per request), but check one before
# reusing it: after a PostgreSQL restart the first request reconnects instead of failing.
DATABASES["default"]["CONN_MAX_AGE"] = env_int("CONN_MAX_AGE", 600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # A database that does not answer gives the 503 page within seconds, not a hung worker.
    DATABASES["default"]["OPTIONS"].setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The cache: Redis when CACHE_URL (or REDIS_URL) names one — production, where gunicorn's
# workers and the Celery worker must share the page cache's data version — and local
# memory otherwise (make run: one process, nothing to install).
CACHE_URL = env_str("CACHE_URL", "") or env_str("REDIS_URL", "")
CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "malardal"),
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "malardal"}
    )
}
# Visitors' pages (not logged in) are kept in the cache this many seconds at most (0:
# no page cache); every write to the database makes them stale at once anyway
# (malardal/pagecache.py). Browsers may keep them PAGE_BROWSER_MAX_AGE seconds.
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 600)
PAGE_BROWSER_MAX_AGE = env_int("PAGE_BROWSER_MAX_AGE", 60)
# Larger pages are not stored.
PAGE_CACHE_MAX_BYTES = env_int("PAGE_CACHE_MAX_BYTES", 2 * 1024 * 1024)
for _name in ("PAGE_CACHE_SECONDS", "PAGE_BROWSER_MAX_AGE", "PAGE_CACHE_MAX_BYTES"):
    if globals()[_name] < 0:
        raise ImproperlyConfigured(f"{_name} must not be negative")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # At least 12 characters: OWASP ASVS 4.0 level 2, requirement 2.1.1.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
# Each role to its work after logging in (plan.navigation.start_url), unless a safe
# ``next`` names a page.
LOGIN_REDIRECT_URL = "plan:start"
LOGOUT_REDIRECT_URL = "plan:home"
# Django's ModelBackend, refusing logins while a (user name, address) pair or an address
# must wait (accounts/services.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.LockoutModelBackend"]
# After LOGIN_FAILURE_LIMIT failed logins with one user name from one address, or
# LOGIN_FAILURE_LIMIT_PER_ADDRESS from one address (higher: an office shares one
# address), the pair or the address waits LOGIN_LOCKOUT_SECONDS; each further failure
# doubles the wait, up to LOGIN_LOCKOUT_MAX_SECONDS. Counters are forgotten
# LOGIN_FAILURE_RESET_SECONDS after their last failure. No user name is locked as such.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env_int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 30)
LOGIN_LOCKOUT_SECONDS = env_int("LOGIN_LOCKOUT_SECONDS", 60)
LOGIN_LOCKOUT_MAX_SECONDS = env_int("LOGIN_LOCKOUT_MAX_SECONDS", 60 * 60)
LOGIN_FAILURE_RESET_SECONDS = env_int("LOGIN_FAILURE_RESET_SECONDS", 24 * 60 * 60)
# Password-reset mails: per account and per address within the window.
PASSWORD_RESET_LIMIT_PER_ACCOUNT = env_int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", 3)
PASSWORD_RESET_LIMIT_PER_ADDRESS = env_int("PASSWORD_RESET_LIMIT_PER_ADDRESS", 10)
PASSWORD_RESET_WINDOW_SECONDS = env_int("PASSWORD_RESET_WINDOW_SECONDS", 60 * 60)
for _name in (
    "LOGIN_FAILURE_LIMIT",
    "LOGIN_FAILURE_LIMIT_PER_ADDRESS",
    "LOGIN_LOCKOUT_SECONDS",
    "LOGIN_LOCKOUT_MAX_SECONDS",
    "LOGIN_FAILURE_RESET_SECONDS",
    "PASSWORD_RESET_LIMIT_PER_ACCOUNT",
    "PASSWORD_RESET_LIMIT_PER_ADDRESS",
    "PASSWORD_RESET_WINDOW_SECONDS",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
# Reverse proxies in front of the app that append to X-Forwarded-For (0: none, the
# client's address is REMOTE_ADDR). Production sits behind one (nginx): set it to 1;
# `check --deploy` warns while it is 0 (accounts/checks.py).
NUM_PROXIES = env_int("NUM_PROXIES", 0)
if NUM_PROXIES < 0:
    raise ImproperlyConfigured("NUM_PROXIES must not be negative")

# Swedish first, English second.
LANGUAGE_CODE = "sv"
LANGUAGES = [("sv", _("Swedish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
MODELTRANSLATION_DEFAULT_LANGUAGE = "sv"
MODELTRANSLATION_LANGUAGES = ("sv", "en")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("sv",)
TIME_ZONE = "Europe/Stockholm"
# Our Swedish and English formats ("1 jan.–30 apr. 2023", "12 345,5", "5 %"): see
# malardal/formats/ and malardal/formatting.py.
FORMAT_MODULE_PATH = ["malardal.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Where `make backup` (manage.py backup_db) writes its time-stamped files.
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(BASE_DIR / "var" / "backups")))
# With DEBUG off, static files get content-hashed names and gzip/brotli copies at
# collectstatic, and whitenoise serves them with far-future cache headers. Tests use
# plain storage (malardal/settings_test.py), so they need no collectstatic.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Mail: the console unless an SMTP host is given.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Mälardalsportalen <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery: without a broker, tasks run in-process (eager) — that is `make run`.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or None
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# After a Redis restart, workers and beat reconnect for as long as it takes (systemd
# restarts them too, but a reconnect keeps the running build).
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A build running while the broker restarts finishes and records itself in the
# database; its message is gone with the restart anyway (recover_jobs covers it).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
# Several portals (or test runs) can share one Redis when each has its own queue.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Celery beat's built-in PersistentScheduler: the schedule is this dict, reviewed in
# git; the secretariat sees it in the admin (Reminders › Reminder log › Schedule).
# The file keeps when each entry last ran, so a beat that was down catches up once.
CELERY_BEAT_SCHEDULE_FILENAME = env_str(
    "CELERY_BEAT_SCHEDULE_FILENAME", str(BASE_DIR / "var" / "celerybeat-schedule")
)
REMINDER_SEND_HOUR = env_int("REMINDER_SEND_HOUR", 7)
CELERY_BEAT_SCHEDULE = {
    "send-due-reminders": {
        "task": "reminders.tasks.run_reminders",
        "schedule": crontab(minute=0, hour=REMINDER_SEND_HOUR),
    },
}

# Reminders (reminders/): how many days before a reporting period's due date owners are
# reminded, how many days after it those still missing get a second reminder (and the
# secretariat a summary), and how many days before a meeting its people are reminded.
REMINDER_FOLLOWUP_DAYS_BEFORE = env_int("REMINDER_FOLLOWUP_DAYS_BEFORE", 7)
REMINDER_FOLLOWUP_DAYS_AFTER = env_int("REMINDER_FOLLOWUP_DAYS_AFTER", 1)
REMINDER_EVENT_DAYS_BEFORE = env_int("REMINDER_EVENT_DAYS_BEFORE", 3)
# Extra addresses for the secretariat's summary (besides active users in its group).
REMINDER_SECRETARIAT_EMAILS = env_list("REMINDER_SECRETARIAT_EMAILS", [])
# A claim older than this is taken to be a worker that died while sending.
REMINDER_CLAIM_TIMEOUT_MINUTES = env_int("REMINDER_CLAIM_TIMEOUT_MINUTES", 15)
# Temporary SMTP failures: retried this many times, after 1, 2, 4 … times this delay.
REMINDER_MAX_RETRIES = env_int("REMINDER_MAX_RETRIES", 5)
REMINDER_RETRY_DELAY = env_int("REMINDER_RETRY_DELAY", 60)
for _name in (
    "REMINDER_FOLLOWUP_DAYS_BEFORE",
    "REMINDER_FOLLOWUP_DAYS_AFTER",
    "REMINDER_EVENT_DAYS_BEFORE",
    "REMINDER_CLAIM_TIMEOUT_MINUTES",
    "REMINDER_MAX_RETRIES",
    "REMINDER_RETRY_DELAY",
):
    if globals()[_name] < 0:
        raise ImproperlyConfigured(f"{_name} must not be negative")
if not 0 <= REMINDER_SEND_HOUR <= 23:
    raise ImproperlyConfigured("REMINDER_SEND_HOUR must be an hour from 0 to 23")

# The open-data API (api/): read-only, anonymous (no authentication class: a logged-in
# browser sees exactly what a visitor sees, so responses may be cached publicly), JSON
# only (no browsable API: its pages need inline scripts), paginated.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "UNAUTHENTICATED_TOKEN": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mälardalsportalen open data API",
    "DESCRIPTION": (
        "Mälardalsrådet's operations plans, their sections, goals, activities with their "
        "follow-up status, indicators, public events, organisations and programmes. "
        "Read-only; every text in Swedish (_sv) and English (_en). Licence: CC0 1.0."
    ),
    "VERSION": "1",
    "LICENSE": {
        "name": "CC0 1.0",
        "url": "https://creativecommons.org/publicdomain/zero/1.0/",
    },
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"ProgrammeEnum": "members.models.Programme"},
}
# How long browsers and shared caches may keep an API response without asking again
# (they then revalidate with If-None-Match and get a 304 while nothing changed).
API_CACHE_SECONDS = env_int("API_CACHE_SECONDS", 60)
# The contact point of the open-data catalogue record (DCAT-AP-SE, /api/v1/dcat.jsonld):
# an address that answers questions about the data. Without one, the record points to
# the /sv/open-data/ page instead.
OPEN_DATA_CONTACT_EMAIL = env_str("OPEN_DATA_CONTACT_EMAIL", "")

IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
# Exported spreadsheets are opened in Excel: neutralise formulas.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_ESCAPE_HTML_ON_EXPORT = False

# Form data larger than this is refused. It does not count uploaded files: an import
# file over IMPORT_MAX_FILE_SIZE is refused by the import form (malardal/uploads.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
IMPORT_MAX_FILE_SIZE = env_int("IMPORT_MAX_FILE_SIZE", 5 * 1024 * 1024)
# An import file of more rows is refused before any row is read (issue 11).
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 10_000)
# A file of more rows is checked and imported by a Celery task, with a progress page,
# instead of within the web request (which a large file would time out).
IMPORT_BACKGROUND_ROWS = env_int("IMPORT_BACKGROUND_ROWS", 1_000)
for _name in ("IMPORT_MAX_ROWS", "IMPORT_BACKGROUND_ROWS"):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
# Attached documents (PDF, DOCX, XLSX, ODT; the documents app): the largest file accepted.
DOCUMENT_MAX_FILE_SIZE = env_int("DOCUMENT_MAX_FILE_SIZE", 20 * 1024 * 1024)

# Production hardening; `manage.py check --deploy` is clean with DEBUG off.
SESSION_COOKIE_HTTPONLY = True
# A login lasts a working day at most, and ends when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# And after this many seconds without a request (0: no idle timeout).
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 30 * 60)
if SESSION_IDLE_TIMEOUT < 0:
    raise ImproperlyConfigured("SESSION_IDLE_TIMEOUT must not be negative")
# No page script reads the CSRF token from the cookie; forms carry it.
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Sent by malardal.middleware.SecurityHeadersMiddleware. Same shape as Django 6.0's
# SECURE_CSP. No 'unsafe-inline': scripts and styles come from static files only.
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Browser features no page uses.
PERMISSIONS_POLICY = {
    "camera": [],
    "microphone": [],
    "geolocation": [],
    "payment": [],
    "usb": [],
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a promise to browsers, hard to take back: opt in with
    # SECURE_HSTS_PRELOAD=1 once every subdomain serves HTTPS. Off, Django's check
    # security.W021 would ask for it; it is a choice, not an oversight.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Files, faults and recovery (README: "Running in production: files, faults and
# recovery") ---------------------------------------------------------------------------
# Uploaded and generated files (reports, import files waiting for confirmation) are for
# the portal's processes only: read and written by its user, never by the world.
# 640/750 when web and worker run as different users of one group.
FILE_UPLOAD_PERMISSIONS = env_file_mode("FILE_UPLOAD_PERMISSIONS", 0o600)
FILE_UPLOAD_DIRECTORY_PERMISSIONS = env_file_mode("FILE_UPLOAD_DIRECTORY_PERMISSIONS", 0o700)
# Lost work is picked up again (ops.tasks.recover_jobs): every JOB_RECOVERY_SECONDS,
# report builds queued for longer than that are queued again (a message lost with a
# Redis restart), and builds "running" for longer than REPORT_BUILD_TIME_LIMIT (plus a
# minute) are claimed again; stalled reminders too. A build is tried at most
# MAX_BUILD_ATTEMPTS times; then it stays failed with its error.
JOB_RECOVERY_SECONDS = env_int("JOB_RECOVERY_SECONDS", 300)
REPORT_BUILD_TIME_LIMIT = env_int("REPORT_BUILD_TIME_LIMIT", 600)
MAX_BUILD_ATTEMPTS = env_int("MAX_BUILD_ATTEMPTS", 5)
# A background import may run this long (the task's hard limit); one still "importing"
# after it (plus a minute) was left by a dead worker: its transaction rolled back, so it
# is queued again, at most MAX_BUILD_ATTEMPTS times.
IMPORT_TIME_LIMIT = env_int("IMPORT_TIME_LIMIT", 1800)
# The nightly clean-up (ops.tasks.housekeeping), Swedish time.
HOUSEKEEPING_HOUR = env_int("HOUSEKEEPING_HOUR", 3)
# After a change to the plan's data, the yearly report files (PDF and XLSX, each
# language) of the adopted plans are built again in the background this many seconds
# later, once for a burst of changes (plan.report_files); 0 turns that off (files are
# then built when the board asks).
REPORT_REFRESH_SECONDS = env_int("REPORT_REFRESH_SECONDS", 120)
for _name in (
    "JOB_RECOVERY_SECONDS",
    "REPORT_BUILD_TIME_LIMIT",
    "MAX_BUILD_ATTEMPTS",
    "IMPORT_TIME_LIMIT",
):
    if globals()[_name] < 1:
        raise ImproperlyConfigured(f"{_name} must be at least 1")
if not 0 <= HOUSEKEEPING_HOUR <= 23:
    raise ImproperlyConfigured("HOUSEKEEPING_HOUR must be an hour from 0 to 23")
CELERY_BEAT_SCHEDULE["recover-lost-jobs"] = {
    "task": "ops.tasks.recover_jobs",
    "schedule": datetime.timedelta(seconds=JOB_RECOVERY_SECONDS),
}
CELERY_BEAT_SCHEDULE["nightly-housekeeping"] = {
    "task": "ops.tasks.housekeeping",
    "schedule": crontab(minute=30, hour=HOUSEKEEPING_HOUR),
}
