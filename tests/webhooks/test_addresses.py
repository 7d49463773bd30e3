"""Webhooks go to https URLs on public addresses only: refused when a webhook is saved and again before every
request (after resolving the name, and on every redirect), unless OORG_WEBHOOKS_ALLOW_PRIVATE is on."""
from __future__ import annotations

import socket
import ssl

import pytest

from oorg.core.tenancy import workspace_scope
from oorg.webhooks import addresses, services
from oorg.webhooks.models import WebhookAttempt, WebhookSubscription

from . import receiver as receivers
from .conftest import emit_pings, subscribe

PUBLIC = "93.184.216.34"


@pytest.fixture
def private_off(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.WEBHOOK_TIMEOUT = 2
    return settings


@pytest.fixture
def fake_dns(monkeypatch):
    """Names of our choosing resolve to addresses of our choosing; everything else as usual."""
    names: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in names:
            return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                    for a in names[host]]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return names


@pytest.mark.parametrize("address, problem", [
    ("127.0.0.1", "a loopback address"),
    ("127.8.9.10", "a loopback address"),
    ("::1", "a loopback address"),
    ("10.0.0.1", "a private address"),
    ("172.16.5.4", "a private address"),
    ("192.168.1.1", "a private address"),
    ("fd00::1", "a private address"),
    ("169.254.169.254", "a link-local address"),
    ("fe80::1", "a link-local address"),
    ("100.64.0.1", "a shared (carrier-grade NAT) address"),
    ("0.0.0.0", "an unspecified address"),
    ("::", "an unspecified address"),
    ("224.0.0.1", "a multicast address"),
    ("240.0.0.1", "a reserved address"),
    ("::ffff:127.0.0.1", "a loopback address inside IPv6"),
    ("::ffff:169.254.169.254", "a link-local address inside IPv6"),
    ("2002:7f00:1::", "a loopback address inside IPv6"),
    ("192.0.2.1", "a private address"),  # documentation range: not on the internet
    (PUBLIC, None),
    ("2606:4700:4700::1111", None),
])
def test_the_address_classifier(address, problem):
    assert addresses.problem_with(address) == problem


@pytest.mark.parametrize("url, message", [
    ("https://127.0.0.1/hook", "127.0.0.1 is a loopback address"),
    ("https://10.0.0.1/hook", "10.0.0.1 is a private address"),
    ("https://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ("https://[::1]:8443/hook", "::1 is a loopback address"),
    ("https://[::ffff:10.1.2.3]/", "a private address inside IPv6"),
    ("https://0.0.0.0/", "an unspecified address"),
    ("https://localhost/hook", "localhost resolves to 127.0.0.1, a loopback address"),
    ("http://hooks.example.test/hook", "Only https URLs are accepted."),
    ("ftp://hooks.example.test/hook", "Only https URLs are accepted"),
    ("https://user:pass@hooks.example.test/", "user name or password"),
    ("https:///nohost", "names no host"),
    ("https://hooks.example.test:99999/", "port"),
    ("https://hooks.example.test/a b", "spaces"),
])
def test_creation_refuses_what_is_not_https_on_a_public_address(workspace, owner, api_client, private_off, url,
                                                                 message):
    response = api_client(owner, workspace).post("/webhooks", {"url": url, "events": ["*"]})

    assert response.status_code == 422, response.content
    assert response.json()["field"] == "url"
    assert message in response.json()["detail"]
    with workspace_scope(workspace):
        assert not WebhookSubscription.objects.exists()


def test_a_name_with_any_private_address_is_refused(workspace, owner, api_client, private_off, fake_dns):
    fake_dns["mixed.test"] = [PUBLIC, "10.9.8.7"]
    fake_dns["public.test"] = [PUBLIC]
    client = api_client(owner, workspace)

    refused = client.post("/webhooks", {"url": "https://mixed.test/hook", "events": ["*"]})
    accepted = client.post("/webhooks", {"url": "https://public.test/hook", "events": ["*"]})

    assert refused.status_code == 422 and "mixed.test resolves to 10.9.8.7, a private address" in (
        refused.json()["detail"])
    assert accepted.status_code == 201


def test_a_name_that_does_not_resolve_yet_is_accepted(workspace, owner, api_client, private_off):
    response = api_client(owner, workspace).post("/webhooks", {"url": "https://hooks.example.test/x", "events": ["*"]})

    assert response.status_code == 201  # DNS may be on its way; each delivery checks again


def _attempt_errors(workspace) -> list[str]:
    with workspace_scope(workspace):
        return list(WebhookAttempt.objects.order_by("pk").values_list("error", flat=True))


def test_delivery_checks_again_after_resolving(workspace, owner_actor, private_off, fake_dns, ping_type):
    """Public when saved, loopback when delivered (a changed DNS record, or DNS rebinding): refused, not sent."""
    fake_dns["rebind.test"] = [PUBLIC]
    subscribe(owner_actor, "https://rebind.test/hook")
    fake_dns["rebind.test"] = ["127.0.0.1"]

    emit_pings(owner_actor, 1)

    assert _attempt_errors(workspace) == ["refused: rebind.test resolves to 127.0.0.1, a loopback address"]


def test_delivery_refuses_plain_http_and_private_addresses_once_the_setting_is_off(workspace, owner_actor, receiver,
                                                                                   ping_type, settings):
    subscribe(owner_actor, receiver.url(), receiver=receiver)  # made while private addresses were allowed
    subscribe(owner_actor, receiver.url().replace("http://", "https://"))
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    emit_pings(owner_actor, 1)

    assert sorted(_attempt_errors(workspace)) == ["refused: 127.0.0.1 is a loopback address",
                                                  "refused: Only https URLs are accepted."]
    assert receiver.requests == []


# --- https, to the checked address, with the certificate checked against the name -------------------------------


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch, fake_dns, settings):
    """An https receiver on 127.0.0.1 with a certificate for hooks.test from a test CA the sender trusts."""
    ca, cert, key = receivers.tls_files(tmp_path, ["hooks.test"])
    monkeypatch.setenv("SSL_CERT_FILE", ca)  # what ssl.create_default_context() trusts
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    fake_dns["hooks.test"] = ["127.0.0.1"]
    fake_dns["other.test"] = ["127.0.0.1"]
    settings.WEBHOOK_TIMEOUT = 2
    found = receivers.start(receivers.Receiver(), tls=context)
    yield found
    receivers.stop(found)


