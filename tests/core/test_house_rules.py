"""House rules a reviewer would otherwise have to remember (see ARCHITECTURE.md and STYLE.md)."""
import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "oorg"

# Where reading across workspaces is allowed, and why.
UNSCOPED_ALLOWED = {
    "core": "workspace and membership plumbing, audit, invitations resolved by their code",
    "privacy": "data-subject requests span the subject's workspaces",
    "billing": "billing spans workspaces",
    "webhooks/sweep.py": "the periodic job finds due webhook deliveries, and old ones to purge, by time alone",
    "crm/services/web_forms.py": "the public web form is found by its secret key, which names the workspace",
    "attendance/services/kiosks.py": "the kiosk page is found by the hash of its secret key, which names the "
                                     "workspace",
    "leave/services/feeds.py": "the public iCal feed is found by the hash of its secret token, which names the "
                               "workspace",
}
# RowLookup reads below the scoped manager (prebuilt SQL); only where a scope cannot exist yet.
ROW_LOOKUP_ALLOWED = {"core": "defines it", "accounts/auth.py": "the token itself is what names the workspace"}
RAW_SQL_ALLOWED = {"core/db.py"}


def python_files():
    for path in SRC.rglob("*.py"):
        if "migrations" not in path.parts:
            yield path, path.relative_to(SRC).as_posix()


def allowed(relative: str, rules) -> bool:
    return any(relative == rule or relative.startswith(rule + "/") for rule in rules)


def calls(tree, attribute):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == attribute:
            yield node.lineno


def test_unscoped_queries_only_where_allowed():
    offenders = [
        f"{rel}:{line}"
        for path, rel in python_files()
        if not allowed(rel, UNSCOPED_ALLOWED)
        for line in calls(ast.parse(path.read_text()), "unscoped")
    ]
    assert not offenders, f".unscoped() outside {sorted(UNSCOPED_ALLOWED)}: {offenders}"


def test_the_all_workspaces_manager_only_in_core():
    """`all_workspaces` is for migrations and operator tooling; areas go through the scoped manager."""
    offenders = [
        f"{rel}:{node.lineno}"
        for path, rel in python_files()
        if not allowed(rel, {"core"})
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Attribute) and node.attr == "all_workspaces"
    ]
    assert not offenders, f"all_workspaces outside core/: {offenders}"


def test_row_lookups_only_where_allowed():
    offenders = []
    for path, rel in python_files():
        if allowed(rel, ROW_LOOKUP_ALLOWED):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "RowLookup":
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, f"RowLookup outside {sorted(ROW_LOOKUP_ALLOWED)}: {offenders}"


def test_raw_sql_only_in_core_db():
    offenders = []
    for path, rel in python_files():
        if rel in RAW_SQL_ALLOWED:
            continue
        tree = ast.parse(path.read_text())
        offenders += [f"{rel}:{line}" for name in ("execute", "executemany", "raw", "extra") for line in calls(tree, name)]
    assert not offenders, f"raw SQL outside core/db.py: {offenders}"


def test_celery_tasks_in_areas_are_workspace_tasks():
    """Plain @app.task is allowed in core/tasks.py and accounts/tasks.py only (account mail has no workspace), and
    notifications/tasks.py (a person's notifications span workspaces; account notices have none), and
    webhooks/tasks.py (the periodic sweep of due deliveries spans workspaces; each send is a workspace_task), and
    crm/services/reminders.py (the minute's sweep of due activity reminders visits each workspace in its scope)."""
    offenders = []
    for path, rel in python_files():
        if rel in ("core/tasks.py", "accounts/tasks.py", "notifications/tasks.py", "webhooks/tasks.py",
                   "crm/services/reminders.py",
                   "leave/tasks.py",  # the daily accrual run visits each workspace in its scope
                   "attendance/tasks.py"):  # forgotten sessions and yesterday's days, each workspace in its scope
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for deco in node.decorator_list:
                    target = deco.func if isinstance(deco, ast.Call) else deco
                    if isinstance(target, ast.Attribute) and target.attr in ("task", "shared_task"):
                        offenders.append(f"{rel}:{node.lineno}")
                    if isinstance(target, ast.Name) and target.id == "shared_task":
                        offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, f"use core.tasks.workspace_task: {offenders}"


def test_the_rule_checker_sees_a_violation(tmp_path):
    tree = ast.parse("Lead.objects.unscoped().filter(x=1)\ncursor.execute('select 1')\n")
    assert list(calls(tree, "unscoped")) == [1] and list(calls(tree, "execute")) == [2]


# What core may import: itself, the project's entry points it is built on (settings, the Celery app), and
# third-party code. Areas (accounts, workspaces, org, ...) and the page layer (web) sit above it.
CORE_MAY_IMPORT = {"oorg.core", "oorg.celery", "oorg.settings"}


def imported_modules(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from ((alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, node.lineno


def test_core_imports_no_area_and_no_page_code():
    offenders = [
        f"{rel}:{line} imports {module}"
        for path, rel in python_files()
        if rel.startswith("core/")
        for module, line in imported_modules(ast.parse(path.read_text()))
        if (module == "oorg" or module.startswith("oorg."))
        and not any(module == allowed or module.startswith(allowed + ".") for allowed in CORE_MAY_IMPORT)
    ]
    assert not offenders, f"core is the ground floor; it imports no area: {offenders}"
    # Page code: views, URLs and templates belong to the areas; core keeps only form helpers (core/forms.py).
    pages = sorted(p.relative_to(SRC).as_posix() for p in (SRC / "core").rglob("*")
                   if p.name in ("views.py", "urls.py") or (p.suffix == ".html"))
    assert not pages, f"page code in core: {pages}"


def test_the_import_rule_sees_a_violation(tmp_path):
    tree = ast.parse("from oorg.org.models import Employee\nimport oorg.web.views\nfrom oorg.core import audit\n")
    found = [m for m, _ in imported_modules(tree) if not m.startswith("oorg.core")]
    assert found == ["oorg.org.models", "oorg.web.views"]


def test_every_api_schema_has_its_own_name():
    """The OpenAPI document names each schema by its class: two classes of one name become one component, and
    one of the two operations then documents the other's answer (schemathesis found it)."""
    import importlib
    import pkgutil

    from ninja import Schema

    import oorg

    for module in pkgutil.walk_packages(oorg.__path__, "oorg."):
        if ".migrations" not in module.name and not module.name.startswith("oorg_desktop"):
            importlib.import_module(module.name)
    seen: dict[str, str] = {}
    clashes = []
    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        stack.extend(cls.__subclasses__())
        if not cls.__module__.startswith("oorg."):
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            clashes.append(f"{cls.__name__}: {seen[cls.__name__]} and {where}")
        seen.setdefault(cls.__name__, where)
    assert not clashes, f"API schemas sharing a name: {clashes}"
