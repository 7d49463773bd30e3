"""The audit log people can read: labels, target names kept from the time, links, filters, what changed."""
import datetime as dt
import re

import pytest

from oorg.cli import main as oorg
from oorg.core import audit
from oorg.core.models import AuditEvent, Membership
from oorg.core.permissions import Actor
from oorg.core.tenancy import workspace_scope
from oorg.org import services as org
from oorg.workspaces import services as workspace_services
from tests.conftest import ApiClient, actor_for, token_for
from tests.web.pages import signed_in_client, text

pytestmark = pytest.mark.django_db


def _page(client, workspace, query="", **extra):
    return client.get(f"/w/{workspace.slug}/audit/{query}", **extra)


def _rows(response) -> list[str]:
    """The table rows of the log as plain text (tags dropped, whitespace squeezed)."""
    body = text(response).split("<tbody>", 1)[-1].split("</tbody>", 1)[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("<tr>")[1:]]


def _at(monkeypatch, when: dt.datetime):
    monkeypatch.setattr(audit.timezone, "now", lambda: when)


@pytest.fixture
def owner_client(workspace):
    return signed_in_client(workspace.owner)


@pytest.fixture
def owner_api(workspace):
    return ApiClient(token_for(workspace.owner, workspace))


@pytest.fixture
def berlin(workspace):
    """A branch created, then renamed to Munich: the log keeps what it was called at each step."""
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        branch = org.create_branch(actor, name="Berlin", time_zone="Europe/Berlin")
        org.update_branch(actor, branch, name="Munich")
    return branch


# --- labels, names, links ----------------------------------------------------------------------------------


def test_each_event_reads_as_words(workspace, member, owner_client):
    with workspace_scope(workspace):
        membership = Membership.objects.get(user=member)
        workspace_services.change_member_role(actor_for(workspace.owner, workspace), membership, role="admin")

    rows = _rows(_page(owner_client, workspace, "?action=workspace.member_role_changed"))

    assert len(rows) == 1
    assert "Member role changed" in rows[0] and "workspace.member_role_changed" in rows[0]
    assert "member (member@acme.test)" in rows[0]  # the target by name, not "Membership 3"
    assert "Changed: Role" in rows[0] and "Old role member" in rows[0] and "New role admin" in rows[0]


def test_a_renamed_target_keeps_its_name_from_the_time_and_links_to_what_it_is_now(workspace, berlin, owner_client):
    response = _page(owner_client, workspace, "?action=org.branch.")

    created, = [r for r in _rows(response) if "Branch created" in r]
    updated, = [r for r in _rows(response) if "Branch changed" in r]
    assert "Berlin" in created and "Munich" not in created
    assert "Munich" in updated and "Changed: Name" in updated
    edit = f'href="/w/{workspace.slug}/organization/branches/{berlin.pk}/edit"'
    assert text(response).count(edit) == 2  # both events link to the branch as it is now


def test_a_deleted_target_is_named_without_a_link(workspace, berlin, owner_client):
    with workspace_scope(workspace):
        org.delete_branch(actor_for(workspace.owner, workspace), berlin)

    response = _page(owner_client, workspace, "?action=org.branch.")

    assert [r for r in _rows(response) if "Branch deleted" in r and "Munich" in r]
    assert [r for r in _rows(response) if "Branch created" in r and "Berlin" in r]
    assert f"/organization/branches/{berlin.pk}/edit" not in text(response)


def test_a_target_the_reader_may_not_open_is_plain_text(workspace, berlin, admin):
    """Someone who may read the log but not manage branches sees the branch's name, not a link to its page."""
    from oorg.core import roles

    owner = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        auditor = roles.create_role(owner, name="Auditor", description="", permissions=["audit.event.view"])
        workspace_services.change_member_role(owner, Membership.objects.get(user=admin), role=auditor.key)

    response = _page(signed_in_client(admin), workspace, "?action=org.branch.")

    assert response.status_code == 200 and "Berlin" in text(response)
    assert "/organization/branches/" not in text(response)


def test_events_recorded_before_names_were_kept_show_kind_and_id(workspace, berlin, owner_client):
    with workspace_scope(workspace):
        audit.record(actor_for(workspace.owner, workspace), "org.branch.updated", berlin, target_label="",
                     fields=["phone"])

    row = _rows(_page(owner_client, workspace, "?action=org.branch.updated"))[0]

    assert f"Branch #{berlin.pk}" in row


def test_sign_out_records_the_user_as_its_target(workspace):
    client = signed_in_client(workspace.owner)

    client.post("/signout")

    event = AuditEvent.objects.filter(workspace=workspace, action="auth.signed_out").get()
    assert event.target_type == "User" and event.target_id == str(workspace.owner.pk)
    assert event.target_label == "Owner (owner@acme.test)"


