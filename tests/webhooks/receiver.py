"""A real webhook receiver for tests: an HTTP(S) server on a loopback address, in a thread.

It checks each delivery's signature the way the README tells receivers to, counts the event ids it saw (a real
receiver deduplicates on them), and can answer 500 for the first N deliveries of each event, sleep past the
sender's timeout, or redirect.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import ssl
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def verify(secret: str, header: str, body: bytes, *, tolerance: int = 300) -> bool:
    """The receiver's check from the README: parse t and v1, recompute, compare in constant time, and refuse a
    timestamp more than five minutes away."""
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", "")) and abs(time.time() - timestamp) <= tolerance


@dataclass
class Seen:
    path: str
    headers: dict
    body: bytes
    verified: bool

    @property
    def payload(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    host: str = "127.0.0.1"
    secret: str | None = None
    fail_first: int = 0  # answer 500 to each event's first N deliveries
    sleep: float = 0.0  # wait this long before answering
    redirect: str | None = None  # answer 302 to this Location (formatted with the receiver's base URL)
    requests: list[Seen] = field(default_factory=list)
    ids: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    server: ThreadingHTTPServer | None = None
    scheme: str = "http"

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str = "/hook", host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    @property
    def unique(self) -> int:
        return len(self.ids)

    def handle(self, handler: BaseHTTPRequestHandler) -> tuple[int, dict, bytes]:
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in handler.headers.items()}
        verified = bool(self.secret) and verify(self.secret, headers.get("OORG-Signature", ""), body)
        event_id = headers.get("OORG-Event-Id", "")
        with self.lock:
            self.requests.append(Seen(handler.path, headers, body, verified))
            self.ids[event_id] += 1
            seen = self.ids[event_id]
        if self.redirect and handler.path == "/hook":
            return 302, {"Location": self.redirect.format(base=self.url(""))}, b""
        if seen <= self.fail_first:
            return 500, {}, b"receiver says no"
        if self.sleep:
            time.sleep(self.sleep)
        return 200, {"Content-Type": "text/plain"}, b"ok " + event_id.encode()


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        status, headers, body = self.server.receiver.handle(self)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the sender gave up waiting (a timeout test)

    def log_message(self, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass


def start(receiver: Receiver, *, tls: ssl.SSLContext | None = None) -> Receiver:
    server = _Server((receiver.host, 0), _Handler)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        receiver.scheme = "https"
    server.receiver = receiver
    receiver.server = server
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return receiver


def stop(receiver: Receiver) -> None:
    receiver.server.shutdown()
    receiver.server.server_close()


def tls_files(folder, names: list[str]) -> tuple[str, str, str]:
    """A test CA and a certificate for `names` it signed: (ca.pem, cert.pem, key.pem) in `folder`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OORG test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(days=1))
          .not_valid_after(now + dt.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                       content_commitment=False, key_encipherment=False, data_encipherment=False,
                                       key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = (folder / "ca.pem", folder / "cert.pem", folder / "key.pem")
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return tuple(str(p) for p in paths)
