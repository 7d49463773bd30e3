"""Give every existing workspace its built-in role rows (new workspaces get them at creation)."""
from django.db import migrations

BUILTIN = {
    "owner": ("Owner", "Everything, including security settings and owners."),
    "admin": ("Admin", "Runs the workspace: members, roles, people and the audit log."),
    "hr": ("HR", "Keeps the people records: employees, departments, branches, imports."),
    "manager": ("Manager", "Sees and updates the people who report to them."),
    "member": ("Member", "Uses the workspace; sees the directory and their own profile."),
}


def seed(apps, schema_editor):
    Workspace = apps.get_model("core", "Workspace")
    Role = apps.get_model("core", "Role")
    for workspace_id in Workspace.objects.values_list("pk", flat=True).iterator():
        for key, (name, description) in BUILTIN.items():
            Role.objects.get_or_create(workspace_id=workspace_id, key=key,
                                       defaults={"name": name, "description": description, "is_builtin": True})


class Migration(migrations.Migration):
    dependencies = [("core", "0003_roles")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