def test_employee_changes_name_their_fields(workspace, owner_client):
    actor = actor_for(workspace.owner, workspace)
    with workspace_scope(workspace):
        ada = org.create_employee(actor, code="E9", full_name="Ada Lovelace")
        org.update_employee(actor, ada, job_title="Analyst", full_name="Ada King")

    response = _page(owner_client, workspace, "?action=org.employee.updated")
    row = _rows(response)[0]

    assert "Employee changed" in row and "Ada King (E9)" in row
    assert "Changed: Full name, Job title" in row
    assert f'href="/w/{workspace.slug}/people/{ada.pk}/"' in text(response)


# --- filters on the page -----------------------------------------------------------------------------------


def test_filter_by_who(workspace, member, owner_client):
    signed_in_client(member)

    rows = _rows(_page(owner_client, workspace, "?actor=MEMBER@acme.test"))

    assert rows and all("member@acme.test" in r for r in rows)
    assert not any("Workspace created" in r for r in rows)


def test_filter_by_an_email_nobody_has_shows_nothing(workspace, owner_client):
    response = _page(owner_client, workspace, "?actor=nobody@acme.test")

    assert response.status_code == 200 and _rows(response) == [] and "No events match these filters" in text(response)


def test_filter_by_action_exact_and_by_prefix(workspace, member, owner_client):
    exact = _rows(_page(owner_client, workspace, "?action=auth.signed_in"))
    area = _rows(_page(owner_client, workspace, "?action=workspace."))

    assert exact and all("Signed in" in r for r in exact)
    assert {"Workspace created", "Invitation sent", "Invitation accepted"} <= {
        label for r in area for label in ("Workspace created", "Invitation sent", "Invitation accepted") if label in r}
    assert not any("Signed in" in r for r in area)


def test_the_action_picker_lists_labels_grouped_by_area(workspace, owner_client):
    page = text(_page(owner_client, workspace))

    assert '<optgroup label="People">' in page
    assert '<option value="org.">Any people action</option>' in page
    assert '<option value="org.employee.created">Employee created</option>' in page


def test_filter_by_target(workspace, berlin, owner_client):
    with workspace_scope(workspace):
        other = org.create_branch(actor_for(workspace.owner, workspace), name="Lisbon", time_zone="Europe/Lisbon")

    rows = _rows(_page(owner_client, workspace, f"?target_type=Branch&target_id={berlin.pk}"))

    assert len(rows) == 2 and not any("Lisbon" in r for r in rows)
    assert len(_rows(_page(owner_client, workspace, "?target_type=Branch"))) == 3
    assert len(_rows(_page(owner_client, workspace, f"?target_type=Branch&target_id={other.pk}"))) == 1


def test_filter_by_days_in_the_viewers_time_zone_both_ends_included(workspace, monkeypatch, owner_client):
    owner = workspace.owner
    owner.time_zone = "Asia/Tokyo"
    owner.save(update_fields=["time_zone"])
    system = Actor.system(workspace)
    for day, hour, n in ((1, 14, 1), (1, 16, 2), (2, 14, 3), (2, 15, 4)):  # UTC; Tokyo is 9 hours ahead
        _at(monkeypatch, dt.datetime(2025, 3, day, hour, 0, tzinfo=dt.UTC))
        audit.record(system, "org.branch.created", None, n=n)
    monkeypatch.undo()

    rows = _rows(_page(owner_client, workspace, "?action=org.branch.created&since=2025-03-02&until=2025-03-02"))

    # 2 March in Tokyo runs from 1 March 15:00 to 2 March 15:00 UTC, so it holds events 2 and 3.
    assert [r.split("N ")[-1].split()[0] for r in rows] == ["3", "2"]
    assert "When (Asia/Tokyo)" in text(_page(owner_client, workspace, "?action=org.branch.created"))
    assert "2025-03-02 23:00:00" in rows[0] and "2025-03-02 01:00:00" in rows[1]  # shown in Tokyo time too


def test_from_after_to_is_a_form_error(workspace, owner_client):
    response = _page(owner_client, workspace, "?since=2025-03-05&until=2025-03-01")

    assert response.status_code == 422
    assert "“To” is before “From”" in text(response) and _rows(response) == []


@pytest.mark.parametrize("query, field", [
    ("?since=yesterday", "since"),
    ("?action=Not%20an%20action", "action"),
    ("?target_type=Spaceship", "target_type"),
    ("?actor=" + "x" * 300, "actor"),
])
def test_bad_filters_are_form_errors_on_their_field(workspace, owner_client, query, field):
    response = _page(owner_client, workspace, query)

    assert response.status_code == 422 and _rows(response) == []
    assert response.context["form"].errors.keys() == {field}