def test_https_goes_to_the_checked_address_with_the_name_for_tls(workspace, owner_actor, tls_receiver, settings,
                                                                  ping_type):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    subscribe(owner_actor, tls_receiver.url(host="hooks.test"), receiver=tls_receiver)
    subscribe(owner_actor, tls_receiver.url(host="other.test"))  # the same server: its certificate is not for it

    emit_pings(owner_actor, 1)

    assert len(tls_receiver.requests) == 1 and tls_receiver.requests[0].verified
    assert tls_receiver.requests[0].headers["Host"] == f"hooks.test:{tls_receiver.port}"
    errors = sorted(_attempt_errors(workspace))
    assert errors[0] == "" and errors[1].startswith("TLS certificate not valid for other.test")


def test_a_redirect_to_a_private_address_is_refused(workspace, owner_actor, tls_receiver, private_off, monkeypatch,
                                                    ping_type):
    real = addresses.problem_with
    monkeypatch.setattr(addresses, "problem_with", lambda a: None if str(a) == "127.0.0.1" else real(a))
    subscribe(owner_actor, tls_receiver.url(host="hooks.test"), receiver=tls_receiver)
    tls_receiver.redirect = f"https://127.0.0.2:{tls_receiver.port}/hook"

    emit_pings(owner_actor, 1)

    assert len(tls_receiver.requests) == 1  # the first host only: the redirect's target was never called
    assert _attempt_errors(workspace) == ["refused: 127.0.0.2 is a loopback address"]
    with workspace_scope(workspace):
        attempt = WebhookAttempt.objects.get()
    assert attempt.url == f"https://127.0.0.2:{tls_receiver.port}/hook" and attempt.status_code == 302


def test_redirects_are_followed_with_the_same_signed_body(workspace, owner_actor, receiver, ping_type):
    receiver.redirect = "{base}/moved"
    subscribe(owner_actor, receiver.url(), receiver=receiver)

    emit_pings(owner_actor, 1)

    assert [seen.path for seen in receiver.requests] == ["/hook", "/moved"]
    first, second = receiver.requests
    assert second.verified and second.body == first.body
    assert second.headers["OORG-Signature"] == first.headers["OORG-Signature"]


def test_more_than_three_redirects_fail_the_attempt(workspace, owner_actor, receiver, ping_type):
    receiver.redirect = "{base}/hook"  # to itself, for ever
    subscribe(owner_actor, receiver.url(), receiver=receiver)

    emit_pings(owner_actor, 1)

    assert len(receiver.requests) == 4 and _attempt_errors(workspace) == ["too many redirects (more than 3)"]


def test_a_refused_url_at_creation_through_the_service(workspace, owner_actor, private_off):
    from oorg.core.errors import ValidationFailed

    with workspace_scope(workspace), pytest.raises(ValidationFailed) as refused:
        services.create_subscription(owner_actor, url="https://127.0.0.1/", events=[])

    assert {p.field for p in refused.value.problems} == {"url", "events"}  # every problem at once


def test_an_address_that_does_not_answer_gives_way_to_the_next_checked_one(workspace, owner_actor, receiver,
                                                                           fake_dns, ping_type):
    fake_dns["dual.test"] = ["127.0.0.2", "127.0.0.1"]  # the receiver listens on the second only
    subscribe(owner_actor, receiver.url(host="dual.test"), receiver=receiver)

    emit_pings(owner_actor, 1)

    assert len(receiver.requests) == 1 and receiver.requests[0].verified
    assert receiver.requests[0].headers["Host"] == f"dual.test:{receiver.port}"
    assert _attempt_errors(workspace) == [""]
