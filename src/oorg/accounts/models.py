from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils import timezone

from oorg.core.personal_data import Category, Erasure
from oorg.core.tenancy import WorkspaceOwned


class UserManager(BaseUserManager):
    def create_user(self, email, password=None, **fields):
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)
    time_zone = models.CharField(max_length=64, default="UTC")  # IANA name, chosen on the profile page
    language = models.CharField(max_length=12, default="en")  # one of settings.LANGUAGES
    photo = models.CharField(max_length=255, blank=True)  # a private name in the storage API (core/files.py)
    # Two-factor sign-in (TOTP): the secret is encrypted at rest; recovery codes live in RecoveryCode.
    totp_secret_encrypted = models.TextField(blank=True)
    totp_enabled_at = models.DateTimeField(null=True, blank=True)
    totp_last_step = models.BigIntegerField(null=True, blank=True)  # a TOTP code works once
    # What the user agreed to at signup.
    accepted_privacy_version = models.CharField(max_length=20, blank=True)
    accepted_terms_version = models.CharField(max_length=20, blank=True)
    accepted_policies_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class PersonalData:
        subject = "user"
        fields = {
            "email": Category.CONTACT,
            "full_name": Category.IDENTITY,
            "password": Category.CREDENTIAL,
            "totp_secret_encrypted": Category.CREDENTIAL,
            "last_login": Category.ACTIVITY,
            "email_verified_at": Category.ACTIVITY,
            "time_zone": Category.IDENTITY,
            "language": Category.IDENTITY,
            "photo": Category.IDENTITY,
        }
        on_erasure = Erasure.ANONYMIZE
        retention = "account"

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None

    @property
    def photo_url(self) -> str | None:
        """Where this user's own pages load their photo (the avatar in the shell's user menu), or None.

        The query changes with each new photo (its stored name is random), so a cached old one is never shown."""
        if not self.photo:
            return None
        from django.urls import reverse

        return f"{reverse('accounts:photo')}?v={self.photo.rsplit('/', 1)[-1][:8]}"

    @property
    def initials(self) -> str:
        words = (self.full_name or self.email).split()
        return "".join(w[0] for w in words[:2]).upper() or "?"

    def __str__(self):
        return self.email


class EmailCode(models.Model):
    """A 6-digit one-time code sent by email. Stored as a keyed hash; 10 minutes; 5 wrong tries burn it."""

    class Purpose(models.TextChoices):
        VERIFY_EMAIL = "verify_email"
        PASSWORD_RESET = "password_reset"
        CHANGE_EMAIL = "change_email"  # sent to the new address; the row holds that address until it is confirmed

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="email_codes")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    failed_attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    new_email = models.EmailField(blank=True)  # CHANGE_EMAIL only: the address the code was sent to

    class PersonalData:
        subject = "user"
        fields = {"code_hash": Category.CREDENTIAL, "new_email": Category.CONTACT}
        on_erasure = Erasure.DELETE
        retention = "security"
        export = False

    class Meta:
        indexes = [models.Index(fields=["user", "purpose", "-created_at"])]


class RecoveryCode(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class PersonalData:
        subject = "user"
        fields = {"code_hash": Category.CREDENTIAL}
        on_erasure = Erasure.DELETE
        retention = "account"
        export = False


class LoginAttempt(models.Model):
    """Sign-in attempts, for throttling (5 failures per account or 20 per IP in 15 minutes)."""

    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True)
    succeeded = models.BooleanField()
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class PersonalData:
        subject = "user"
        fields = {"email": Category.CONTACT, "ip_address": Category.TECHNICAL, "at": Category.ACTIVITY}
        on_erasure = Erasure.DELETE
        retention = "security"


class UserSession(models.Model):
    """A signed-in browser. The Django session holds our `public_id`; revoking here ends it."""

    public_id = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(max_length=40, blank=True)
    ip_address = models.GenericIPAddressField(null=True)
    user_agent = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    two_factor_passed = models.BooleanField(default=False)

    class PersonalData:
        subject = "user"
        fields = {
            "ip_address": Category.TECHNICAL,
            "user_agent": Category.TECHNICAL,
            "last_seen_at": Category.ACTIVITY,
        }
        not_personal = ("session_key",)
        on_erasure = Erasure.DELETE
        retention = "session"

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        if self.revoked_at is not None:
            return False
        idle = timezone.timedelta(minutes=settings.SESSION_IDLE_MINUTES)
        absolute = timezone.timedelta(hours=settings.SESSION_MAX_HOURS)
        return now - self.last_seen_at < idle and now - self.created_at < absolute

    @property
    def device(self) -> str:
        from .devices import describe

        return describe(self.user_agent)


class KnownDevice(models.Model):
    """A browser this user signed in from before, so a sign-in from any other one can be told to them.

    The browser keeps a random device id in a long-lived signed cookie (accounts/signin.py); only a keyed hash
    of it is stored, so this table alone cannot be used to pose as a known browser."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="known_devices")
    device_id_hash = models.CharField(max_length=64)
    label = models.CharField(max_length=80, blank=True)  # "Firefox on Linux", from the User-Agent
    first_seen_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class PersonalData:
        subject = "user"
        fields = {"device_id_hash": Category.CREDENTIAL, "label": Category.TECHNICAL,
                  "first_seen_at": Category.ACTIVITY, "last_seen_at": Category.ACTIVITY}
        on_erasure = Erasure.DELETE
        retention = "security"  # a browser unseen that long may be forgotten: a sign-in from it is then told again

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "device_id_hash"], name="known_device_unique")]


class ApiToken(WorkspaceOwned):
    """A named bearer token bound to one membership. Only a keyed hash is stored; shown once."""

    membership = models.ForeignKey("core.Membership", on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=12)  # shown in lists so people can tell tokens apart
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class PersonalData:
        subject = "user"
        fields = {"token_hash": Category.CREDENTIAL, "last_used_at": Category.ACTIVITY}
        not_personal = ("name",)  # a label the user gave the token
        on_erasure = Erasure.DELETE
        retention = "account"

    class Meta:
        base_manager_name = "all_workspaces"

    def is_live(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.expires_at > now
