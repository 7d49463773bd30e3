"""Helpers for page tests: a browser-like client signed in through the real sign-in page."""
from __future__ import annotations

from django.test import Client

from tests.conftest import PASSWORD


def sign_in(client: Client, email: str, password: str = PASSWORD, **extra) -> Client:
    response = client.post("/signin", {"email": email, "password": password}, **extra)
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def signed_in_client(user, **client_kwargs) -> Client:
    return sign_in(Client(**client_kwargs), user.email)


def text(response) -> str:
    return response.content.decode()
