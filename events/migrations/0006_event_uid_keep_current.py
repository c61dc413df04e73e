"""Give every existing event the UID its calendars already know.

Until now the UID was computed as ``<slug>@malardalsportalen``. Calendars that imported
an event or subscribe to a feed identify it by that string, so it is stored as it is:
they keep updating the same entry instead of showing a copy. From now on it is a stored
value, so a later change of the slug no longer changes it; new events get a random one.
"""

from django.db import migrations


def keep_current_uid(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    for event in Event.objects.filter(uid__isnull=True).only("pk", "slug").iterator():
        Event.objects.filter(pk=event.pk).update(uid=f"{event.slug}@malardalsportalen")


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0005_event_calendar_identity"),
    ]

    operations = [
        migrations.RunPython(keep_current_uid, migrations.RunPython.noop, elidable=False),
    ]