def test_a_target_id_without_its_kind_is_a_form_error(workspace, owner_client):
    response = _page(owner_client, workspace, "?target_id=5")

    assert response.status_code == 422 and "Choose the kind of target" in text(response)


def test_htmx_swaps_only_the_results(workspace, owner_client):
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "audit-results"}

    response = _page(owner_client, workspace, "?action=workspace.created", **headers)
    refused = _page(owner_client, workspace, "?since=2025-03-05&until=2025-03-01", **headers)

    assert response.status_code == 200 and text(response).lstrip().startswith('<section class="card audit-results"')
    assert "<header" not in text(response) and "Workspace created" in text(response)
    assert 'hx-swap-oob="true"' in text(response) and "1 event." in text(response)
    assert refused.status_code == 200 and "“To” is before “From”" in text(refused)  # swapped in, with why
    assert "HX-Request" in response["Vary"]


def test_the_filter_form_applies_on_change_and_without_script(workspace, owner_client):
    page = text(_page(owner_client, workspace))

    form = page.split('<form id="audit-filters"', 1)[1].split(">", 1)[0]
    assert 'method="get"' in form and 'hx-trigger="change, submit"' in form
    assert 'hx-target="#audit-results"' in form and 'hx-push-url="true"' in form
    assert "data-nojs-only>Apply</button>" in page


def test_pages_of_a_filtered_log_stay_filtered(workspace, owner_client):
    system = Actor.system(workspace)
    for n in range(30):
        audit.record(system, "org.branch.created", None, n=n)
    audit.record(system, "org.branch.deleted", None)

    first = _page(owner_client, workspace, "?action=org.branch.created")
    cursor = first.context["events"].next_cursor
    second = _page(owner_client, workspace, f"?action=org.branch.created&cursor={cursor}")

    assert len(_rows(first)) == 25 and len(_rows(second)) == 5
    assert not any("Branch deleted" in r for r in _rows(first) + _rows(second))
    assert f'href="?action=org.branch.created&amp;cursor={cursor}"' in text(first)


def test_another_workspaces_events_are_never_shown(workspace, other_workspace, owner_client):
    signed_in_client(other_workspace.owner)
    theirs = AuditEvent.objects.filter(workspace=other_workspace, action="workspace.created").get()

    by_actor = _page(owner_client, workspace, "?actor=owner@globex.test")
    by_target = _page(owner_client, workspace, f"?target_type=Workspace&target_id={theirs.target_id}")

    assert _rows(by_actor) == [] and _rows(by_target) == []
    assert AuditEvent.objects.filter(workspace=other_workspace, actor_label="owner@globex.test").count() >= 2


# --- the API -----------------------------------------------------------------------------------------------------


def test_api_items_carry_label_name_and_link(workspace, berlin, owner_api, settings):
    audit.record(Actor.system(workspace), "org.employee.exported", None, rows=0)
    with workspace_scope(workspace):
        org.delete_branch(actor_for(workspace.owner, workspace), berlin)

    items = owner_api.get("/audit-events?action=org").json()["items"]

    created, = [i for i in items if i["action"] == "org.branch.created"]
    assert created["action_label"] == "Branch created" and created["target_label"] == "Berlin"
    assert created["target_url"] is None  # deleted since
    exported, = [i for i in items if i["action"] == "org.employee.exported"]
    assert exported["action_label"] == "Directory exported" and exported["target_label"] == ""
    assert exported["target_url"] is None


def test_api_links_targets_that_exist(workspace, berlin, owner_api, settings):
    items = owner_api.get(f"/audit-events?target_type=Branch&target_id={berlin.pk}").json()["items"]

    assert [i["target_label"] for i in items] == ["Munich", "Berlin"]
    path = f"/w/{workspace.slug}/organization/branches/{berlin.pk}/edit"
    assert {i["target_url"] for i in items} == {settings.BASE_URL + path}


def test_api_filters(workspace, member, berlin, monkeypatch, owner_api):
    system = Actor.system(workspace)
    _at(monkeypatch, dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC))
    audit.record(system, "org.branch.deleted", berlin, when="before")
    _at(monkeypatch, dt.datetime(2025, 3, 2, 12, tzinfo=dt.UTC))
    audit.record(system, "org.branch.deleted", berlin, when="inside")
    monkeypatch.undo()

    def actions(query):
        response = owner_api.get(f"/audit-events?{query}")
        assert response.status_code == 200, response.json()
        return [i["action"] for i in response.json()["items"]]

    assert "workspace.invitation_accepted" in actions(f"actor_id={member.pk}")
    assert all(a.startswith(("auth.", "account.", "workspace."))
               for a in actions(f"actor_id={member.pk}"))
    assert set(actions("action=org.branch")) == {"org.branch.created", "org.branch.updated", "org.branch.deleted"}
    assert actions("action=org.branch.created") == ["org.branch.created"]
    assert len(actions(f"target_type=Branch&target_id={berlin.pk}")) == 4
    inside = owner_api.get("/audit-events?since=2025-03-02T00:00:00%2B00:00&until=2025-03-02T23:59:59Z").json()
    assert [i["data"]["when"] for i in inside["items"]] == ["inside"]
    naive = owner_api.get("/audit-events?since=2025-03-01T12:00:00&until=2025-03-01T12:00:00").json()  # UTC
    assert [i["data"]["when"] for i in naive["items"]] == ["before"]


