"""The pages: the bell in every page's top bar (count, dropdown partial), the notification centre (filters,
mark read/unread/all, open), preferences (grouped kinds, locked security rows, every error at once, redirect)."""
from __future__ import annotations

import re

import pytest

from oorg.notifications.models import Notification, NotificationPreferences
from tests.web.pages import signed_in_client, text

from .conftest import NEWS, PING, SECURITY, account_notice, notifications_of, ping

pytestmark = pytest.mark.django_db


def summary(page: str) -> str:
    return re.search(r'<summary class="icon-btn" id="notification-summary"[^>]*>.*?</summary>', page,
                     re.DOTALL).group(0)


def test_every_page_shows_the_unread_count_in_the_bell(workspace, owner, member):
    client = signed_in_client(member)
    assert '<span class="count-badge" id="notification-count" hidden>0</span>' in text(client.get(
        f"/w/{workspace.slug}/"))

    ping(workspace, owner, [member])
    ping(workspace, owner, [member])
    account_notice(member)

    bell = summary(text(client.get(f"/w/{workspace.slug}/members/")))
    assert 'aria-label="Notifications, 3 unread"' in bell
    assert '<span class="count-badge" id="notification-count">3</span>' in bell


def test_the_bell_polls_its_partial(workspace, owner, member):
    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/"))

    url = f"/w/{workspace.slug}/notifications/bell"
    assert f'hx-get="{url}" hx-trigger="every 20s" hx-swap="none"' in page
    assert f'hx-get="{url}?panel=1" hx-trigger="toggle from:#notification-slot"' in page


def test_the_bell_partial_has_the_count_and_the_latest_notifications(workspace, owner, member, admin):
    for i in range(10):
        ping(workspace, owner, [member], title=f"Ping {i}")
    ping(workspace, owner, [admin], title="Not for you")
    client = signed_in_client(member)

    count = text(client.get(f"/w/{workspace.slug}/notifications/bell"))
    assert 'aria-label="Notifications, 10 unread"' in count and 'hx-swap-oob="true"' in count
    assert "Ping" not in count  # the poll carries only the count

    panel = text(client.get(f"/w/{workspace.slug}/notifications/bell?panel=1",
                            HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=f"http://testserver/w/{workspace.slug}/"))
    titles = re.findall(r"Unread: </span>(Ping \d)", panel)
    assert titles == [f"Ping {i}" for i in range(9, 1, -1)]  # the latest 8, newest first
    assert "Not for you" not in panel
    assert "Mark all read" in panel and f'name="next" value="/w/{workspace.slug}/"' in panel
    assert f'href="/w/{workspace.slug}/notifications/"' in panel and "See all" in panel


def test_clicking_a_notification_marks_it_read_and_opens_it(workspace, owner, member):
    ping(workspace, owner, [member], url=f"/w/{workspace.slug}/members/")
    [n] = notifications_of(member)

    response = signed_in_client(member).post(f"/w/{workspace.slug}/notifications/{n.pk}/open")

    assert response.status_code == 302 and response["Location"] == f"/w/{workspace.slug}/members/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_an_open_never_leaves_the_site(workspace, owner, member):
    ping(workspace, owner, [member], url="//evil.example/phish")
    [n] = notifications_of(member)

    response = signed_in_client(member).post(f"/w/{workspace.slug}/notifications/{n.pk}/open")

    assert response["Location"] == f"/w/{workspace.slug}/notifications/"


def test_the_centre_lists_with_filters(workspace, owner, member):
    ping(workspace, owner, [member], title="Still new")
    ping(workspace, owner, [member], title="Seen already")
    seen = next(n for n in notifications_of(member) if n.title == "Seen already")
    client = signed_in_client(member)
    client.post(f"/w/{workspace.slug}/notifications/{seen.pk}/read")

    everything = text(client.get(f"/w/{workspace.slug}/notifications/"))
    unread = text(client.get(f"/w/{workspace.slug}/notifications/?show=unread"))
    read = text(client.get(f"/w/{workspace.slug}/notifications/?show=read"))

    assert "Still new" in everything and "Seen already" in everything and "1 unread" in everything
    assert "Still new" in unread and "Seen already" not in unread
    assert "Seen already" in read and "Still new" not in read
    assert '?show=unread" aria-current="page">Unread' in unread


def test_the_centre_pages_through_many(workspace, owner, member):
    for i in range(30):
        ping(workspace, owner, [member], title=f"Item {i:02d}")
    client = signed_in_client(member)

    first = text(client.get(f"/w/{workspace.slug}/notifications/"))
    assert "Item 29" in first and "Item 04" not in first and "1–25 of 30" in first
    next_url = re.search(r'href="(\?cursor=[^"]+)" rel="next"', first).group(1).replace("&amp;", "&")
    second = text(client.get(f"/w/{workspace.slug}/notifications/{next_url}"))
    assert "Item 04" in second and "Item 29" not in second


