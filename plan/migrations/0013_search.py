"""Full-text and trigram search on PostgreSQL (malardal.fulltext); nothing on SQLite."""

from django.db import migrations

from malardal.fulltext import AddSearchVectors


class Migration(migrations.Migration):
    dependencies = [
        ("plan", "0012_adoption_and_budget"),
    ]

    operations = [
        AddSearchVectors("plan_section", title=["heading"], body=["body", "closing"]),
        AddSearchVectors("plan_goal", title=["text"]),
        AddSearchVectors("plan_activity", title=["text"]),
    ]
