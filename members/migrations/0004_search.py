"""Full-text and trigram search on PostgreSQL (malardal.fulltext); nothing on SQLite."""

from django.db import migrations

from malardal.fulltext import AddSearchVectors


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_text_limits"),
    ]

    operations = [
        AddSearchVectors("members_organisation", title=["name"], body=["description"]),
    ]
