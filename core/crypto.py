"""Encryption at rest and lookup hashes for high-risk personal data (DESIGN.md §6)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


def encrypt(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or corrupted column: never return ciphertext as data
        raise ValueError("encrypted value cannot be decrypted with FIELD_ENCRYPTION_KEY") from exc


def lookup_hash(value: str) -> str:
    """Keyed hash of a normalised value, for exact-match search without decrypting."""
    key = hashlib.sha256(b"lookup:" + settings.FIELD_ENCRYPTION_KEY.encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()
