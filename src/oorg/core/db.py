"""The only place raw SQL is allowed (a lint test enforces it)."""
from django.db import DEFAULT_DB_ALIAS, connection, connections


def ping() -> None:
    """The cheapest database round trip (for /healthz)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


class RowLookup:
    """Fetch one row and its to-one relations by a unique column, with SQL built once.

    The ORM compiles a select_related query on every call (about 0.6 ms here), which dominated
    token authentication, the one query every API request makes. This builds the same SELECT once
    per database vendor from the models' metadata, then only executes it; values go through the
    fields' own database converters and become model instances as the ORM would make them.
    """

    def __init__(self, model, relations: tuple[str, ...], key: str):
        self.model, self.relations, self.key = model, relations, key
        self._plans: dict[str, tuple] = {}

    def _plan(self, conn):
        from django.db.models.expressions import Col

        qn = conn.ops.quote_name
        columns, joins, parts = [], [], []
        related = [(None, self.model)] + [(r, self.model._meta.get_field(r).related_model) for r in self.relations]
        for index, (relation, model) in enumerate(related):
            alias, fields = f"t{index}", model._meta.concrete_fields
            columns += [f"{alias}.{qn(f.column)}" for f in fields]
            converters = []
            for f in fields:
                col = Col(alias, f)
                converters.append((col, conn.ops.get_db_converters(col) + f.get_db_converters(conn)))
            parts.append((relation, model, [f.attname for f in fields], converters))
            if relation is not None:
                fk = self.model._meta.get_field(relation)
                joins.append(f"INNER JOIN {qn(model._meta.db_table)} {alias} "
                             f"ON {alias}.{qn(model._meta.pk.column)} = t0.{qn(fk.column)}")
        key_column = self.model._meta.get_field(self.key).column
        sql = (f"SELECT {', '.join(columns)} FROM {qn(self.model._meta.db_table)} t0 {' '.join(joins)} "
               f"WHERE t0.{qn(key_column)} = %s")
        return sql, parts

    def fetch(self, value):
        conn = connections[DEFAULT_DB_ALIAS]
        plan = self._plans.get(conn.vendor)
        if plan is None:
            plan = self._plans[conn.vendor] = self._plan(conn)
        sql, parts = plan
        with conn.cursor() as cursor:
            cursor.execute(sql, [value])
            row = cursor.fetchone()
        if row is None:
            return None
        position, root = 0, None
        for relation, model, attnames, converters in parts:
            values = list(row[position : position + len(attnames)])
            position += len(attnames)
            for i, (col, funcs) in enumerate(converters):
                if values[i] is not None:
                    for convert in funcs:
                        values[i] = convert(values[i], col, conn)
            instance = model.from_db(conn.alias, attnames, values)
            if relation is None:
                root = instance
            else:
                setattr(root, relation, instance)
        return root
