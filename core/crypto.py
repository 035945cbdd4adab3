"""Encryption at rest and lookup hashes for high-risk personal data (DESIGN.md §6)."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@lru_cache(maxsize=4)
def _fernet(key: str) -> Fernet:
    return Fernet(key.encode())


@lru_cache(maxsize=4)
def _decrypter(key: str, old_keys: tuple[str, ...]) -> MultiFernet:
    """The current key first, then the keys being rotated out (manage.py rotate_field_key)."""
    return MultiFernet([_fernet(key), *(_fernet(old) for old in old_keys)])


def encrypt(value: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        old_keys = tuple(getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", ()))
        return _decrypter(settings.FIELD_ENCRYPTION_KEY, old_keys).decrypt(token.encode()).decode()
    except InvalidToken as exc:  # wrong key or corrupted column: never return ciphertext as data
        raise ValueError("no configured FIELD_ENCRYPTION_KEY or OLD_KEYS decrypts the value") from exc


def lookup_hash(value: str) -> str:
    """Keyed hash of a normalised value, for exact-match search without decrypting."""
    key = hashlib.sha256(b"lookup:" + settings.FIELD_ENCRYPTION_KEY.encode()).digest()
    return hmac.new(key, value.strip().upper().encode(), hashlib.sha256).hexdigest()