@pytest.mark.parametrize("query, field", [
    ("since=yesterday", "since"),
    ("until=2025-13-01T00:00:00Z", "until"),
    ("since=2025-03-02T00:00:00Z&until=2025-03-01T00:00:00Z", "until"),
    ("actor_id=0", "actor_id"),
    ("actor_id=abc", "actor_id"),
    ("action=Not%20an%20action", "action"),
    ("target_type=Spaceship", "target_type"),
    ("target_id=5", "target_type"),
    ("since=0001-01-01T00:00:00%2B05:00", "since"),
])
def test_api_bad_filters_are_422_naming_the_field(workspace, owner_api, query, field):
    response = owner_api.get(f"/audit-events?{query}")

    assert response.status_code == 422, response.json()
    assert response.json()["field"] == field


def test_api_never_shows_another_workspaces_events(workspace, other_workspace, owner_api):
    theirs = AuditEvent.objects.filter(workspace=other_workspace, action="workspace.created").get()

    by_actor = owner_api.get(f"/audit-events?actor_id={other_workspace.owner.pk}").json()
    by_target = owner_api.get(f"/audit-events?target_type=Workspace&target_id={theirs.target_id}").json()

    assert by_actor["items"] == [] and by_actor["count"] == 0
    assert by_target["items"] == [] and by_target["count"] == 0


def test_api_pages_of_a_filtered_log(workspace, owner_api):
    system = Actor.system(workspace)
    for n in range(5):
        audit.record(system, "org.branch.created", None, n=n)

    first = owner_api.get("/audit-events?action=org.branch.created&limit=3").json()
    second = owner_api.get(f"/audit-events?action=org.branch.created&limit=3&cursor={first['next_cursor']}").json()

    assert first["count"] == 5 and [i["data"]["n"] for i in first["items"] + second["items"]] == [4, 3, 2, 1, 0]


def test_api_pages_of_a_time_range(workspace, monkeypatch, owner_api):
    """A time range is read in time order (a range of the time index): its pages follow on as well."""
    system = Actor.system(workspace)
    for n in range(5):
        _at(monkeypatch, dt.datetime(2025, 3, 1, 12, n, tzinfo=dt.UTC))
        audit.record(system, "org.branch.created", None, n=n)
    monkeypatch.undo()
    query = "/audit-events?since=2025-03-01T00:00:00Z&until=2025-03-01T23:59:59Z&limit=3"

    first = owner_api.get(query).json()
    second = owner_api.get(f"{query}&cursor={first['next_cursor']}").json()

    assert first["count"] == 5 and second["next_cursor"] is None
    assert [i["data"]["n"] for i in first["items"] + second["items"]] == [4, 3, 2, 1, 0]


# --- the chain still proves itself ----------------------------------------------------------------------------


def test_verify_passes_with_named_targets_and_catches_an_edited_name(workspace, berlin, capsys):
    system = Actor.system(workspace)
    audit.record(system, "org.branch.updated", berlin, target_label="", fields=["phone"])  # as before 0010
    audit.record(system, "org.branch.updated", None)
    assert AuditEvent.objects.filter(workspace=workspace, target_label="").count() == 2
    assert oorg(["audit", "verify"]) == 0, capsys.readouterr().out

    named = AuditEvent.objects.filter(workspace=workspace, target_label="Berlin").get()
    AuditEvent.objects.filter(pk=named.pk).update(target_label="Hamburg")
    assert oorg(["audit", "verify"]) == 1
    assert f"event #{named.seq} (id {named.pk}" in capsys.readouterr().out


def test_blanking_a_name_is_caught_too(workspace, berlin):
    named = AuditEvent.objects.filter(workspace=workspace, target_label="Berlin").get()
    AuditEvent.objects.filter(pk=named.pk).update(target_label="")

    _, problems = audit.verify()

    assert problems and f"event #{named.seq}" in problems[0]


def test_an_event_without_a_name_hashes_as_before(workspace):
    """Events recorded before target_label existed must keep verifying: an empty one is not in the content."""
    event = AuditEvent.objects.filter(workspace=workspace).first()
    event.target_label = ""

    assert '"target_label"' not in audit.canonical(event)
    event.target_label = "Acme"
    assert '"target_label":"Acme"' in audit.canonical(event)
