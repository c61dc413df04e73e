from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("plan", "0004_followup_defaults"),
    ]

    operations = [
        migrations.AlterField(
            model_name="status",
            name="slug",
            field=models.SlugField(
                help_text="Names the status in imported and exported files.",
                unique=True,
                verbose_name="short name",
            ),
        ),
    ]
