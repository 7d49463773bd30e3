from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    """Outgoing webhooks: subscriptions, signed deliveries with retries, the delivery log; pages and API."""

    name = "oorg.webhooks"
    label = "webhooks"

    def ready(self):
        from oorg.core import events

        from . import consumer, notices, permissions  # noqa: F401  permissions: webhooks.manage, audit labels

        notices.register()
        events.register_consumer("webhooks", consumer.handle)
        self.register_in_shell()
        self.register_in_audit_log()

    @staticmethod
    def register_in_audit_log():
        from oorg.core import audit

        from .models import WebhookSubscription
        from .permissions import WEBHOOKS_MANAGE

        audit.register_target(WebhookSubscription, noun="Webhook", label=lambda s: str(s), links=audit.page_links(
            "webhooks:detail", "webhook_id", lambda actor: WebhookSubscription.objects.all(),
            permission=WEBHOOKS_MANAGE))

    @staticmethod
    def register_in_shell():
        """An item in the Workspace group of the sidebar, for those who may manage webhooks."""
        from oorg.web import shell

        from .permissions import WEBHOOKS_MANAGE

        area = shell.register_area("workspace", label="Workspace", icon="building", order=90)
        area.item("Webhooks", "webhooks:list", icon="webhook", visible=shell.can(WEBHOOKS_MANAGE),
                  paths=("webhooks/",))
