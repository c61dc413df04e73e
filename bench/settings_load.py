"""Settings for the gunicorn that `manage.py load` starts: the portal's own settings
(from the environment, DEBUG off) with the bench's urlconf, which adds the minimal view
that the load run measures beside the pages."""

from malardal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
