"""Annual, sick and unpaid leave for every workspace that existed before leave did (new ones get them with the
workspace: leave/apps.py)."""
from decimal import Decimal

from django.db import migrations

SYSTEM_TYPES = (
    dict(code="annual", name="Annual leave", color="#2563eb", paid=True, accrual="yearly", days_per_year=Decimal(25),
         prorate=True, carry_over_max=Decimal(5), carry_over_expires_months=3, min_notice_days=0, position=0),
    dict(code="sick", name="Sick leave", color="#dc2626", paid=True, accrual="none", days_per_year=Decimal(0),
         attachment_after_days=3, allow_negative=True, position=1),
    dict(code="unpaid", name="Unpaid leave", color="#6b7280", paid=False, accrual="none", days_per_year=Decimal(0),
         allow_negative=True, position=2),
)  # frozen here: a migration must not change when leave/defaults.py does


def add_types(apps, schema_editor):
    Workspace = apps.get_model("core", "Workspace")
    LeaveType = apps.get_model("leave", "LeaveType")
    for workspace_id in Workspace.objects.values_list("pk", flat=True).iterator():
        LeaveType.objects.bulk_create([LeaveType(workspace_id=workspace_id, **spec) for spec in SYSTEM_TYPES],
                                      ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("leave", "0001_initial")]
    operations = [migrations.RunPython(add_types, migrations.RunPython.noop)]