def test_mark_read_unread_and_all_redirect_back(workspace, owner, member):
    for i in range(3):
        ping(workspace, owner, [member], title=f"N{i}")
    n = notifications_of(member)[0]
    client = signed_in_client(member)
    back = f"/w/{workspace.slug}/notifications/?show=unread"

    response = client.post(f"/w/{workspace.slug}/notifications/{n.pk}/read", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    response = client.post(f"/w/{workspace.slug}/notifications/{n.pk}/unread", {"next": "https://evil.example/"})
    assert response["Location"] == f"/w/{workspace.slug}/notifications/"  # only paths of this site
    n.refresh_from_db()
    assert n.read_at is None

    response = client.post(f"/w/{workspace.slug}/notifications/read-all", {"next": f"/w/{workspace.slug}/"})
    assert response.status_code == 302 and response["Location"] == f"/w/{workspace.slug}/"
    assert not Notification.objects.filter(user=member, read_at__isnull=True).exists()
    assert "Marked 3 notifications read." in text(client.get(f"/w/{workspace.slug}/"))


def test_another_persons_notification_is_not_found(workspace, owner, member, admin):
    ping(workspace, owner, [admin])
    [theirs] = notifications_of(admin)
    client = signed_in_client(member)

    for action in ("read", "unread", "open"):
        assert client.post(f"/w/{workspace.slug}/notifications/{theirs.pk}/{action}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert "Ping" not in text(client.get(f"/w/{workspace.slug}/notifications/"))


def test_another_workspaces_pages_are_not_found(workspace, other_workspace, member):
    client = signed_in_client(member)

    assert client.get(f"/w/{other_workspace.slug}/notifications/").status_code == 404
    assert client.get(f"/w/{other_workspace.slug}/notifications/bell").status_code == 404


def test_the_sidebar_has_notifications(workspace, member):
    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/notifications/preferences"))

    assert re.search(rf'href="/w/{workspace.slug}/notifications/" aria-current="page">.*?All notifications', page,
                     re.DOTALL)


# --- preferences ------------------------------------------------------------------------------------------


def test_the_preferences_page_groups_kinds_and_locks_security_ones(workspace, member):
    member.time_zone = "Europe/Berlin"
    member.save(update_fields=["time_zone"])
    page = text(signed_in_client(member).get(f"/w/{workspace.slug}/notifications/preferences"))

    assert ">Testing</h2>" in page and ">Account</h2>" in page
    assert re.search(rf'name="email__{NEWS}"[^>]*>.*?<option value="daily" selected>', page, re.DOTALL)
    locked = re.search(rf'<input type="checkbox" name="in_app__{SECURITY}"[^>]*>', page).group(0)
    assert "disabled" in locked and "checked" in locked
    assert re.search(rf'<select name="email__{SECURITY}"[^>]*disabled', page)
    assert "always shown and emailed at once" in page
    assert "Europe/Berlin" in page


def _form(user, **changes):
    """What the page posts for `user` as it stands (every kind, as the browser sends the whole form), changed."""
    from oorg.notifications.selectors import preference_state

    data = {"quiet_start": "22:00", "quiet_end": "07:00"}
    for row in preference_state(user)["kinds"]:
        if not row["locked"]:
            data[f"email__{row['kind']}"] = row["email"]
            if row["in_app"]:
                data[f"in_app__{row['kind']}"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_saving_preferences_redirects(workspace, member, api_client):
    client = signed_in_client(member)
    url = f"/w/{workspace.slug}/notifications/preferences"

    response = client.post(url, _form(member, **{f"in_app__{NEWS}": None, f"email__{PING}": "hourly",
                                         "quiet_hours_enabled": "on", "quiet_start": "21:00"}))

    assert response.status_code == 302 and response["Location"] == url
    state = api_client(member, workspace).get("/notification-preferences").json()
    kinds = {k["kind"]: k for k in state["kinds"]}
    assert kinds[PING]["email"] == "hourly" and kinds[NEWS]["in_app"] is False
    assert state["quiet_hours"] == {"enabled": True, "start": "21:00", "end": "07:00"}
    assert "Notification preferences saved." in text(client.get(url))


def test_every_error_shows_at_once_and_nothing_is_saved(workspace, member):
    client = signed_in_client(member)

    response = client.post(f"/w/{workspace.slug}/notifications/preferences",
                           _form(member, **{f"email__{PING}": "weekly", "quiet_start": "25:99",
                                            "quiet_hours_enabled": "on"}))

    assert response.status_code == 422
    page = text(response)
    assert "2 things to fix" in page
    assert "Select a valid choice" in page and "Enter a valid time" in page
    assert not NotificationPreferences.objects.filter(user=member).exists()


def test_empty_quiet_hours_are_refused_on_their_field(workspace, member):
    response = signed_in_client(member).post(f"/w/{workspace.slug}/notifications/preferences",
                                             _form(member, quiet_hours_enabled="on", quiet_start="07:00",
                                                   quiet_end="07:00"))

    assert response.status_code == 422
    assert "Quiet hours must end at another time than they start." in text(response)


def test_a_posted_security_row_is_ignored(workspace, member):
    response = signed_in_client(member).post(f"/w/{workspace.slug}/notifications/preferences",
                                             _form(member, **{f"email__{SECURITY}": "off"}))

    assert response.status_code == 302
    account_notice(member)
    assert Notification.objects.get(user=member, kind=SECURITY).email_mode == "immediately"


def test_the_bells_poll_does_not_keep_an_unattended_session_alive(workspace, member):
    from datetime import timedelta

    from django.utils import timezone

    from oorg.accounts.models import UserSession

    client = signed_in_client(member)
    row = UserSession.objects.get(user=member, revoked_at__isnull=True)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    UserSession.objects.filter(pk=row.pk).update(last_seen_at=an_hour_ago)

    assert client.get(f"/w/{workspace.slug}/notifications/bell", HTTP_X_OORG_BACKGROUND="1").status_code == 200
    row.refresh_from_db()
    assert row.last_seen_at == an_hour_ago  # the tab polled; nobody was there

    client.get(f"/w/{workspace.slug}/")
    row.refresh_from_db()
    assert row.last_seen_at > an_hour_ago  # a page the person opened
