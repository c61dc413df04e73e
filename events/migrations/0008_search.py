"""Full-text and trigram search on PostgreSQL (malardal.fulltext); nothing on SQLite."""

from django.db import migrations

from malardal.fulltext import AddSearchVectors


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_event_uid_required"),
    ]

    operations = [
        AddSearchVectors(
            "events_event", title=["title"], body=["description", "place", "date_note"]
        ),
    ]
