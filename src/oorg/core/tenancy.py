"""Workspace scoping: a query on a workspace-owned model outside a workspace scope raises.

The scope is opened in three places only: request middleware / API auth (from the URL
slug plus a membership check, or from the token), `workspace_task`, and
`with workspace_scope(ws):` in commands and tests.
"""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models

_current: ContextVar[int | None] = ContextVar("oorg_workspace", default=None)


class WorkspaceScopeError(RuntimeError):
    """A workspace-owned model was queried with no workspace scope open."""


def current_workspace_id() -> int | None:
    return _current.get()


@contextmanager
def workspace_scope(workspace):
    workspace_id = workspace if isinstance(workspace, int) else workspace.pk
    token = _current.set(workspace_id)
    try:
        yield
    finally:
        _current.reset(token)


def open_request_scope(workspace_id: int) -> None:
    """Scope the rest of this request to one workspace (API token auth, workspace pages).
    `WorkspaceScopeMiddleware` wraps every request in `request_boundary()`, which closes it."""
    _current.set(workspace_id)


@contextmanager
def request_boundary():
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


class ScopedQuerySet(models.QuerySet):
    pass


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    def get_queryset(self):
        workspace_id = _current.get()
        if workspace_id is None:
            raise WorkspaceScopeError(
                f"{self.model.__name__} queried outside a workspace scope; open one with workspace_scope()"
            )
        return super().get_queryset().filter(workspace_id=workspace_id)

    def unscoped(self):
        """Every workspace's rows. Allowed only in core/, privacy/, billing/ (a lint test enforces it)."""
        return super().get_queryset()


class WorkspaceOwned(models.Model):
    workspace = models.ForeignKey("core.Workspace", on_delete=models.CASCADE, related_name="+")

    objects = ScopedManager()
    all_workspaces = models.Manager()  # for migrations and operator tooling only

    class Meta:
        abstract = True
        base_manager_name = "all_workspaces"

    def save(self, *args, **kwargs):
        scope = _current.get()
        if scope is not None and self.workspace_id is not None and self.workspace_id != scope:
            raise WorkspaceScopeError(
                f"refusing to save {type(self).__name__} of workspace {self.workspace_id} inside scope {scope}"
            )
        super().save(*args, **kwargs)
