"""OORG settings. Read only from OORG_* environment variables; each default is documented here."""
import ipaddress
import os
import secrets
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlparse

BASE_DIR = Path(__file__).resolve().parent


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _plan_cache_mode() -> str:
    mode = _env("OORG_DATABASE_PLAN_CACHE", "force_custom_plan")
    if mode not in ("auto", "force_custom_plan", "force_generic_plan"):
        raise ValueError("OORG_DATABASE_PLAN_CACHE: auto, force_custom_plan or force_generic_plan")
    return mode


def _flag(name: str, default: bool = False) -> bool:
    value = _env(name)
    return default if value is None else value.lower() in ("1", "true", "yes", "on")


# Everything OORG writes (database, broker, files, emails, anchors) is readable by its own user only.
os.umask(0o077)
# OORG_DATA_DIR (default ./var): database, uploaded files, outbox, generated secret key.
DATA_DIR = Path(_env("OORG_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
DATA_DIR.chmod(0o700)  # also a data dir made by an older release (then world-readable); nothing inside is reachable


def _secret_key() -> str:
    # OORG_SECRET_KEY (default: generated once into <data dir>/secret_key).
    configured = _env("OORG_SECRET_KEY")
    if configured:
        return configured
    path = DATA_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def _database(url: str) -> dict:
    # OORG_DATABASE_URL (default sqlite:///<data dir>/oorg.sqlite3); postgres://user:pass@host:port/db at scale.
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(parsed.path) if parsed.path not in ("", "/") else str(DATA_DIR / "oorg.sqlite3"),
            # One connection per worker thread, kept: opening one (and its PRAGMAs) per request cost ~0.7 ms.
            "CONN_MAX_AGE": None,
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of deadlocking.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            },
        }
    if parsed.scheme in ("postgres", "postgresql"):
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            # Persistent connections: measured to lift a one-row read from 0.30x to 0.49x of a bare endpoint.
            "CONN_MAX_AGE": 60,
            # No per-request "SELECT 1" health check: it was one extra round trip on every request. A
            # connection that died (database restart) fails one request per worker, then is replaced.
            "CONN_HEALTH_CHECKS": False,
            # Server-side binding lets PostgreSQL keep prepared plans of hot queries (token lookup):
            # /me went from 0.45x to 0.53x of a bare endpoint. Turn off with OORG_DATABASE_PREPARED=off
            # behind a pooler in transaction mode that cannot track prepared statements.
            "OPTIONS": ({"server_side_binding": True, "prepare_threshold": 2} if _flag("OORG_DATABASE_PREPARED", True)
                        else {}) | {
                # A prepared statement is planned once for every workspace ("generic plan") after five runs:
                # one plan for a workspace of 6 people and one of 100,000 nested-looped over the big one
                # (the directory's first page: 615-700 ms generic against 165 ms custom). Plan each run for
                # its own values instead; parsing is still saved. OORG_DATABASE_PLAN_CACHE=auto restores it.
                "options": f"-c plan_cache_mode={_plan_cache_mode()}"},
        }
    raise ValueError(f"OORG_DATABASE_URL: unsupported scheme {parsed.scheme!r} (use sqlite:/// or postgres://)")


