"""How to listen over HTTP: kept apart from serving/http.py so that reading options costs no imports."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # a tool call's arguments are a few KiB; 1 MiB leaves ample room
DEFAULT_MAX_CONCURRENT_CALLS = 64  # as many as the upstream client's connection pool holds
DEFAULT_DRAIN_SECONDS = 30


@dataclass(frozen=True)
class HttpOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    allow_remote: bool = False
    allowed_hosts: tuple[str, ...] = ()  # extra Host values accepted when serving beyond loopback
    # Each request brings its user's token (Authorization: Bearer); the server holds none, keeps no
    # session (stateless Streamable HTTP), so any number of replicas can serve the same clients.
    per_user_tokens: bool = False
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_concurrent_calls: int = DEFAULT_MAX_CONCURRENT_CALLS
    drain_seconds: int = DEFAULT_DRAIN_SECONDS  # on SIGTERM: how long calls in flight may still run
