from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0002_people_at_scale_indexes'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='employee',
            index=models.Index(fields=['workspace', 'job_title', 'full_name', 'id'], name='employee_by_title'),
        ),
        migrations.AddIndex(
            model_name='employee',
            index=models.Index(fields=['workspace', 'start_date', 'full_name', 'id'], name='employee_by_start'),
        ),
    ]
