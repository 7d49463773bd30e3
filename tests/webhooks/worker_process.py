"""Steps of tests/webhooks/test_killed_worker.py, each run in its own process on a database in a temp folder:

    python -m tests.webhooks.worker_process setup URL   -> {"secret": ...}
    python -m tests.webhooks.worker_process emit        (sends inline; the test kills it mid-delivery)
    python -m tests.webhooks.worker_process sweep MINUTES -> the deliveries and attempts after the periodic job
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from unittest import mock


def main(step: str, *args: str) -> None:
    import django

    django.setup()
    from django.utils import timezone

    from oorg.core import audit, events
    from oorg.core.models import Workspace
    from oorg.core.permissions import Actor
    from oorg.core.tenancy import workspace_scope
    from oorg.webhooks import services
    from oorg.webhooks.models import WebhookAttempt, WebhookDelivery

    events.register_types([events.EventType("tests.ping", "A ping, for tests.")], group="Tests")
    if step == "setup":
        from oorg.accounts.models import User
        from oorg.workspaces.services import create_workspace

        owner = User.objects.create_user("owner@kill.test", "Sturdy-Passphrase-42", full_name="Owner")
        workspace = create_workspace(owner, name="Kill Test")
        with workspace_scope(workspace):
            _subscription, secret = services.create_subscription(Actor.system(workspace), url=args[0],
                                                                 events=["tests.ping"])
        print(json.dumps({"secret": secret}))
        return
    workspace = Workspace.objects.get()
    if step == "emit":
        with workspace_scope(workspace):
            audit.record(Actor.system(workspace), "tests.pinged", None,
                         each={"tests.ping": [Workspace(pk=7)]})  # any row with a pk: the event's target
        return
    if step == "sweep":
        from oorg.webhooks.tasks import send_due

        moment = timezone.now() + dt.timedelta(minutes=float(args[0]))
        with mock.patch("django.utils.timezone.now", return_value=moment):
            send_due()
        with workspace_scope(workspace):
            print(json.dumps({
                "deliveries": list(WebhookDelivery.objects.values("state", "attempts")),
                "attempts": list(WebhookAttempt.objects.order_by("number").values("number", "finished",
                                                                                 "status_code")),
            }))


if __name__ == "__main__":
    main(*sys.argv[1:])
