"""Reporting lines and the department tree.

Stored as a parent column and walked by the database (`core.db.subtree` / `core.db.ancestors`, recursive
CTEs scoped to the workspace): direct reports are one indexed query, "is X in my team" walks up X's
manager chain (O(depth)), and a subtree is a subquery that works for any team size on both databases.
`depth_first` draws the department tree whole on the setup pages (departments number in the hundreds).
"""
from __future__ import annotations

from collections import defaultdict

from oorg.core import db

from .models import Department, Employee


def reports_below(employee_id: int, *, in_or: bool = False):
    """Everyone below this employee, at any depth, as a subquery for `filter(pk__in=...)` (`in_or`: for a
    filter that ORs it with others; see core.db.subtree)."""
    return db.subtree(Employee, "manager", employee_id, in_or=in_or)


def departments_below(department_id: int):
    return db.subtree(Department, "parent", department_id, in_or=True)  # ORed with the department itself


def departments_above(department_id: int) -> list[int]:
    """The department's parent, its parent, and so on up to the top: nearest first."""
    return db.ancestors(Department, "parent", department_id)


def managers_above(employee_id: int) -> list[int]:
    """The employee's manager, their manager, and so on up to the top: nearest first."""
    return db.ancestors(Employee, "manager", employee_id)


def is_below(model, parent_field: str, node_id: int, above_id: int) -> bool:
    """Is `above_id` somewhere above `node_id`? One walk up node's chain."""
    return above_id in db.ancestors(model, parent_field, node_id)


def would_loop_stored(model, parent_field: str, node_id: int | None, new_parent_id: int | None) -> bool:
    """Would giving the stored `node_id` the parent `new_parent_id` put it above itself?"""
    if node_id is None or new_parent_id is None:
        return False
    return new_parent_id == node_id or is_below(model, parent_field, new_parent_id, node_id)


def depth_first(parents: dict[int, int | None], roots: list[int]) -> list[tuple[int, int]]:
    """(id, depth) in tree order: each node followed by its subtree. For trees drawn as indented lists."""
    children = defaultdict(list)
    for node, parent in parents.items():
        if parent is not None:
            children[parent].append(node)
    ordered, stack, seen = [], [(r, 0) for r in reversed(roots)], set()
    while stack:
        node, depth = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        ordered.append((node, depth))
        stack.extend((child, depth + 1) for child in reversed(children[node]))
    return ordered
