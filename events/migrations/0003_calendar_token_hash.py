"""Calendar tokens are stored as their SHA-256 hash (issue 11): the clear token is
hashed in place, so every feed address already handed out keeps working."""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    CalendarToken = apps.get_model("events", "CalendarToken")
    for token in CalendarToken.objects.all().only("pk", "token"):
        token.token_hash = hashlib.sha256(token.token.encode("utf-8")).hexdigest()
        token.save(update_fields=["token_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0002_calendar_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendartoken",
            name="token_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="token (SHA-256)"
            ),
        ),
        # The clear tokens cannot be got back from their hashes: no way back.
        migrations.RunPython(hash_tokens, migrations.RunPython.noop, elidable=False),
        migrations.RemoveField(model_name="calendartoken", name="token"),
        migrations.AlterField(
            model_name="calendartoken",
            name="token_hash",
            field=models.CharField(
                editable=False, max_length=64, unique=True, verbose_name="token (SHA-256)"
            ),
        ),
    ]
