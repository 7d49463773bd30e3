from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    """Workspaces, members, invitations, roles, the audit log and workspace settings: pages and API."""

    name = "oorg.workspaces"
    label = "workspaces"

    def ready(self):
        from oorg.core import demo

        from .demo import seed_workspace

        demo.contribute(10, "workspace", seed_workspace)
        self.register_uploads()
        self.register_in_shell()
        self.register_in_audit_log()
        from . import events  # noqa: F401  registers the workspace event types and notification kinds

    @staticmethod
    def register_in_audit_log():
        """What the audit log calls this area's actions, and how it names and links their targets."""
        from oorg.accounts.models import User
        from oorg.core import audit
        from oorg.core.models import Invitation, Membership, Role, Workspace
        from oorg.core.permissions import ROLES_MANAGE

        from . import selectors
        from .models import OwnershipTransfer

        audit.register_actions({
            "workspace.created": "Workspace created",
            "workspace.settings_changed": "Workspace settings changed",
            "workspace.logo_changed": "Workspace logo changed",
            "workspace.two_factor_requirement_changed": "Two-factor requirement changed",
            "workspace.invitation_sent": "Invitation sent",
            "workspace.invitation_revoked": "Invitation withdrawn",
            "workspace.invitation_accepted": "Invitation accepted",
            "workspace.member_role_changed": "Member role changed",
            "workspace.member_removed": "Member removed",
            "workspace.member_left": "Member left",
            "workspace.ownership_transfer_proposed": "Ownership transfer proposed",
            "workspace.ownership_transfer_declined": "Ownership transfer declined",
            "workspace.ownership_transfer_cancelled": "Ownership transfer cancelled",
            "workspace.ownership_transferred": "Ownership transferred",
        }, group="Workspace")

        def person(user) -> str:
            return f"{user.full_name} ({user.email})" if user.full_name else user.email

        audit.register_target(Workspace, links=selectors.audit_workspace_links)
        audit.register_target(User, noun="Person", label=person, links=selectors.audit_user_links)
        audit.register_target(Membership, noun="Member", label=lambda m: person(m.user),
                              links=selectors.audit_member_links)
        audit.register_target(Invitation, label=lambda i: i.email, links=selectors.audit_invitation_links)
        audit.register_target(Role, links=audit.page_links("workspaces:role-edit", "role_id",
                                                           lambda actor: Role.objects.filter(is_builtin=False),
                                                           permission=ROLES_MANAGE))
        audit.register_target(OwnershipTransfer, noun="Ownership transfer",
                              label=lambda t: f"{t.from_member.user.email} → {t.to_member.user.email}")

    @staticmethod
    def register_uploads():
        """The logo upload, page and API, may carry an image of images.MAX_BYTES (core/limits.py)."""
        from oorg.core import images, limits

        limits.allow_upload(r"^/api/v1/workspace/logo$", images.MAX_BYTES)
        limits.allow_upload(r"^/w/[^/]+/settings/logo$", images.MAX_BYTES)

    @staticmethod
    def register_in_shell():
        """The Workspace group of the sidebar (last: it is run less often than the work itself) and the
        "Getting started" card, which leads the dashboard until it is done."""
        from oorg.core.permissions import AUDIT_VIEW, MEMBERS_VIEW, ROLES_MANAGE, SECURITY_MANAGE, SETTINGS_MANAGE
        from oorg.web import shell

        from . import dashboard

        area = shell.register_area("workspace", label="Workspace", icon="building", order=90)
        area.item("Members", "workspaces:members", icon="user-round-cog", visible=shell.can(MEMBERS_VIEW),
                  paths=("members/", "invitations/"))
        area.item("Roles", "workspaces:roles", icon="shield-check", visible=shell.can(ROLES_MANAGE), paths=("roles/",))
        area.item("Audit log", "workspaces:audit", icon="scroll-text", visible=shell.can(AUDIT_VIEW), paths=("audit/",))
        area.item("Settings", "workspaces:settings", icon="settings", visible=shell.can(SETTINGS_MANAGE, SECURITY_MANAGE),
                  paths=("settings/",))
        area.card("workspace.getting-started", title="Getting started", icon="list-checks",
                  template="workspaces/cards/getting_started.html", context=dashboard.getting_started, order=10)
        # Before everything else while it waits: only the new owner can answer it.
        area.card("workspace.ownership-transfer", title="Ownership transfer", icon="crown",
                  template="workspaces/cards/ownership_transfer.html", context=dashboard.ownership_transfer, order=1,
                  wide=True)
