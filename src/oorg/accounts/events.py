"""Account events: what happened to a person's account, told to that person as a security notice.

They belong to no workspace (Event.workspace NULL) and are never offered to webhooks. Each is recorded through
services._audit_account, which copies the audit record into every workspace of the person but lets only the
first copy emit, so one change is one event (and one notice) whatever the number of workspaces, none included.
A security notice goes to the account's owner even when they did it themselves, and cannot be turned off.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.urls import reverse

from oorg.core import events
from oorg.core.schemas import StrictSchema

from .models import User


class AccountEventData(StrictSchema):  # strict: a payload carries these keys and nothing else
    user_id: int


class PasswordChangedData(AccountEventData):
    sessions_ended: int  # the other browser sessions signed out by the change


class TwoFactorData(AccountEventData):
    enabled: bool


class NewDeviceSigninData(AccountEventData):
    device: str  # the browser and system, from its User-Agent: "Firefox on Linux"
    ip_address: str | None
    method: str  # how it signed in: "password", "password+two_factor", "invitation"


def _user_data(user, data: dict) -> dict:
    return {"user_id": user.pk}


def _password_changed(user, data: dict) -> dict:
    return {"user_id": user.pk, "sessions_ended": int(data.get("sessions_ended") or 0)}


def _new_device(user, data: dict) -> dict:
    return {"user_id": user.pk, "device": data.get("device") or "Unknown device",
            "ip_address": data.get("ip_address"), "method": data.get("method") or ""}


# --- notices ------------------------------------------------------------------------------------------------

NEW_DEVICE = "accounts.new_device_signin"
PASSWORD_CHANGED = "accounts.password_changed"
TWO_FACTOR_CHANGED = "accounts.two_factor_changed"
IF_NOT_YOU = "If this was not you, reset your password now and sign out your other sessions."


def _when(event, user_id: int) -> str | None:
    """When the event happened, in the person's own time zone; None when the account is gone."""
    zone = User.objects.filter(pk=user_id).values_list("time_zone", flat=True).first()
    if zone is None:
        return None
    try:
        at = event.created_at.astimezone(ZoneInfo(zone))
    except (ZoneInfoNotFoundError, ValueError):
        zone, at = "UTC", event.created_at.astimezone(ZoneInfo("UTC"))
    return f"{at.day} {at:%b %Y at %H:%M} ({zone})"


def _security_notice(event, kind: str, title: str, body: str) -> list[events.Notice]:
    user_id = event.data.get("user_id")
    when = _when(event, user_id) if user_id is not None else None
    if when is None:
        return []
    return [events.Notice(user_id=user_id, kind=kind, title=title, body=body.replace("{when}", when),
                          url=reverse("accounts:security"))]


def notify_new_device(event) -> list[events.Notice]:
    device, ip = event.data.get("device") or "an unknown device", event.data.get("ip_address") or "an unknown address"
    return _security_notice(event, NEW_DEVICE, f"New sign-in on {device}",
                            f"Your account was signed in on {device} on {{when}}, from IP address {ip}. "
                            f"If this was you, there is nothing to do. {IF_NOT_YOU}")


def notify_password_changed(event) -> list[events.Notice]:
    """The one email about a password change (the services send none of their own): what ended, and what to do."""
    from .services import sessions_ended_sentence

    if event.type == "auth.password_reset":
        how, what = (" with an emailed reset code",
                     "Every signed-in session and API token of yours has been signed out.")
    else:
        ended = int(event.data.get("sessions_ended") or 0)
        how, what = "", (f"{sessions_ended_sentence(ended)} Your API tokens keep working: review them on the "
                         "Account security page.")
    return _security_notice(event, PASSWORD_CHANGED, "Your OORG password was changed",
                            f"The password of your account was changed{how} on {{when}}. {what} {IF_NOT_YOU}")


def notify_two_factor_changed(event) -> list[events.Notice]:
    state = "on" if event.type == "auth.two_factor_enabled" else "off"
    return _security_notice(event, TWO_FACTOR_CHANGED, f"Two-factor sign-in was turned {state}",
                            f"Two-factor sign-in of your account was turned {state} on {{when}}. {IF_NOT_YOU}")


def _account(name, description, payload, build, notify) -> events.EventType:
    return events.EventType(name, description, payload=payload, build=build, notify=notify,
                            account=True, webhook=False)


events.register_types([
    _account("account.password_changed", "A person changed their password.", PasswordChangedData,
             _password_changed, notify_password_changed),
    _account("auth.password_reset", "A person set a new password with an emailed reset code.", AccountEventData,
             _user_data, notify_password_changed),
    _account("auth.two_factor_enabled", "A person turned two-factor sign-in on.", TwoFactorData,
             lambda user, data: {"user_id": user.pk, "enabled": True}, notify_two_factor_changed),
    _account("auth.two_factor_disabled", "A person turned two-factor sign-in off.", TwoFactorData,
             lambda user, data: {"user_id": user.pk, "enabled": False}, notify_two_factor_changed),
    _account("auth.new_device_signin", "A person signed in from a browser their account had not used before.",
             NewDeviceSigninData, _new_device, notify_new_device),
], group="Account")

events.register_kinds([
    events.Kind(NEW_DEVICE, "New sign-in from an unseen device", security=True,
                description="Someone signed in to your account from a browser it had not used before."),
    events.Kind(PASSWORD_CHANGED, "Your password was changed", security=True,
                description="Your password was changed, or reset with an emailed code."),
    events.Kind(TWO_FACTOR_CHANGED, "Two-factor sign-in turned on or off", security=True),
], group="Account security")
