"""An index range for each filter of the audit log (action, actor, target, time), newest first within a
workspace. Built concurrently on PostgreSQL so a log of millions of rows keeps taking events meanwhile."""
from django.db import migrations, models

from oorg.core.migration_operations import AddIndexConcurrently


class Migration(migrations.Migration):

    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("core", "0010_audit_readable"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(fields=["workspace", "action", "seq"], name="audit_by_action"),
        ),
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(fields=["workspace", "actor_user_id", "seq"], name="audit_by_actor"),
        ),
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(fields=["workspace", "target_type", "target_id", "seq"], name="audit_by_target"),
        ),
        AddIndexConcurrently(
            model_name="auditevent",
            index=models.Index(fields=["workspace", "occurred_at"], name="audit_by_time"),
        ),
    ]
