from django.urls import path

from . import account_views, views

app_name = "accounts"
urlpatterns = [
    path("signup", views.signup, name="signup"),
    path("verify", views.verify, name="verify"),
    path("signin", views.signin_view, name="signin"),
    path("signin/two-factor", views.signin_two_factor, name="signin-two-factor"),
    path("signout", views.signout, name="signout"),
    path("reset", views.password_reset, name="reset"),
    path("reset/confirm", views.password_reset_confirm, name="reset-confirm"),
    path("invitations/accept", views.accept_invitation, name="accept-invitation"),
    path("account/security", views.security, name="security"),
    path("account/sessions/<int:session_id>/revoke", views.revoke_session, name="session-revoke"),
    path("account/sessions/revoke-others", views.revoke_other_sessions, name="sessions-revoke-others"),
    path("account/tokens", views.create_token, name="token-create"),
    path("account/tokens/<int:token_id>/revoke", views.revoke_token, name="token-revoke"),
    path("account/two-factor", views.two_factor_setup, name="two-factor-setup"),
    path("account/two-factor/disable", views.two_factor_disable, name="two-factor-disable"),
    path("account/recovery-codes", account_views.recovery_codes, name="recovery-codes"),
    path("account/recovery-codes/download", account_views.recovery_codes_download, name="recovery-codes-download"),
    path("account/profile", account_views.profile, name="profile"),
    path("account/photo", account_views.photo, name="photo"),
    path("account/photo/upload", account_views.photo_upload, name="photo-upload"),
    path("account/photo/remove", account_views.photo_remove, name="photo-remove"),
    path("account/password", account_views.password_change, name="password"),
    path("account/email", account_views.email_change, name="email"),
]
