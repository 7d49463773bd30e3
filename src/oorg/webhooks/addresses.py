"""Where a webhook may go: `https` URLs on public addresses only (no server-side request forgery).

A URL is checked when a subscription is saved and again before every request: its name is resolved, every
address it resolves to must be public (not private, loopback, link-local, shared, multicast, reserved or
unspecified; an IPv4 address inside IPv6 counts as itself), and the request then goes to the address that was
checked, never to a second resolution (a name that answers differently the second time, "DNS rebinding", gains
nothing). Each redirect's target is checked the same way (delivery.py).

The operator setting OORG_WEBHOOKS_ALLOW_PRIVATE=1 (tests, development) lets private addresses and plain http
through.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

MAX_URL_LENGTH = 2000
SHARED = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT: not global, not "private" either


class Refused(Exception):
    """The URL or its address may not be called; the message says why, for the user and the delivery log."""


class Unresolvable(Refused):
    """The host name resolves to no address (right now)."""


class NotPublic(Refused):
    """The URL names, or its host resolves to, an address that is not public."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str  # as the URL names it (IDNA-encoded): the Host header, TLS's SNI and certificate check
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # the checked addresses to connect to, in the resolver's order

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        default = 443 if self.scheme == "https" else 80
        return host if self.port == default else f"{host}:{self.port}"


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False))


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a URL a webhook may name, or Refused."""
    if not isinstance(url, str) or not url.strip():
        raise Refused("Enter the URL of your endpoint.")
    url = url.strip()
    if len(url) > MAX_URL_LENGTH:
        raise Refused(f"A URL has at most {MAX_URL_LENGTH} characters.")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise Refused("A URL cannot contain spaces or control characters.")
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    schemes = ("https", "http") if allow_private() else ("https",)
    if scheme not in schemes:
        raise Refused("Only https URLs are accepted." if scheme in ("http", "https")
                      else "Only https URLs are accepted (this one is not a web address).")
    if "@" in parts.netloc:
        raise Refused("A URL with a user name or password in it is not accepted; put credentials in the path.")
    if not parts.hostname:
        raise Refused("The URL names no host.")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        raise Refused("The URL's port is not a number between 1 and 65535.") from None
    if not 0 < port < 65536:
        raise Refused("The URL's port is not a number between 1 and 65535.")
    try:
        host = parts.hostname.encode("idna").decode("ascii") if not _is_ip(parts.hostname) else parts.hostname
    except UnicodeError:
        raise Refused(f"{parts.hostname} is not a valid host name.") from None
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port, path


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def problem_with(address) -> str | None:
    """Why a webhook may not go to this address ("a loopback address"), or None when it is public."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            inner = problem_with(embedded)
            return f"{inner} inside IPv6" if inner else None
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_loopback:
        return "a loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_reserved:
        return "a reserved address"
    if isinstance(ip, ipaddress.IPv4Address) and ip in SHARED:
        return "a shared (carrier-grade NAT) address"
    if ip.is_private:
        return "a private address"
    if not ip.is_global:
        return "not a public address"
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, in the resolver's order; Refused when it resolves to none."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise Unresolvable(f"could not resolve {host} ({getattr(exc, 'strerror', None) or exc})") from None
    found = []
    for _family, _type, _proto, _name, sockaddr in infos:
        address = str(sockaddr[0]).split("%", 1)[0]  # an IPv6 scope ("fe80::1%eth0") is no part of the address
        if address not in found:
            found.append(address)
    if not found:
        raise Unresolvable(f"could not resolve {host}")
    return found


def check_addresses(host: str, addresses: list[str]) -> None:
    """Refused unless every address is public (or private ones are allowed)."""
    if allow_private():
        return
    for address in addresses:
        problem = problem_with(address)
        if problem:
            if address == host:
                raise NotPublic(f"{address} is {problem}")
            raise NotPublic(f"{host} resolves to {address}, {problem}")


def vet(url: str) -> Target:
    """The checked target of a request to `url`: resolved once, every address public. Refused otherwise."""
    scheme, host, port, path = parse(url)
    addresses = resolve(host, port)
    check_addresses(host, addresses)
    return Target(scheme, host, port, path, tuple(addresses))


def check_subscription_url(url: str) -> str:
    """The URL as stored, when a webhook may name it. A name that does not resolve right now is accepted (DNS
    may be on its way; every delivery checks again); one that resolves to a non-public address is not."""
    _scheme, host, port, _path = parse(url)
    try:
        addresses = resolve(host, port)
    except Unresolvable:
        return url.strip()
    check_addresses(host, addresses)
    return url.strip()
