"""One webhook POST over the network: to the checked address only, redirects followed by hand and checked again.

The standard library's http.client is enough, and it lets the connection go to the address addresses.vet()
checked while the Host header, TLS's SNI and the certificate check use the URL's host name: a name resolved
again by the HTTP library could answer a private address the second time (DNS rebinding). No proxy from the
environment is used. The whole attempt, redirects included, has one deadline (OORG_WEBHOOK_TIMEOUT).
"""
from __future__ import annotations

import http.client
import ssl
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin

from . import addresses

MAX_REDIRECTS = 3
REDIRECTS = {301, 302, 303, 307, 308}
EXCERPT_BYTES = 2048


@dataclass
class Outcome:
    url: str  # the address last requested
    status_code: int | None = None
    error: str = ""
    response_body: str = ""
    redirects: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300 and not self.error


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a given address, with SNI and the certificate checked against the URL's host name."""

    def __init__(self, address: str, port: int, *, server_hostname: str, timeout: float):
        super().__init__(address, port, timeout=timeout, context=ssl.create_default_context())
        self.server_hostname = server_hostname

    def connect(self):
        http.client.HTTPConnection.connect(self)  # TCP to self.host: the checked address
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.server_hostname)


class _Deadline:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        left = self.ends - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left


def post(url: str, body: bytes, headers: dict[str, str], *, timeout: float) -> Outcome:
    """POST `body` to `url`, following up to MAX_REDIRECTS redirects (the same body and headers again), each
    target checked first. Never raises for what the network or the receiver does: the Outcome says it."""
    deadline = _Deadline(timeout)
    outcome = Outcome(url=url)
    for hop in range(MAX_REDIRECTS + 1):
        outcome.url = url
        try:
            target = addresses.vet(url)
        except addresses.Unresolvable as exc:
            outcome.error = str(exc)
            return outcome
        except addresses.Refused as exc:
            outcome.error = f"refused: {exc}"
            return outcome
        try:
            status, location, excerpt = _request(target, body, headers, deadline)
        except TimeoutError:  # socket.timeout too
            outcome.error = f"timed out after {deadline.seconds:g} s"
            return outcome
        except ssl.SSLCertVerificationError as exc:
            outcome.error = f"TLS certificate not valid for {target.host}: {exc.verify_message or exc}"
            return outcome
        except ssl.SSLError as exc:
            outcome.error = f"TLS error: {exc.reason or exc}"
            return outcome
        except ConnectionRefusedError:
            outcome.error = f"connection refused by {target.host} port {target.port}"
            return outcome
        except http.client.HTTPException as exc:
            outcome.error = f"not a valid HTTP answer ({type(exc).__name__})"
            return outcome
        except OSError as exc:
            outcome.error = f"network error: {exc.strerror or exc}"
            return outcome
        outcome.status_code, outcome.response_body = status, excerpt
        if status in REDIRECTS and location:
            if hop == MAX_REDIRECTS:
                outcome.error = f"too many redirects (more than {MAX_REDIRECTS})"
                return outcome
            url = urljoin(url, location)
            outcome.redirects.append(url)
            continue
        if not 200 <= status < 300:
            outcome.error = f"HTTP {status}" + (f" {http.client.responses[status]}" if status in http.client.responses
                                                else "")
        return outcome
    return outcome


def _connect(target: addresses.Target, deadline: _Deadline) -> http.client.HTTPConnection:
    """A connection to the first of the checked addresses that answers (an IPv6 address first in DNS may be
    unreachable from here). Only connecting moves on to the next address: nothing has been sent yet."""
    for number, address in enumerate(target.addresses, 1):
        if target.scheme == "https":
            conn = _PinnedHTTPSConnection(address, target.port, server_hostname=target.host, timeout=deadline.left())
        else:
            conn = http.client.HTTPConnection(address, target.port, timeout=deadline.left())
        try:
            conn.connect()
            return conn
        except (ssl.SSLError, TimeoutError):
            conn.close()
            raise
        except OSError:
            conn.close()
            if number == len(target.addresses):
                raise
    raise ConnectionError("no address")  # unreachable: vet() gives at least one


def _request(target: addresses.Target, body: bytes, headers: dict, deadline: _Deadline) -> tuple[int, str, str]:
    conn = _connect(target, deadline)
    try:
        conn.request("POST", target.path, body=body, headers={**headers, "Host": target.host_header})
        sock = conn.sock  # getresponse() lets go of it when the answer closes the connection
        sock.settimeout(deadline.left())
        response = conn.getresponse()
        excerpt = _excerpt(response, sock, deadline)
        return response.status, response.getheader("Location") or "", excerpt
    finally:
        conn.close()


def _excerpt(response, sock, deadline: _Deadline) -> str:
    """The first EXCERPT_BYTES of the answer, read within the deadline (a receiver trickling bytes gains
    nothing); the rest is not read."""
    chunks, size = [], 0
    while size < EXCERPT_BYTES:
        sock.settimeout(deadline.left())
        chunk = response.read1(EXCERPT_BYTES - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")[:EXCERPT_BYTES]
