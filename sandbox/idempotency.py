"""Idempotency-Key memory: replay a remembered 2xx for the same body, refuse another body."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from .errors import ApiError

KEY_TTL_SECONDS = 24 * 3600
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Remembered:
    fingerprint: str
    status: int
    payload: Any
    expires: float


def fingerprint(body: Any) -> str:
    """Bodies that parse to the same JSON count as the same body (key order and spacing ignored)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str | None) -> str:
    if key is None or not key.strip():
        raise ApiError(
            422,
            "missing Idempotency-Key header: every POST needs one (e.g. a UUID), reused on retries",
            fields={"Idempotency-Key": "required on every POST"},
        )
    if len(key) > MAX_KEY_LENGTH:
        raise ApiError(
            422, "Idempotency-Key is too long", fields={"Idempotency-Key": "at most 255 characters"}
        )
    return key


class IdempotencyCache:
    """Keys are scoped to (token, method, path) ([decided]); only 2xx responses are remembered."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str, str, str], Remembered] = {}
        self._lock = threading.Lock()

    def lookup(self, scope: tuple[str, str, str, str], body_fingerprint: str) -> Remembered | None:
        with self._lock:
            entry = self._entries.get(scope)
            if entry is None:
                return None
            if entry.expires < time.monotonic():
                del self._entries[scope]
                return None
        if entry.fingerprint != body_fingerprint:
            raise ApiError(409, "this Idempotency-Key was already used with a different body; use a new key")
        return entry

    def remember(
        self, scope: tuple[str, str, str, str], body_fingerprint: str, status: int, payload: Any
    ) -> None:
        with self._lock:
            expires = time.monotonic() + KEY_TTL_SECONDS
            self._entries[scope] = Remembered(body_fingerprint, status, payload, expires)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
