"""Secret iCal addresses of leave: one for one's own absences (`me`), one for everyone one sees (`team`, for
those with leave.team.view or leave.view_all).

A feed is found by the hash of its token only; the token itself is kept sealed (core.crypto) so its address can
be shown again. The public address names no workspace, so `feed_by_token` is the one read across workspaces
here (tests/core/test_house_rules.py); everything after it runs inside the feed's workspace, as its member
would see the calendar now: a member who left, or lost the right to a team feed, has a feed that answers 404.
Rotating a feed gives it a new token, so the old address stops working at once.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse

from oorg.core import audit, crypto, ratelimit
from oorg.core.errors import NotFound, PermissionDenied
from oorg.core.models import Membership
from oorg.core.permissions import Actor, require

from ..models import CalendarFeed
from ..permissions import OWN, TEAM_VIEW, VIEW_ALL

FEED_LIMITS = [(60, timedelta(hours=1))]  # a calendar app polls every few minutes at most
MAX_TOKEN = 64


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def url_of(token: str) -> str:
    return settings.BASE_URL + reverse("leave-public:feed", args=[token])


def scopes_for(actor: Actor) -> list[str]:
    """The feeds this actor may have: their own (leave.own), and the team's with a team or workspace view."""
    require(actor, OWN)
    scopes = [CalendarFeed.Scope.ME]
    if actor.can(TEAM_VIEW) or actor.can(VIEW_ALL):
        scopes.append(CalendarFeed.Scope.TEAM)
    return scopes


def _new(actor: Actor, scope: str) -> str:
    token = secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            CalendarFeed.objects.create(workspace=actor.workspace, member=actor.membership, scope=scope,
                                        token_hash=token_hash(token), token_sealed=crypto.encrypt(token))
    except IntegrityError:  # made by a parallel request a moment ago: show that one
        feed = CalendarFeed.objects.get(member=actor.membership, scope=scope)
        return crypto.decrypt(feed.token_sealed)
    return token


def feeds(actor: Actor) -> list[dict]:
    """The actor's feed addresses, made on first ask."""
    scopes = scopes_for(actor)
    if actor.membership is None:
        raise NotFound("Calendar feeds belong to a member of the workspace.")
    found = {f.scope: f for f in CalendarFeed.objects.filter(member=actor.membership)}
    items = []
    for scope in scopes:
        feed = found.get(scope)
        token = crypto.decrypt(feed.token_sealed) if feed else _new(actor, scope)
        items.append({"scope": scope, "url": url_of(token)})
    return items


def rotate(actor: Actor, scope: str) -> dict:
    """A new secret address for one of the actor's feeds; the old one answers 404 from now on."""
    if scope not in CalendarFeed.Scope.values:
        raise NotFound("No such calendar feed.")
    if scope not in scopes_for(actor):
        raise PermissionDenied("Your role does not let you see the team's leave.")
    if actor.membership is None:
        raise NotFound("Calendar feeds belong to a member of the workspace.")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed = CalendarFeed.objects.select_for_update().filter(member=actor.membership, scope=scope).first()
        if feed is None:
            feed = CalendarFeed(workspace=actor.workspace, member=actor.membership, scope=scope)
        feed.token_hash = token_hash(token)
        feed.token_sealed = crypto.encrypt(token)
        feed.save()
        audit.record(actor, "leave.feed.rotated", feed, scope=scope)
    return {"scope": scope, "url": url_of(token)}


def feed_by_token(token: str) -> CalendarFeed | None:
    """The feed at /feeds/leave/<token>.ics, in any workspace: its secret token is what names the workspace."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return CalendarFeed.objects.unscoped().filter(token_hash=token_hash(token)).select_related("workspace").first()


def throttle(feed: CalendarFeed) -> None:
    """Per feed: raises Throttled (429)."""
    ratelimit.hit("leave.feed", str(feed.pk), limits=FEED_LIMITS)


def reader_of(feed: CalendarFeed) -> Actor | None:
    """Inside the feed's workspace: the feed's member as an actor, or None when the feed no longer may be read
    (the membership or account is gone or inactive, or the team feed's right was lost)."""
    membership = (Membership.objects.select_related("user", "workspace")
                  .filter(pk=feed.member_id, is_active=True).first())
    if membership is None or membership.user is None or not membership.user.is_active:
        return None
    actor = Actor(user=membership.user, workspace=membership.workspace, membership=membership, role=membership.role)
    if not actor.can(OWN):
        return None
    if feed.scope == CalendarFeed.Scope.TEAM and not (actor.can(TEAM_VIEW) or actor.can(VIEW_ALL)):
        return None
    return actor
