"""A webhook carries only what its creator may see: a subscription made by someone whose role shows them their
own CRM records never receives a colleague's lead, while one made by an admin receives everyone's."""
from __future__ import annotations

import pytest

from oorg.core.models import Membership
from oorg.core.roles import create_role
from oorg.core.tenancy import workspace_scope
from oorg.crm.permissions import EDIT, VIEW_OWN
from oorg.crm.services import leads
from oorg.webhooks.models import WebhookDelivery
from oorg.webhooks.permissions import WEBHOOKS_MANAGE
from tests.conftest import _run_pending_on_commit, actor_for
from tests.webhooks.conftest import receiver, subscribe  # noqa: F401  (receiver: a fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_with_webhooks(crm):
    """The member, given a custom role: own CRM records, and webhooks."""
    ws = crm["workspace"]
    with workspace_scope(ws):
        role = create_role(crm["actors"]["owner"], name="Rep with hooks",
                           permissions=[VIEW_OWN, EDIT, WEBHOOKS_MANAGE])
        Membership.objects.filter(user=crm["users"]["member"]).update(role=role.key)
    return actor_for(crm["users"]["member"], ws)


def test_a_webhook_receives_only_the_records_its_creator_sees(crm, rep_with_webhooks, receiver):  # noqa: F811
    _run_pending_on_commit()
    ws = crm["workspace"]
    mine, _ = subscribe(rep_with_webhooks, receiver.url("/rep"), ["crm.lead.created"])
    everyone, _ = subscribe(crm["actors"]["admin"], receiver.url("/admin"), ["crm.lead.created"])
    with workspace_scope(ws):
        leads.create_lead(rep_with_webhooks, full_name="Rep's Own Lead", email="own@example.test")
        leads.create_lead(crm["actors"]["member2"], full_name="Colleague Lead", email="colleague@example.test")
    _run_pending_on_commit()

    by_path = {}
    for seen in receiver.requests:
        by_path.setdefault(seen.path, []).append(seen.payload["data"]["full_name"])
    assert by_path["/rep"] == ["Rep's Own Lead"]
    assert sorted(by_path["/admin"]) == ["Colleague Lead", "Rep's Own Lead"]
    with workspace_scope(ws):
        assert WebhookDelivery.objects.filter(subscription=mine).count() == 1
        assert WebhookDelivery.objects.filter(subscription=everyone).count() == 2


def test_a_webhook_whose_creator_left_gets_no_crm_records(crm, rep_with_webhooks, receiver):  # noqa: F811
    _run_pending_on_commit()
    ws = crm["workspace"]
    gone, _ = subscribe(rep_with_webhooks, receiver.url("/gone"), ["crm.lead.created"])
    with workspace_scope(ws):
        Membership.objects.filter(pk=rep_with_webhooks.membership.pk).update(is_active=False)
        leads.create_lead(crm["actors"]["admin"], full_name="After They Left", email="after@example.test")
    _run_pending_on_commit()

    assert [s for s in receiver.requests if s.path == "/gone"] == []
    with workspace_scope(ws):
        assert not WebhookDelivery.objects.filter(subscription=gone).exists()
