"""Migration operations that take care on a big PostgreSQL table and degrade to the plain ones elsewhere."""
from django.db import migrations


class AddIndexConcurrently(migrations.AddIndex):
    """CREATE INDEX CONCURRENTLY on PostgreSQL, so writers are not blocked while a table of millions of rows is
    indexed; a plain CREATE INDEX on other databases. PostgreSQL refuses it inside a transaction: the migration
    that uses it sets `atomic = False` and holds nothing else (an interrupted run leaves an INVALID index, which
    the next run of `migrate` does not repair: drop it and migrate again)."""

    def describe(self):
        return f"Create index {self.index.name} concurrently (where the database can) on {self.model_name}"

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
