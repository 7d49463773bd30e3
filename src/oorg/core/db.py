"""The only place raw SQL is allowed (a lint test enforces it)."""
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Func, IntegerField


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


# --- trees (reporting lines, department trees) ----------------------------------------------------------
#
# Trees are stored as a parent column and walked by the database with a recursive CTE, scoped to the current
# workspace at every step, so a team of any size is one query on both databases (no Python set of ids, no
# `pk__in` list that PostgreSQL refuses past 65,535 parameters). A depth cap makes a walk end even if a loop
# ever got into the data; the services refuse loops before they are written.

MAX_TREE_DEPTH = 1000


def _tree_names(model, parent_field: str):
    from .tenancy import current_workspace_id

    workspace_id = current_workspace_id()
    if workspace_id is None:
        from .tenancy import WorkspaceScopeError

        raise WorkspaceScopeError(f"{model.__name__} tree walked outside a workspace scope")
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    parent = qn(model._meta.get_field(parent_field).column)
    pk = qn(model._meta.pk.column)
    return workspace_id, table, parent, pk


def _step(cte: str, table: str, column: str, pk: str, parent: str) -> str:
    """The recursive term's join: rows of `table` whose `column` is the node just found, in this workspace.
    On PostgreSQL a LATERAL subquery: with a recursive CTE's guessed row counts the planner otherwise picks a
    merge join that reads the whole index at every level (1.5 s for a team 100 levels deep); a LATERAL
    subquery it may not flatten is one index lookup per node found."""
    if connection.vendor == "postgresql":
        return (f"FROM {cte} CROSS JOIN LATERAL (SELECT {pk}, {parent} FROM {table} "
                f"WHERE workspace_id = %s AND {column} = {cte}.node OFFSET 0) t")  # OFFSET 0: not flattened
    # SQLite: CROSS JOIN keeps the order written (the node just found, then an index lookup); left to choose,
    # it scanned the workspace's rows at every step (16 ms to walk 50 managers up).
    return f"FROM {cte} CROSS JOIN {table} t ON t.{column} = {cte}.node AND t.workspace_id = %s"


def subtree(model, parent_field: str, root_id: int, *, in_or: bool = False):
    """The ids below `root_id` (not itself), as an expression for `filter(pk__in=...)`.

    PostgreSQL guesses a recursive CTE's size wildly (millions of rows for any team). ANDed with other
    filters that is harmless: it joins the subtree once (a hashed semi-join). Inside an OR it becomes a
    subplan, hashed only if it looks small, else re-read for every row (minutes for a team of 70,000):
    `in_or=True` adds a DISTINCT, which makes it look small (PostgreSQL's default of 200 distinct values).
    Don't use that form ANDed: the planner then loops over the "200" rows instead of hashing 70,000."""
    from django.db.models.expressions import RawSQL

    workspace_id, table, parent, pk = _tree_names(model, parent_field)
    sql = (f"WITH RECURSIVE below(node, depth) AS ("
           f"SELECT {pk}, 1 FROM {table} WHERE workspace_id = %s AND {parent} = %s "
           f"UNION ALL SELECT t.{pk}, below.depth + 1 {_step('below', table, parent, pk, parent)} "
           f"WHERE below.depth < %s) SELECT {'DISTINCT ' if in_or else ''}node FROM below")
    return RawSQL(sql, (workspace_id, root_id, workspace_id, MAX_TREE_DEPTH))


def _parent_of(cte: str, table: str, pk: str, parent: str) -> str:
    """A walk's step up: the parent of the node just found, as a scalar subquery (a primary-key lookup). As a
    join, SQLite built a Bloom filter over the table at every step: 18 ms to walk 6 managers up, not 0.2."""
    return f"(SELECT {parent} FROM {table} WHERE {pk} = {cte}.node AND workspace_id = %s)"


