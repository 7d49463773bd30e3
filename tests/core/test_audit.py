"""The audit log is append-only and hash-chained: `oorg audit verify` finds edits and deletions."""
import pytest

from oorg.cli import main as oorg
from oorg.core import audit
from oorg.core.models import AuditEvent

from ..conftest import ApiClient


def test_api_lists_events_newest_first_for_admins(workspace, member, api_client):
    events = api_client(workspace.owner, workspace).get("/audit-events").json()
    actions = [e["action"] for e in events["items"]]
    assert actions[0] == "auth.api_token_created"
    assert {"workspace.created", "workspace.invitation_sent", "workspace.invitation_accepted"} <= set(actions)
    assert events["count"] == len(actions)


def test_sign_in_failures_are_recorded_in_the_users_workspaces(workspace, api_client):
    ApiClient().post("/auth/token", {"email": "owner@acme.test", "password": "Wrong-password-99"})
    events = api_client(workspace.owner, workspace).get("/audit-events?action=auth.signin_failed").json()
    assert events["count"] == 1
    assert events["items"][0]["data"] == {"reason": "bad_credentials"}


def test_events_cannot_be_changed_or_deleted_through_the_orm(workspace):
    event = AuditEvent.objects.filter(workspace=workspace).first()
    event.action = "tampered"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_verify_passes_on_an_untouched_log(workspace, other_workspace, capsys):
    assert oorg(["audit", "verify"]) == 0
    assert "intact" in capsys.readouterr().out


def test_verify_names_an_edited_event(workspace, member, capsys):
    victim = AuditEvent.objects.filter(workspace=workspace).order_by("seq")[1]
    AuditEvent.objects.filter(pk=victim.pk).update(data={"name": "forged"})  # a raw edit bypasses save()
    assert oorg(["audit", "verify"]) == 1
    out = capsys.readouterr().out
    assert f"event #{victim.seq} (id {victim.pk}" in out and "edited" in out


def test_verify_names_a_deleted_event(workspace, member, capsys):
    victim = AuditEvent.objects.filter(workspace=workspace).order_by("seq")[1]
    AuditEvent.objects.filter(pk=victim.pk)._raw_delete(AuditEvent.objects.db)
    assert oorg(["audit", "verify"]) == 1
    assert f"event #{victim.seq} is missing" in capsys.readouterr().out


def test_verify_finds_a_rewritten_chain_link(workspace, member):
    first, second = AuditEvent.objects.filter(workspace=workspace).order_by("seq")[:2]
    # A forger who recomputes the edited event's own hash still breaks the next link.
    AuditEvent.objects.filter(pk=first.pk).update(action="forged")
    first.refresh_from_db()
    AuditEvent.objects.filter(pk=first.pk).update(hash=audit.compute_hash(first))
    checked, problems = audit.verify()
    assert problems and f"event #{second.seq}" in problems[0]


def test_each_workspace_has_its_own_chain(workspace, other_workspace):
    for ws in (workspace, other_workspace):
        seqs = list(AuditEvent.objects.filter(workspace=ws).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, len(seqs) + 1))


def test_verify_finds_events_deleted_from_the_end(workspace, member, capsys):
    last = AuditEvent.objects.filter(workspace=workspace).order_by("-seq").first()
    AuditEvent.objects.filter(pk=last.pk)._raw_delete(AuditEvent.objects.db)
    assert oorg(["audit", "verify"]) == 1
    assert f"its head records #{last.seq}" in capsys.readouterr().out


def test_verify_finds_a_chain_emptied_entirely(workspace, capsys):
    AuditEvent.objects.filter(workspace=workspace)._raw_delete(AuditEvent.objects.db)
    assert oorg(["audit", "verify"]) == 1
    assert f"workspace {workspace.pk}: the chain ends at event #0" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain(workspace):
    """Writers on several connections at once queue on the chain head; no fork, no gap."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's in-memory test database cannot hold concurrent writers; CI runs this on PostgreSQL")
    errors = []

    def append(n):
        try:
            for i in range(10):
                audit.record(None, "test.concurrent", workspace=workspace, actor_label=f"writer-{n}", i=i)
        except Exception as e:  # reported below; a thread's exception would otherwise vanish
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    checked, problems = audit.verify()
    assert problems == []
    assert AuditEvent.objects.filter(workspace=workspace, action="test.concurrent").count() == 40
