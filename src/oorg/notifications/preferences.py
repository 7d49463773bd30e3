"""A person's effective choice for each kind of notification: their stored override, else the kind's default.
Security kinds ignore both: always shown, always emailed at once."""
from __future__ import annotations

from oorg.core import events

from .models import EmailMode, NotificationPreferences
from .scheduling import QuietHours

EMAIL_MODES = [value for value, _label in EmailMode.choices]
LOCKED = "Security notices are always shown and emailed at once; they cannot be turned off."


def kinds() -> list[events.Kind]:
    """Every registered kind, grouped as a person knows them (by group, then label)."""
    return sorted(events.KINDS.values(), key=lambda k: (k.group.lower(), k.label.lower(), k.name))


def default_email(kind: events.Kind) -> str:
    return kind.default_email if kind.default_email in EMAIL_MODES else EmailMode.IMMEDIATELY


def settings_for(prefs: NotificationPreferences | None, kind: events.Kind) -> tuple[bool, str]:
    """(shown in the app, email mode) of `kind` for the person whose preferences are `prefs` (None: defaults)."""
    if kind.security:
        return True, EmailMode.IMMEDIATELY
    stored = (prefs.kinds if prefs is not None else {}).get(kind.name) or {}
    in_app = stored.get("in_app")
    email = stored.get("email")
    return (in_app if isinstance(in_app, bool) else True,
            email if email in EMAIL_MODES else default_email(kind))


def quiet_hours_of(prefs: NotificationPreferences | None) -> QuietHours:
    if prefs is None:
        return QuietHours()
    return QuietHours(prefs.quiet_hours_enabled, prefs.quiet_start, prefs.quiet_end)
