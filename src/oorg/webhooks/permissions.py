"""The webhooks permission, the built-in roles that hold it, and what the audit log calls the area's actions."""
from oorg.core import audit
from oorg.core.permissions import register

WEBHOOKS_MANAGE = register("webhooks.manage", "Create, change and delete webhooks and read their delivery log",
                           roles=("admin",))

audit.register_actions({
    "webhooks.subscription.created": "Webhook created",
    "webhooks.subscription.updated": "Webhook changed",
    "webhooks.subscription.secret_rotated": "Webhook secret rotated",
    "webhooks.subscription.paused": "Webhook paused",
    "webhooks.subscription.resumed": "Webhook resumed",
    "webhooks.subscription.deleted": "Webhook deleted",
    "webhooks.subscription.test_sent": "Webhook test event sent",
    "webhooks.delivery.resent": "Webhook delivery resent",
}, group="Webhooks")
