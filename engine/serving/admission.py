"""What one HTTP server process takes on: bounded request bodies and a bounded number of tool calls.

- A body over `max_body_bytes` is refused with 413 before it is read whole (by its Content-Length when
  it declares one, else as soon as the bytes read pass the bound).
- At most `max_calls` `tools/call` requests run at once; one more gets 503 with `Retry-After`, at once
  and before any work, so a client (or a load balancer) can try again or elsewhere. Other requests
  (initialize, tools/list, ping) cost nothing upstream and are not counted.

The body is read here (bounded) to see which method it carries, then handed on unchanged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from .asgi_bodies import read_body, replaying

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 1


class TooLarge(Exception):
    pass


class Admission:
    def __init__(self, app: ASGIApp, path: str, max_body_bytes: int, max_calls: int) -> None:
        self._app = app
        self._path = path
        self._max_body = max_body_bytes
        self.max_calls = max_calls
        self.calls_in_flight = 0  # one event loop: a plain counter is enough

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self._path or scope["method"] != "POST":
            await self._app(scope, receive, send)
            return
        try:
            body = await self._read_body(scope, receive)
        except TooLarge:
            await _answer(send, 413, f"the request body is larger than {self._max_body} bytes")
            return
        replay = replaying(body, receive)
        if _method_of(body) != "tools/call":
            await self._app(scope, replay, send)
            return
        if self.calls_in_flight >= self.max_calls:
            log.warning("refused a tool call: %d calls already running (the limit)", self.calls_in_flight)
            await _answer(
                send,
                503,
                f"this server is running its limit of {self.max_calls} tool calls; retry shortly",
                [(b"retry-after", str(RETRY_AFTER_SECONDS).encode())],
            )
            return
        self.calls_in_flight += 1
        try:
            await self._app(scope, replay, send)
        finally:
            self.calls_in_flight -= 1

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self._max_body:
            raise TooLarge
        body = await read_body(receive, self._max_body)
        if body is None:
            raise TooLarge
        return body


def _method_of(body: bytes) -> Any:
    try:
        message = json.loads(body)
    except (ValueError, RecursionError):
        return None  # the MCP server answers a malformed body itself
    return message.get("method") if isinstance(message, dict) else None


async def _answer(
    send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"jsonrpc": "2.0", "id": None, "error": {"code": -32000, "message": message}})
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), *(headers or [])],
        }
    )
    await send({"type": "http.response.body", "body": body.encode("utf-8")})
