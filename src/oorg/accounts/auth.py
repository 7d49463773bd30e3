"""Bearer-token authentication for the API: the token names one membership, so one workspace.

The lookup happens before any workspace scope exists: the token itself is what tells us the workspace.
"""
from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from ninja.security import HttpBearer

from oorg.core.crypto import hash_code
from oorg.core.db import RowLookup
from oorg.core.permissions import Actor
from oorg.core.tenancy import open_request_scope, workspace_scope

from .models import ApiToken

LAST_USED_PRECISION = timedelta(minutes=5)
# Every API request runs this lookup: its SQL is built once (see RowLookup). It reads across
# workspaces on purpose: the token is what names the workspace.
TOKEN_LOOKUP = RowLookup(ApiToken, ("membership", "user", "workspace"), key="token_hash")


def actor_for_token(secret: str) -> Actor | None:
    if not secret or not secret.startswith("oorg_"):
        return None
    token = TOKEN_LOOKUP.fetch(hash_code(f"token:{secret}"))
    now = timezone.now()
    if token is None or not token.is_live(now):
        return None
    user, membership, workspace = token.user, token.membership, token.workspace
    if not (user.is_active and user.email_verified and membership.is_active and membership.user_id == user.pk):
        return None
    if workspace.require_two_factor and not user.two_factor_enabled:
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        with workspace_scope(workspace):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return Actor(user=user, workspace=workspace, membership=membership, role=membership.role, token=token)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        actor = actor_for_token(token)
        if actor is None:
            return None
        request.actor = actor
        request.oorg_workspace_id = actor.workspace.pk
        request.oorg_user_id = actor.user.pk
        open_request_scope(actor.workspace.pk)
        return actor
