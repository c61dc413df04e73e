"""Follow-up: short names for periods and statuses, statuses that count as late, the
index for "latest report per activity and period", and the board's report requests."""

import django.core.validators
import django.db.models.deletion
import plan.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('plan', '0002_indicator_value_note'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReportRequest',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('format', models.CharField(choices=[('pdf', 'PDF'), ('xlsx', 'Excel (XLSX)'), ('csv', 'CSV')], max_length=4, verbose_name='format')),
                ('language', models.CharField(choices=[('sv', 'Swedish'), ('en', 'English')], max_length=5, verbose_name='language')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Being built'), ('done', 'Ready'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                ('error', models.TextField(blank=True, verbose_name='error message')),
                ('file', models.FileField(blank=True, max_length=300, upload_to=plan.models._report_upload_to, verbose_name='file')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='attempts')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='requested at')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started at')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
            ],
            options={
                'verbose_name': 'report request',
                'verbose_name_plural': 'report requests',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='reportingperiod',
            name='slug',
            field=models.SlugField(blank=True, help_text='Names the period in imported files; t1, t2 and year for the default ones.', verbose_name='short name'),
        ),
        migrations.AddField(
            model_name='status',
            name='is_delayed',
            field=models.BooleanField(default=False, help_text='Activities reported with this status are listed as late on the dashboard.', verbose_name='counts as late'),
        ),
        # Nullable until 0004 has given the statuses that exist a short name; 0005 makes
        # it required.
        migrations.AddField(
            model_name='status',
            name='slug',
            field=models.SlugField(null=True, unique=True, verbose_name='short name'),
        ),
        migrations.AlterField(
            model_name='status',
            name='colour',
            field=models.CharField(default='#666666', help_text='Used in the charts next to the status name. Choose a colour with a contrast of at least 3:1 against white.', max_length=7, validators=[django.core.validators.RegexValidator('^#[0-9a-fA-F]{6}$', 'A colour such as #1a7f37.')], verbose_name='colour'),
        ),
        migrations.AlterField(
            model_name='status',
            name='default_progress',
            field=models.PositiveSmallIntegerField(default=0, help_text='The progress a report gets with this status when none is given.', validators=[django.core.validators.MaxValueValidator(100)], verbose_name='default progress (%)'),
        ),
        migrations.AddIndex(
            model_name='statusupdate',
            index=models.Index(fields=['activity', 'period', '-reported_at'], name='statusupdate_latest_idx'),
        ),
        migrations.AddConstraint(
            model_name='reportingperiod',
            constraint=models.UniqueConstraint(condition=models.Q(('slug', ''), _negated=True), fields=('plan', 'slug'), name='unique_reporting_period_slug', violation_error_message='The plan already has a period with this short name.'),
        ),
        migrations.AddField(
            model_name='reportrequest',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_requests', to='plan.plan', verbose_name='plan'),
        ),
        migrations.AddField(
            model_name='reportrequest',
            name='requested_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='report_requests', to=settings.AUTH_USER_MODEL, verbose_name='requested by'),
        ),
    ]
