"""Audit events keep their target's name as it was when they were recorded.

Older events keep an empty target_label: audit.canonical() leaves an empty one out of the hashed content, so
their hashes still verify. The indexes for the log's filters follow in 0011 (built concurrently on PostgreSQL).
"""
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0009_workspace_profile"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="target_label",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
    ]
