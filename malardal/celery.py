"""The Celery app. Its settings are the CELERY_* names in malardal/settings.py: the broker
is Redis (CELERY_BROKER_URL; without it tasks run in-process, as in `make run`), the beat
schedule is CELERY_BEAT_SCHEDULE (shown to the secretariat in the admin, under Reminders ›
Reminder log › Schedule). Tasks live in each app's tasks.py.

    celery --app malardal worker    # any number, on any host
    celery --app malardal beat      # exactly one
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "malardal.settings")

app = Celery("malardal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
