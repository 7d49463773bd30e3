"""The notifications API: the list (unread filter, cursor pages), read/unread, read-all, the unread count;
the token's workspace scopes it, and another person's or workspace's notification is a 404."""
from __future__ import annotations

import pytest

from oorg.notifications import selectors
from oorg.notifications.models import Notification

from ..conftest import actor_for, add_member
from .conftest import account_notice, notifications_of, ping

pytestmark = pytest.mark.django_db


def test_the_list_shows_my_notifications_newest_first_with_their_actor(workspace, owner, member, api_client):
    ping(workspace, owner, [member], title="First", body="Look at this", url="/w/acme-corp/members/")
    ping(workspace, owner, [member], title="Second")

    page = api_client(member, workspace).get("/notifications").json()

    assert page["count"] == 2 and page["next_cursor"] is None
    assert [n["title"] for n in page["items"]] == ["Second", "First"]
    first = page["items"][1]
    assert set(first) == {"id", "kind", "title", "body", "url", "created_at", "read_at", "actor"}
    assert first["kind"] == "test.pinged" and first["body"] == "Look at this" and first["read_at"] is None
    assert first["url"] == "http://testserver/w/acme-corp/members/"
    assert first["actor"] == {"id": owner.pk, "name": owner.full_name}
    assert page["items"][0]["url"] is None


def test_someone_elses_notifications_are_not_in_my_list(workspace, owner, member, admin, api_client):
    ping(workspace, owner, [admin], title="For the admin")

    assert api_client(member, workspace).get("/notifications").json() == {"items": [], "count": 0,
                                                                          "next_cursor": None}


def test_unread_filter_and_cursor_pages(workspace, owner, member, api_client):
    for i in range(5):
        ping(workspace, owner, [member], title=f"N{i}")
    client = api_client(member, workspace)
    oldest = notifications_of(member)[0]
    assert client.post(f"/notifications/{oldest.pk}/read").status_code == 200

    unread = client.get("/notifications?unread=true").json()
    read = client.get("/notifications?unread=false").json()
    assert unread["count"] == 4 and "N0" not in [n["title"] for n in unread["items"]]
    assert [n["title"] for n in read["items"]] == ["N0"]

    titles, url = [], "/notifications?limit=2"
    first = client.get(url).json()
    assert first["count"] == 5 and len(first["items"]) == 2 and first["next_cursor"]
    while url:
        page = client.get(url).json()
        titles += [n["title"] for n in page["items"]]
        url = page["next_cursor"] and f"/notifications?limit=2&cursor={page['next_cursor']}"
    assert titles == ["N4", "N3", "N2", "N1", "N0"]


def test_bad_paging_input_is_a_422_naming_the_field(workspace, member, api_client):
    client = api_client(member, workspace)

    assert client.get("/notifications?limit=0").json()["field"] == "limit"
    assert client.get("/notifications?cursor=not-a-cursor").json()["field"] == "cursor"
    assert client.get("/notifications?unread=maybe").status_code == 422


def test_read_and_unread_answer_the_notification(workspace, owner, member, api_client):
    ping(workspace, owner, [member])
    client = api_client(member, workspace)
    notification = notifications_of(member)[0]

    read = client.post(f"/notifications/{notification.pk}/read")
    assert read.status_code == 200 and read.json()["read_at"] is not None
    first_read_at = read.json()["read_at"]
    assert client.post(f"/notifications/{notification.pk}/read").json()["read_at"] == first_read_at  # idempotent
    assert client.get("/notifications/unread-count").json() == {"count": 0}

    unread = client.post(f"/notifications/{notification.pk}/unread")
    assert unread.status_code == 200 and unread.json()["read_at"] is None
    assert client.get("/notifications/unread-count").json() == {"count": 1}


def test_another_persons_notification_is_a_404_and_stays_unread(workspace, owner, member, admin, api_client):
    ping(workspace, owner, [admin])
    theirs = notifications_of(admin)[0]
    client = api_client(member, workspace)

    for action in ("read", "unread"):
        response = client.post(f"/notifications/{theirs.pk}/{action}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
        assert client.post(f"/notifications/987654321/{action}").json() == response.json()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_token_workspace_scopes_the_list_and_account_notices_show_everywhere(
        workspace, other_workspace, owner, member, api_client):
    add_member(other_workspace, other_workspace.owner, member.email, "member")
    ping(workspace, owner, [member], title="In Acme")
    ping(other_workspace, other_workspace.owner, [member], title="In Globex")
    account_notice(member, title="New sign-in")
    in_acme, in_globex = api_client(member, workspace), api_client(member, other_workspace)
    globex_id = next(n.pk for n in notifications_of(member) if n.title == "In Globex")

    assert {n["title"] for n in in_acme.get("/notifications").json()["items"]} == {"In Acme", "New sign-in"}
    assert {n["title"] for n in in_globex.get("/notifications").json()["items"]} == {"In Globex", "New sign-in"}
    assert in_acme.get("/notifications/unread-count").json() == {"count": 2}
    # Globex's notification cannot be reached with an Acme token, not even to mark it read.
    assert in_acme.post(f"/notifications/{globex_id}/read").status_code == 404
    assert in_acme.post("/notifications/read-all").json() == {"count": 2}
    assert in_globex.get("/notifications/unread-count").json() == {"count": 1}  # In Globex is still unread
    assert Notification.objects.get(pk=globex_id).read_at is None


def test_read_all_marks_only_what_is_unread(workspace, owner, member, api_client):
    for i in range(3):
        ping(workspace, owner, [member], title=f"N{i}")
    client = api_client(member, workspace)

    assert client.post("/notifications/read-all").json() == {"count": 3}
    assert client.post("/notifications/read-all").json() == {"count": 0}
    assert client.get("/notifications?unread=true").json()["count"] == 0


def test_the_unread_count_is_one_query(workspace, owner, member, django_assert_num_queries):
    ping(workspace, owner, [member])
    ping(workspace, owner, [member])
    actor = actor_for(member, workspace)

    with django_assert_num_queries(1):
        assert selectors.unread_count(actor) == 2


def test_the_unread_count_reads_the_partial_index(workspace, member):
    from django.db import connection

    from oorg.notifications.models import Notification as N

    if connection.vendor != "sqlite":
        pytest.skip("the plan is checked on SQLite")
    plan = N.objects.filter(selectors.unread_q(member.pk, workspace.pk)).explain()
    assert plan.count("USING INDEX notification_unread") == 2, plan


def test_anonymous_callers_get_401(db, api_client):
    assert api_client().get("/notifications").status_code == 401
    assert api_client().get("/notifications/unread-count").status_code == 401
