"""Test hooks, off unless enabled at start-up: a request log and fault injection.

Both sit in front of the whole app as plain ASGI, so a fault can answer before the API runs, or
after the API has committed a write (the response is then lost), or drop the connection.
"""

from __future__ import annotations

import asyncio
import fnmatch
import itertools
import json
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass
from typing import Any

from .errors import CODE_FOR_STATUS, ApiError
from .timeutil import now_ts

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

CONTROL_PREFIX = "/_sandbox"
MAX_LOG_ENTRIES = 5000
MAX_DELAY_SECONDS = 30.0


class DroppedConnection(Exception):
    """Raised to make the server close a connection mid-response (when it cannot be closed directly)."""


@dataclass
class Fault:
    id: int
    method: str  # upper-case, or "*"
    path: str  # exact path or a glob such as /api/v1/time-entries*
    times: int  # how many more matching requests it applies to
    status: int | None = None
    drop: bool = False
    delaySeconds: float = 0.0
    afterCommit: bool = False
    message: str | None = None
    retryAfter: int | None = None

    def matches(self, method: str, path: str) -> bool:
        return (self.method in ("*", method)) and (path == self.path or fnmatch.fnmatchcase(path, self.path))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_fault(spec: Any, fault_id: int) -> Fault:
    """A fault from its JSON spec, or 422 with a reason per field."""
    if not isinstance(spec, dict):
        raise ApiError(400, "the fault spec must be a JSON object")
    errors: dict[str, str] = {}
    known = {
        "method",
        "path",
        "times",
        "status",
        "drop",
        "delaySeconds",
        "afterCommit",
        "message",
        "retryAfter",
    }
    for name in set(spec) - known:
        errors[name] = "unknown field"
    path = spec.get("path")
    if not isinstance(path, str) or not path.startswith("/"):
        errors["path"] = "required: an absolute path, e.g. /api/v1/time-entries or /api/v1/time-entries*"
    method = spec.get("method", "*")
    if not isinstance(method, str) or not method:
        errors["method"] = "must be an HTTP method or *"
    times = spec.get("times", 1)
    if isinstance(times, bool) or not isinstance(times, int) or not 1 <= times <= 10_000:
        errors["times"] = "must be an integer from 1 to 10000"
    status = spec.get("status")
    if status is not None and (
        isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599
    ):
        errors["status"] = "must be an HTTP error status from 400 to 599"
    drop = spec.get("drop", False)
    if not isinstance(drop, bool):
        errors["drop"] = "must be true or false"
    delay = spec.get("delaySeconds", 0)
    if isinstance(delay, bool) or not isinstance(delay, int | float) or not 0 <= delay <= MAX_DELAY_SECONDS:
        errors["delaySeconds"] = f"must be a number of seconds from 0 to {MAX_DELAY_SECONDS:g}"
    after = spec.get("afterCommit", False)
    if not isinstance(after, bool):
        errors["afterCommit"] = "must be true or false"
    retry_after = spec.get("retryAfter")
    if retry_after is not None and (
        isinstance(retry_after, bool) or not isinstance(retry_after, int) or retry_after < 0
    ):
        errors["retryAfter"] = "must be a non-negative integer"
    message = spec.get("message")
    if message is not None and not isinstance(message, str):
        errors["message"] = "must be a string"
    if not errors and status is not None and drop:
        errors["drop"] = "choose either status or drop"
    if not errors and status is None and not drop and not delay:
        errors["status"] = "a fault needs a status, drop: true, or delaySeconds > 0"
    if errors:
        raise ApiError(422, "invalid fault spec", fields=errors)
    assert isinstance(path, str) and isinstance(method, str)
    return Fault(
        fault_id, method.upper(), path, times, status, drop, float(delay), after, message, retry_after
    )


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, spec: Any) -> Fault:
        fault = parse_fault(spec, next(self._ids))
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """The first fault matching this request, used up by one."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def active(self) -> list[dict[str, Any]]:
        with self._lock:
            return [f.to_json() for f in self._faults]

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


class RequestLog:
    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []
        self._seq = itertools.count(1)
        self._lock = threading.Lock()

    def add(self, entry: dict[str, Any]) -> None:
        with self._lock:
            entry["seq"] = next(self._seq)
            self._entries.append(entry)
            del self._entries[:-MAX_LOG_ENTRIES]

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._entries]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def redact_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """Headers by lower-case name; the bearer token is replaced by a marker and never stored."""
    headers: dict[str, str] = {}
    for name_b, value_b in raw:
        name, value = name_b.decode("latin-1").lower(), value_b.decode("latin-1")
        if name == "authorization":
            scheme = value.split(" ", 1)[0] if " " in value.strip() else ""
            value = f"{scheme} <redacted>".strip()
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


@dataclass
class Hooks:
    log_enabled: bool
    faults_enabled: bool
    log: RequestLog
    faults: FaultBook

    async def __call__(self, scope: Scope, receive: Receive, send: Send, app: ASGIApp) -> None:
        path = str(scope.get("path", ""))
        if (
            scope["type"] != "http"
            or path.startswith(CONTROL_PREFIX)
            or not (self.log_enabled or self.faults_enabled)
        ):
            await app(scope, receive, send)
            return
        body = await _read_body(receive)
        replay = _replaying(body, receive)
        method = str(scope["method"]).upper()
        fault = self.faults.take(method, path) if self.faults_enabled else None
        status: list[int] = []

        async def noting_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        try:
            if fault is None:
                await app(scope, replay, noting_send)
            else:
                await _apply(fault, scope, replay, receive, noting_send, send, app)
        finally:
            if self.log_enabled:
                self.log.add(
                    {
                        "time": now_ts(),
                        "method": method,
                        "path": path,
                        # As sent, before percent-decoding: what traversal checks must look at.
                        "rawPath": bytes(scope.get("raw_path") or path.encode()).decode("latin-1"),
                        "query": bytes(scope.get("query_string", b"")).decode("latin-1"),
                        "headers": redact_headers(list(scope.get("headers", []))),
                        "body": body.decode("utf-8", errors="replace") if body else None,
                        "status": status[0] if status else None,
                        "fault": fault.to_json() if fault else None,
                    }
                )


async def _apply(
    fault: Fault, scope: Scope, replay: Receive, receive: Receive, send: Send, raw_send: Send, app: ASGIApp
) -> None:
    """Delay, then fail (with a status or a dropped connection) or answer; after commit when asked."""
    held: list[Message] = []
    if fault.afterCommit:
        # Let the API run and commit, keep its response, then lose it (or deliver it late).
        async def hold(message: Message) -> None:
            held.append(message)

        await app(scope, replay, hold)
    if fault.delaySeconds:
        await asyncio.sleep(fault.delaySeconds)
    if fault.status is not None:
        await _send_error(fault, send)
    elif fault.drop:
        await _drop(receive, raw_send)
    elif fault.afterCommit:
        for message in held:
            await send(message)
    else:
        await app(scope, replay, send)


async def _send_error(fault: Fault, send: Send) -> None:
    status = fault.status or 500
    code = CODE_FOR_STATUS.get(status, "internal" if status >= 500 else "bad_request")
    headers: dict[str, str] = {}
    if fault.retryAfter is not None or status == 429:
        headers["Retry-After"] = str(fault.retryAfter if fault.retryAfter is not None else 1)
    error = ApiError(status, fault.message or f"injected fault: {status} {code}", code=code, headers=headers)
    response = error.to_response()
    await send(
        {"type": "http.response.start", "status": response.status_code, "headers": response.raw_headers}
    )
    await send({"type": "http.response.body", "body": response.body})


async def _drop(receive: Receive, send: Send) -> None:
    """Close the connection without sending a response."""
    # uvicorn passes its cycle's bound ``send``; its ``transport`` is the client socket.
    transport = getattr(getattr(send, "__self__", None), "transport", None)
    if transport is not None and callable(getattr(transport, "close", None)):
        transport.close()
        # Wait until the server has noticed, so it does not try to answer a closed connection.
        try:
            async with asyncio.timeout(2):
                while (await receive())["type"] != "http.disconnect":
                    pass
        except TimeoutError:
            pass
        return
    # Elsewhere: promise a body, send none, and fail, which makes the server abort the connection.
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"64")]})
    raise DroppedConnection("injected fault: connection dropped")


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def parse_json_body(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw.strip() else {}
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "malformed JSON body") from None