def ancestors(model, parent_field: str, node_id: int) -> list[int]:
    """The ids above `node_id`, nearest first (its parent, then the parent's parent...): O(depth)."""
    workspace_id, table, parent, pk = _tree_names(model, parent_field)
    sql = (f"WITH RECURSIVE above(node, depth) AS ("
           f"SELECT {parent}, 1 FROM {table} WHERE workspace_id = %s AND {pk} = %s "
           f"UNION ALL SELECT {_parent_of('above', table, pk, parent)}, above.depth + 1 FROM above "
           f"WHERE above.node IS NOT NULL AND above.depth < %s) "
           f"SELECT node FROM above WHERE node IS NOT NULL ORDER BY depth")
    with connection.cursor() as cursor:
        cursor.execute(sql, (workspace_id, node_id, workspace_id, MAX_TREE_DEPTH))
        found, seen = [], set()
        for (node,) in cursor.fetchall():
            if node in seen:  # a loop in stored data: stop where it closes
                break
            seen.add(node)
            found.append(node)
        return found


def having_above(model, parent_field: str, node_ids: list[int], above_id: int) -> set[int]:
    """Which of `node_ids` (a page of rows, at most a few hundred) have `above_id` somewhere above them.
    One walk up from each, stopping at `above_id`: page size x depth rows, whatever the workspace's size."""
    if not node_ids:
        return set()
    workspace_id, table, parent, pk = _tree_names(model, parent_field)
    marks = ", ".join(["%s"] * len(node_ids))
    sql = (f"WITH RECURSIVE up(start, node, depth) AS ("
           f"SELECT {pk}, {parent}, 1 FROM {table} WHERE workspace_id = %s AND {pk} IN ({marks}) "
           f"UNION ALL SELECT up.start, {_parent_of('up', table, pk, parent)}, up.depth + 1 FROM up "
           f"WHERE up.node IS NOT NULL AND up.node <> %s AND up.depth < %s) "
           f"SELECT DISTINCT start FROM up WHERE node = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, (workspace_id, *node_ids, workspace_id, above_id, MAX_TREE_DEPTH, above_id))
        return {row[0] for row in cursor.fetchall()}


def analyze(model) -> None:
    """Refresh the planner's statistics of one table after a bulk write (an import of thousands of rows).
    Until autovacuum gets to it, PostgreSQL plans with the old row counts: a table it thinks holds 17 rows
    but holds 70,000 gets nested loops that take minutes."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def update_many(model, rows: list, fields: list[str]) -> None:
    """Save `fields` of each of `rows` (of the current workspace) by primary key: one UPDATE statement, built once
    and sent for all rows (executemany). QuerySet.bulk_update builds a CASE per row and field instead, which
    costs seconds of Python per 10,000 rows."""
    from .tenancy import current_workspace_id

    if not rows:
        return
    meta, quote = model._meta, connection.ops.quote_name
    columns = [meta.get_field(name) for name in fields]
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in columns)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s AND workspace_id = %s"
    workspace_id = current_workspace_id()
    params = [[f.get_db_prep_save(getattr(row, f.attname), connection) for f in columns] + [row.pk, workspace_id]
              for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def subtree_counts(model, parent_field: str, counted, column: str) -> dict[int, int]:
    """For every node of a tree (`model`, this workspace): how many rows of the queryset `counted` have `column`
    pointing at it or at any node below it. One query: the tree's closure (node, descendant), walked by the
    database as `subtree` does, joined to `counted`. Nodes with none are left out. For trees of hundreds
    of nodes (departments); the cost is the closure's size plus one pass over `counted`."""
    from django.db.models import Count

    workspace_id, table, parent, pk = _tree_names(model, parent_field)
    # Counted per node first (one pass, like any headcount), then the few per-node sums added up the closure:
    # joining the closure to the rows themselves made SQLite probe them once per closure row (0.8 s at 100,000).
    per_node = counted.order_by().values(column).annotate(n=Count("pk")).values_list(column, "n")
    inner_sql, inner_params = per_node.query.sql_with_params()
    sql = (f"WITH RECURSIVE closure(top, node, depth) AS ("
           f"SELECT {pk}, {pk}, 0 FROM {table} WHERE workspace_id = %s "
           f"UNION ALL SELECT closure.top, t.{pk}, closure.depth + 1 {_step('closure', table, parent, pk, parent)} "
           f"WHERE closure.depth < %s), "
           f"per_node(node, n) AS ({inner_sql}) "
           f"SELECT closure.top, SUM(per_node.n) FROM closure JOIN per_node ON per_node.node = closure.node "
           f"GROUP BY closure.top")
    with connection.cursor() as cursor:
        cursor.execute(sql, (workspace_id, workspace_id, MAX_TREE_DEPTH, *inner_params))
        return {top: int(n) for top, n in cursor.fetchall()}


class MonthDay(Func):
    """A date's month * 100 + day (17 May: 517), computed by the database itself, and indexable on both (the
    birthdays and anniversaries cards read an index range of it). Django's ExtractMonth and
    ExtractDay call back into Python for every row on SQLite: 3.5 s for 100,000 people against 0.1 s here."""

    arity = 1
    output_field = IntegerField()
    template = "(EXTRACT(MONTH FROM %(expressions)s) * 100 + EXTRACT(DAY FROM %(expressions)s))"

    def as_sqlite(self, compiler, connection, **extra):
        # %%%%: one %% for this template, one for the backend's own %-formatting of the query.
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%m%%%%d', %(expressions)s) AS INTEGER)",
                           **extra)

    def as_postgresql(self, compiler, connection, **extra):
        # EXTRACT from a date is IMMUTABLE (to_char is only STABLE), so an index can be built on this expression.
        return self.as_sql(compiler, connection, template="CAST(EXTRACT(MONTH FROM %(expressions)s) * 100 "
                           "+ EXTRACT(DAY FROM %(expressions)s) AS INTEGER)", **extra)


