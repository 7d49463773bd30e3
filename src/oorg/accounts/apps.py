from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "oorg.accounts"
    label = "accounts"

    def ready(self):
        from oorg.core import images, limits

        limits.allow_upload(r"^/api/v1/auth/profile/photo$", images.MAX_BYTES)
        limits.allow_upload(r"^/account/photo/upload$", images.MAX_BYTES)
        self.register_in_audit_log()
        from . import events  # noqa: F401  registers the account event types and security notices

    @staticmethod
    def register_in_audit_log():
        """What the audit log calls sign-in and account actions (each goes into every workspace of the person)."""
        from oorg.core import audit

        from .models import ApiToken

        audit.register_actions({
            "auth.signed_in": "Signed in",
            "auth.signin_failed": "Sign-in failed",
            "auth.signed_out": "Signed out",
            "auth.session_revoked": "Session ended",
            "auth.sessions_revoked": "Other sessions ended",
            "auth.recovery_code_used": "Recovery code used",
            "auth.new_device_signin": "Signed in from a new device",
            "auth.password_reset": "Password reset",
            "auth.two_factor_enabled": "Two-factor sign-in turned on",
            "auth.two_factor_disabled": "Two-factor sign-in turned off",
            "auth.api_token_created": "API token created",
            "auth.api_token_revoked": "API token revoked",
            "auth.api_tokens_revoked": "API tokens revoked",
        }, group="Sign-in")
        audit.register_actions({
            "account.signed_up": "Signed up",
            "account.email_verified": "Email verified",
            "account.email_change_requested": "Email change requested",
            "account.email_changed": "Email changed",
            "account.password_changed": "Password changed",
            "account.profile_updated": "Profile changed",
            "account.recovery_codes_regenerated": "Recovery codes regenerated",
        }, group="Account")
        audit.register_target(ApiToken, noun="API token", label=lambda t: t.name)
