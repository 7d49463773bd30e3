"""Pages show times in the viewer's time zone: their own (profile), else the workspace's default."""
from __future__ import annotations

import zoneinfo

from oorg.core.models import AuditEvent
from tests.web.pages import signed_in_client, text


def _shown(event, zone: str) -> str:
    return event.occurred_at.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


def test_the_audit_log_shows_times_in_the_viewers_own_zone(workspace):
    owner = workspace.owner
    owner.time_zone = "Asia/Tokyo"
    owner.save(update_fields=["time_zone"])
    page = text(signed_in_client(owner).get(f"/w/{workspace.slug}/audit/"))
    event = AuditEvent.objects.filter(workspace=workspace).order_by("-seq").first()
    assert _shown(event, "Asia/Tokyo") in page
    assert _shown(event, "UTC") not in page  # nine hours apart: the UTC reading is not on the page


def test_without_a_zone_of_their_own_the_workspace_default_applies(workspace):
    owner = workspace.owner
    owner.time_zone = ""
    owner.save(update_fields=["time_zone"])
    workspace.time_zone = "America/New_York"
    workspace.save(update_fields=["time_zone"])
    page = text(signed_in_client(owner).get(f"/w/{workspace.slug}/audit/"))
    event = AuditEvent.objects.filter(workspace=workspace).order_by("-seq").first()
    assert _shown(event, "America/New_York") in page


def test_the_zone_is_only_for_that_request(workspace):
    from django.utils import timezone

    owner = workspace.owner
    owner.time_zone = "Asia/Tokyo"
    owner.save(update_fields=["time_zone"])
    assert signed_in_client(owner).get(f"/w/{workspace.slug}/audit/").status_code == 200
    assert timezone.get_current_timezone_name() == "UTC"  # cleared when the request ended
