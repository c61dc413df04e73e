"""Events get a calendar identity of their own (issue 13): a stored UID, a revision
number (SEQUENCE), created/changed times, and a status so an event can be cancelled.

The UID is added empty here, filled by 0006 and made unique and required by 0007: three
migrations, so PostgreSQL never alters the table in the transaction that updated it.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0004_text_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="status",
            field=models.CharField(
                choices=[("confirmed", "Takes place"), ("cancelled", "Cancelled")],
                default="confirmed",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="cancelled_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="cancelled at"
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="sequence",
            field=models.PositiveIntegerField(
                default=0,
                editable=False,
                help_text="Raised each time the time, place or status changes.",
                verbose_name="revision",
            ),
        ),
        migrations.AddField(
            model_name="event",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, null=True, verbose_name="created"),
        ),
        migrations.AddField(
            model_name="event",
            name="modified_at",
            field=models.DateTimeField(auto_now=True, null=True, verbose_name="last changed"),
        ),
        migrations.AddField(
            model_name="event",
            name="uid",
            field=models.CharField(editable=False, max_length=255, null=True),
        ),
    ]
