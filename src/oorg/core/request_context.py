"""Per-request facts that services record (client IP, user agent) without threading them through every call."""
from contextvars import ContextVar

client_ip: ContextVar[str | None] = ContextVar("oorg_client_ip", default=None)
user_agent: ContextVar[str] = ContextVar("oorg_user_agent", default="")


def ip_of(request) -> str | None:
    # Behind a proxy, configure it to set REMOTE_ADDR (gunicorn --forwarded-allow-ips); never trust raw XFF here.
    return request.META.get("REMOTE_ADDR") or None
