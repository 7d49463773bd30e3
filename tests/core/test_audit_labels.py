"""Every action the code records has a label a person can read, registered by its area."""
import ast
import re
from pathlib import Path

from oorg.core import audit

SRC = Path(__file__).resolve().parents[2] / "src" / "oorg"
ACTION = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")


def _constants(node) -> list[str]:
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and ACTION.match(n.value)]


def _values_of(name: str, function, tree) -> list[str] | None:
    """The action names a variable `name` can hold inside `function`: from its assignments there, or, when it is
    a parameter, from what the file's calls of `function` pass for it. None when it cannot be told."""
    assigned = [n.value for n in ast.walk(function) if isinstance(n, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)]
    if assigned:
        return [v for value in assigned for v in _constants(value)]
    params = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
    if name not in params and name not in [a.arg for a in function.args.kwonlyargs]:
        return None
    passed = []
    for call in ast.walk(tree):
        if isinstance(call, ast.Call) and ast.unparse(call.func).split(".")[-1] == function.name:
            passed += [v for k in call.keywords if k.arg == name for v in _constants(k.value)]
            if name in params and params.index(name) < len(call.args):
                passed += _constants(call.args[params.index(name)])
    return passed or None


def _recorded_actions() -> tuple[dict[str, str], list[str]]:
    """{action: where} for every action name passed to audit.record() (written out, or in a variable whose values
    the function shows) or to a helper named *audit* (such as accounts' _audit_account), and the record() calls
    whose action cannot be told."""
    found, hidden = {}, []
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        rel = path.relative_to(SRC).as_posix()
        tree = ast.parse(path.read_text())
        functions = [f for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)]
        enclosing = {id(n): f for f in functions for n in ast.walk(f)}  # innermost last: walk order is outer first
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            callee = ast.unparse(node.func)
            if "audit" not in callee.lower() or rel == "core/audit.py":
                continue
            for arg in [*node.args, *(k.value for k in node.keywords if k.arg == "action")]:
                for action in _constants(arg) if isinstance(arg, ast.Constant) else []:
                    found.setdefault(action, f"{rel}:{node.lineno}")
            if not callee.endswith("audit.record"):
                continue
            action = node.args[1] if len(node.args) > 1 else None
            if isinstance(action, ast.Constant) and isinstance(action.value, str):
                continue
            function = enclosing.get(id(node))
            if function is not None and "audit" in function.name:
                continue  # a helper such as _audit_account: its callers' literals are collected above
            values = _values_of(action.id, function, tree) if isinstance(action, ast.Name) and function else None
            if values is None:
                hidden.append(f"{rel}:{node.lineno}")
            for value in values or ():
                found.setdefault(value, f"{rel}:{node.lineno}")
    return found, hidden


def test_every_recorded_action_has_a_label():
    found, _ = _recorded_actions()
    missing = {action: where for action, where in found.items() if action not in audit.ACTIONS}

    assert len(found) > 30  # the scan sees the code (a broken scan must not pass quietly)
    assert not missing, ("actions recorded without a label; add them to the area's audit.register_actions({...}): "
                         f"{missing}")


def test_actions_are_written_out_where_they_are_recorded():
    """So the scan above sees them: audit.record(actor, "area.thing.done", ...), a variable set from literals in
    the same function (or passed as literals to it), or a helper named *audit*."""
    _, hidden = _recorded_actions()

    assert not hidden, f"audit.record() with an action that is not a string literal: {hidden}"


def test_labels_read_as_words_and_every_action_has_an_area():
    for action, label in audit.ACTIONS.items():
        assert ACTION.match(action), action
        assert label and label[0].isupper() and "." not in label and "_" not in label, (action, label)
        assert action.split(".", 1)[0] in audit.ACTION_GROUPS, action
