"""Reporting lines and the department tree, walked in memory.

One query loads every (id, parent) pair of the workspace; for the few thousand people a workspace has,
walking that in Python is faster and simpler than recursive SQL, and works the same on both databases.
"""
from __future__ import annotations

from collections import defaultdict

from .models import Department, Employee


def manager_of() -> dict[int, int | None]:
    return dict(Employee.objects.values_list("pk", "manager_id"))


def parent_of() -> dict[int, int | None]:
    return dict(Department.objects.values_list("pk", "parent_id"))


def would_loop(parents: dict[int, int | None], node: int, new_parent: int | None) -> bool:
    """Would making `new_parent` the parent of `node` close a loop (node above itself)?"""
    seen = set()
    current = new_parent
    while current is not None and current not in seen:
        if current == node:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def descendants(parents: dict[int, int | None], root: int, *, all_levels: bool = True) -> list[int]:
    """Ids below `root`, nearest first (breadth-first)."""
    children = defaultdict(list)
    for node, parent in parents.items():
        if parent is not None:
            children[parent].append(node)
    found, frontier, seen = [], [root], {root}
    while frontier:
        next_frontier = []
        for node in frontier:
            for child in sorted(children[node]):
                if child not in seen:
                    seen.add(child)
                    found.append(child)
                    next_frontier.append(child)
        if not all_levels:
            break
        frontier = next_frontier
    return found


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
