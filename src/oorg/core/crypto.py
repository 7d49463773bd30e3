"""Secrets at rest and short codes.

`encrypt`/`decrypt`: Fernet keyed from SECRET_KEY (MultiFernet, so OORG_OLD_SECRET_KEYS can keep
old keys readable during a rotation). `hash_code`: keyed HMAC for one-time codes and tokens,
so a copied database alone does not let anyone test codes offline.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(("fernet:" + key).encode()).digest()))


def _multi() -> MultiFernet:
    old = [k for k in os.environ.get("OORG_OLD_SECRET_KEYS", "").split(",") if k]
    return MultiFernet([_fernet(settings.SECRET_KEY)] + [_fernet(k) for k in old])


def encrypt(text: str) -> str:
    return _multi().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _multi().decrypt(token.encode()).decode()


def hash_code(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def numeric_code(digits: int = 6) -> str:
    return f"{secrets.randbelow(10**digits):0{digits}d}"


def constant_time_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
