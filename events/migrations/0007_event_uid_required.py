import events.models
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("events", "0006_event_uid_keep_current"),
    ]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="uid",
            field=models.CharField(
                default=events.models.new_event_uid,
                editable=False,
                help_text="The event's identity in calendars. It never changes.",
                max_length=255,
                unique=True,
                verbose_name="calendar UID",
            ),
        ),
    ]