# --- bulk inserts ---------------------------------------------------------------------------------------------


def insert_rows(model, columns: tuple[str, ...], rows: list, *, ignore_conflicts: bool = False,
                batch_size: int = 5000) -> None:
    """INSERT rows of already-prepared values (`columns`: field names or attnames, in the rows' order) with one
    statement sent for a batch (executemany). bulk_create builds and prepares each value of each row in Python
    first, which costs more than the insert itself at an import's scale. The values must be what the database
    stores (no field conversion is done here); the callers are imports that cleaned every value."""
    if not rows:
        return
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks}){tail}"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch_size):
            cursor.executemany(sql, rows[start:start + batch_size])


def _max_params(conn) -> int:
    """How many parameters one statement may carry: SQLite's own limit when the driver tells it (32,766 since
    3.32; Django assumes 999), else the backend's, else PostgreSQL's 65,535."""
    if conn.vendor == "sqlite":
        raw = conn.connection
        getlimit = getattr(raw, "getlimit", None)
        if getlimit is not None:
            import sqlite3

            return getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return conn.features.max_query_params or 65535


def insert_rows_returning(model, columns: tuple[str, ...], rows: list) -> list:
    """`insert_rows` answering the new rows' primary keys, in the rows' order: one multi-row
    `INSERT ... VALUES (...), (...) RETURNING id` per batch where the database can (PostgreSQL, SQLite >= 3.35),
    else one INSERT per row. Same contract for the values: already what the database stores."""
    if not rows:
        return []
    conn = connections[DEFAULT_DB_ALIAS]
    quote = conn.ops.quote_name
    meta = model._meta
    names = ", ".join(quote(meta.get_field(c).column) for c in columns)
    marks = "(" + ", ".join(["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES "
    ids: list = []
    with conn.cursor() as cursor:
        if not conn.features.can_return_rows_from_bulk_insert:
            for row in rows:
                cursor.execute(head + marks, row)
                ids.append(conn.ops.last_insert_id(cursor, meta.db_table, meta.pk.column))
            return ids
        per = max(1, min(_max_params(conn) // max(len(columns), 1), 2000))
        tail = f" RETURNING {quote(meta.pk.column)}"
        for start in range(0, len(rows), per):
            batch = rows[start:start + per]
            cursor.execute(head + ", ".join([marks] * len(batch)) + tail, [v for row in batch for v in row])
            ids.extend(r[0] for r in cursor.fetchall())
    return ids


# Field types whose Python value is already what the database stores when it is of the plain type named.
_PLAIN = {"CharField": str, "TextField": str, "EmailField": str, "SlugField": str, "URLField": str,
          "IntegerField": int, "BigIntegerField": int, "SmallIntegerField": int, "PositiveIntegerField": int,
          "PositiveSmallIntegerField": int, "PositiveBigIntegerField": int, "ForeignKey": int,
          "BooleanField": bool}


def prepared_rows(model, objs: list, *, add: bool = True) -> tuple[tuple[str, ...], list[tuple]]:
    """The concrete columns of `model` (its auto primary key left out) and each instance's values as the
    database stores them, as bulk_create would write them (auto_now fields set, to one "now" for the batch), but
    prepared a column at a time: plain values of plain types are passed as they are, a repeated value
    (a datetime, an empty JSON list) is prepared once, the rest through the field's get_db_prep_save."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.auto_created or
                                                               getattr(f, "db_returning", False))]
    columns, prepared = [], []
    now = None
    for f in fields:
        if getattr(f, "auto_now", False) or add and getattr(f, "auto_now_add", False):
            from django.utils import timezone

            now = now or timezone.now()  # one "now" for the batch, where bulk_create reads the clock per row
            for obj in objs:
                setattr(obj, f.attname, now)
            values = [now] * len(objs)
        else:
            values = [getattr(obj, f.attname) for obj in objs]
        columns.append(f.attname)
        prepared.append(prepare_column(f, values))
    return tuple(columns), list(zip(*prepared)) if objs else []


def prepare_column(f, values: list) -> list:
    """One column's values as the database stores them (what f.get_db_prep_save answers for each), prepared as a
    column: plain values of plain types passed as they are, a repeated datetime or an empty JSON list or dict
    prepared once."""
    conn = connections[DEFAULT_DB_ALIAS]
    internal = f.get_internal_type()
    plain = _PLAIN.get(internal)
    prep = f.get_db_prep_save
    if plain is not None:
        return [v if v is None or type(v) is plain or isinstance(v, plain) and plain is not int
                else prep(v, conn) for v in values]
    if internal == "JSONField":  # the empty list or dict (most tags and custom fields) dumped once
        empty: dict = {}
        return [(empty[type(v)] if type(v) in empty else empty.setdefault(type(v), prep(v, conn)))
                if type(v) in (list, dict) and not v else prep(v, conn) for v in values]
    if internal in ("DateTimeField", "DateField"):  # mostly one "now" per batch
        seen: dict = {}
        return [seen[v] if v in seen else seen.setdefault(v, prep(v, conn)) for v in values]
    return [prep(v, conn) for v in values]


def insert_objects(model, objs: list) -> None:
    """bulk_create for imports: the instances' values prepared a column at a time (`prepared_rows`) and
    inserted with `insert_rows_returning` when the primary key is the database's (its values set on the
    instances, as bulk_create does), else with `insert_rows`."""
    if not objs:
        return
    columns, rows = prepared_rows(model, objs)
    pk = model._meta.pk
    if pk.attname in columns:
        insert_rows(model, columns, rows)
    else:
        for obj, value in zip(objs, insert_rows_returning(model, columns, rows)):
            setattr(obj, pk.attname, value)
    for obj in objs:
        obj._state.adding, obj._state.db = False, DEFAULT_DB_ALIAS