SECRET_KEY = _secret_key()
# OORG_DEBUG (default off).
DEBUG = _flag("OORG_DEBUG")
# OORG_BASE_URL (default http://127.0.0.1:8000): links in emails, cookie security, allowed host.
BASE_URL = _env("OORG_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_base = urlparse(BASE_URL)
BEHIND_HTTPS = _base.scheme == "https"
ALLOWED_HOSTS = [_base.hostname or "127.0.0.1", "127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [BASE_URL]

DATABASES = {"default": _database(_env("OORG_DATABASE_URL", f"sqlite:///{DATA_DIR / 'oorg.sqlite3'}"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",  # htmx 2 as a static file (no CDN) and request.htmx
    "lucide",  # icons as inline SVG: {% icon "users" %} (web/templatetags/oorg_shell.py)
    "oorg.core",
    "oorg.accounts",
    "oorg.org",
    "oorg.workspaces",
    "oorg.notifications",
    "oorg.webhooks",
    "oorg.crm",
    "oorg.attendance",
    "oorg.leave",
    "oorg.web",
]

MIDDLEWARE = [
    "oorg.core.middleware.TrustedProxyMiddleware",
    "oorg.core.middleware.RequestLogMiddleware",
    "oorg.core.middleware.ApiJsonErrorsMiddleware",  # any error under /api/ answers JSON, 405 and 500 included
    # Before anything that reads the body (CSRF reads POST; the multipart parser spools files).
    "oorg.core.limits.BodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "oorg.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, so static files stay cacheable; every other answer may hold personal data.
    "oorg.core.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx: a view answers an htmx request with a partial
    "oorg.accounts.middleware.UserSessionMiddleware",
    "oorg.core.middleware.WorkspaceScopeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oorg.web.middleware.DomainErrorPageMiddleware",
    "oorg.web.middleware.FormOnlyGetMiddleware",  # a GET on a POST-only page URL goes to the page of its form
    "oorg.web.middleware.LocalTimeMiddleware",  # pages in the viewer's time zone (profile, else the workspace's)
]

ROOT_URLCONF = "oorg.urls"
WSGI_APPLICATION = "oorg.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oorg.web.context.shell",
                "oorg.notifications.context.notifications",  # the bell's count, read lazily
            ]
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:signin"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions: OORG_SESSION_IDLE_MINUTES (default 120) and OORG_SESSION_MAX_HOURS (default 720, 30 days).
SESSION_IDLE_MINUTES = int(_env("OORG_SESSION_IDLE_MINUTES", "120"))
SESSION_MAX_HOURS = int(_env("OORG_SESSION_MAX_HOURS", "720"))
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = BEHIND_HTTPS
SESSION_COOKIE_NAME = "oorg_session"
CSRF_COOKIE_SECURE = BEHIND_HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "oorg.web.views.csrf_failure"
# Flash messages ride in the server-side session, not in a cookie of their own.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
# OORG_MAX_BODY_BYTES (default 2 MiB): the largest request body any address takes; routes that accept a
# file raise it for themselves (core/limits.allow_upload). Larger bodies get 413 before a byte is read.
MAX_BODY_BYTES = int(_env("OORG_MAX_BODY_BYTES", str(2 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = MAX_BODY_BYTES
DATA_UPLOAD_MAX_NUMBER_FILES = 10
# OORG_API_TOKEN_DAYS (default 90): lifetime of a new API token.
API_TOKEN_DAYS = int(_env("OORG_API_TOKEN_DAYS", "90"))
# OORG_WEBHOOKS_ALLOW_PRIVATE (default off): webhooks may go to private, loopback and link-local addresses and over
# plain http. Off, only https URLs on public addresses are accepted and delivered to (webhooks/addresses.py).
WEBHOOKS_ALLOW_PRIVATE = _flag("OORG_WEBHOOKS_ALLOW_PRIVATE")
# OORG_WEBHOOK_TIMEOUT (default 10): seconds one webhook delivery attempt may take, redirects included.
WEBHOOK_TIMEOUT = float(_env("OORG_WEBHOOK_TIMEOUT", "10"))

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_HSTS_SECONDS = 31536000 if BEHIND_HTTPS else 0
# OORG_TRUSTED_PROXIES (default none): comma-separated addresses or networks of the proxies in front of OORG.
# Only a request from one of them may say, with X-Forwarded-Proto and X-Forwarded-For, that the client used
# HTTPS and who the client is; from anyone else those headers are dropped (core/middleware.TrustedProxyMiddleware).
TRUSTED_PROXIES = [ipaddress.ip_network(a.strip(), strict=False)
                   for a in (_env("OORG_TRUSTED_PROXIES") or "").split(",") if a.strip()]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_HTTPS else None
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en"
# The languages the interface is written in, offered as each user's language (accounts profile). Only English so
# far; add a language here when its translations land (and turn USE_I18N on).
LANGUAGES = [("en", "English")]
TIME_ZONE = "UTC"
USE_TZ = True
USE_I18N = False

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # collectstatic target; whitenoise serves from the finders too
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "files"
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700


def _storages(url: str | None) -> dict:
    # OORG_STORAGE_URL (default unset: files on disk under <data dir>/files);
    # s3://BUCKET?endpoint_url=http://host:port&region=REGION at scale. Keys: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    default = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    if url:
        parsed = urlparse(url)
        if parsed.scheme != "s3" or not parsed.netloc:
            raise ValueError("OORG_STORAGE_URL must look like s3://BUCKET?endpoint_url=...&region=...")
        query = dict(parse_qsl(parsed.query))
        default = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {
            "bucket_name": parsed.netloc,
            "endpoint_url": query.get("endpoint_url"),
            "region_name": query.get("region"),
            # Files are private: no public ACL, signed URLs only, and a name clash never replaces a file.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        }}
    return {"default": default, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


STORAGES = _storages(_env("OORG_STORAGE_URL"))

# Email: OORG_SMTP_URL (smtp://[user:pass@]host:port, smtps:// for TLS); unset writes .eml files to <data dir>/outbox/.
DEFAULT_FROM_EMAIL = _env("OORG_FROM_EMAIL", "OORG <no-reply@oorg.localhost>")
_smtp = _env("OORG_SMTP_URL")
if _smtp:
    _s = urlparse(_smtp)
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _s.hostname or "127.0.0.1"
    EMAIL_PORT = _s.port or (465 if _s.scheme == "smtps" else 25)
    EMAIL_HOST_USER = unquote(_s.username or "")
    EMAIL_HOST_PASSWORD = unquote(_s.password or "")
    EMAIL_USE_SSL = _s.scheme == "smtps"
    EMAIL_USE_TLS = _s.scheme == "smtp+starttls"
    EMAIL_TIMEOUT = 20
else:
    EMAIL_BACKEND = "oorg.core.mail.OutboxBackend"
OUTBOX_DIR = DATA_DIR / "outbox"
# Signed audit checkpoints (`oorg audit anchor`, every 10 minutes); copied to the object store when one is set.
AUDIT_ANCHOR_DIR = DATA_DIR / "audit-anchors"

# Background jobs: OORG_REDIS_URL (unset: a serverless SQLite broker in the data dir, worked by `oorg serve`).
REDIS_URL = _env("OORG_REDIS_URL")
# The embedded broker is kombu's SQLAlchemy transport, changed to delete a message once delivered (core/broker.py).
CELERY_BROKER_URL = REDIS_URL or f"oorgsql+sqlite:///{DATA_DIR / 'broker.sqlite3'}"
CELERY_TASK_ALWAYS_EAGER = _flag("OORG_TASKS_EAGER")
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_IGNORE_RESULT = True
# Periodic jobs: run by `oorg worker --beat` (one process at scale) or the embedded worker of `oorg serve`.
CELERY_BEAT_SCHEDULE = {
    "purge-stale-uploads": {"task": "core.purge_stale_uploads", "schedule": 3600.0},
    # A signed checkpoint of every audit chain head, outside the database (core/audit_anchors.py).
    "anchor-audit-chains": {"task": "core.anchor_audit_chains", "schedule": 600.0},
    # Emails whose task was lost (a crash between commit and queueing) are queued again (core/mail.py).
    "resend-unsent-emails": {"task": "core.resend_unsent_emails", "schedule": 300.0},
    # Background jobs whose message was lost are sent again; those whose worker died are failed (core/jobs.py).
    "recover-stale-jobs": {"task": "core.recover_stale_jobs", "schedule": 300.0},
    # Events whose dispatch task was lost are handed to their consumers again; old ones go (core/events.py).
    "redispatch-stuck-events": {"task": "core.redispatch_stuck_events", "schedule": 60.0},
    # Notification emails that are due (digests, the end of quiet hours, lost tasks) (notifications/emails.py).
    "send-due-notification-emails": {"task": "notifications.send_due_emails", "schedule": 60.0},
    # Notifications past their retention (read: 90 days after; unread: a year) (notifications/services.py).
    "purge-old-notifications": {"task": "notifications.purge_old_notifications", "schedule": 3600.0},
    # Webhook deliveries that are due (retries, lost tasks, expired claims) are queued; old ones go (webhooks/sweep.py).
    "send-due-webhooks": {"task": "webhooks.send_due", "schedule": 60.0},
    # Reminders of CRM activities whose time came, each sent once (crm/services/reminders.py).
    "crm-send-due-reminders": {"task": "crm.send_due_reminders", "schedule": 60.0},
    # Leave grants, monthly accruals, carry-over and its expiry, each written once (leave/services/accrual.py).
    "leave-run-accruals": {"task": "leave.run_accruals", "schedule": 86400.0},
    # Sessions nobody clocked out of are closed at the shift's end and flagged (attendance/tasks.py).
    "attendance-close-forgotten-sessions": {"task": "attendance.close_forgotten_sessions", "schedule": 900.0},
    # Yesterday's (local) day of every employee is computed, so absences show (attendance/tasks.py).
    "attendance-close-days": {"task": "attendance.close_days", "schedule": 3600.0},
}
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")

if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "oorg.request": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "oorg": {"handlers": ["console"], "level": "INFO"},
    },
}
