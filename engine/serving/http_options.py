"""How to listen over HTTP: kept apart from serving/http.py so that reading options costs no imports."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HttpOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    allow_remote: bool = False
    allowed_hosts: tuple[str, ...] = ()  # extra Host values accepted when serving beyond loopback
