from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Notifications: the events consumer that makes them, the bell, the centre, preferences and emails."""

    name = "oorg.notifications"
    label = "notifications"

    def ready(self):
        from oorg.core import events

        from .consumer import handle

        events.register_consumer("notifications", handle)
        self.register_in_shell()

    @staticmethod
    def register_in_shell():
        """A Notifications group in the sidebar, just before the Workspace group: the centre, which links to the
        preferences (current on both pages). The bell in the top bar leads there too."""
        from oorg.web import shell

        area = shell.register_area("notifications", label="Notifications", icon="bell", order=80)
        area.item("All notifications", "notifications:list", icon="inbox", paths=("notifications/",))
