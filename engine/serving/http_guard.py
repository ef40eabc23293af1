"""What stands in front of the SDK's Streamable HTTP app: exact Host/Origin, a bounded session table, and
every POSTed message judged as stdio's lines are.

- Host and Origin are compared whole (scheme, host and port), where the SDK's `name:*` entries matched
  by prefix (`127.0.0.1:8765.evil.example` passed).
- Sessions: any client could open sessions until the SDK's 10,000 were taken, then every client got 503
  for 30 minutes. Here a new session is never refused: when MAX_SESSIONS are open, the least recently
  used one is ended first (idle ones before those with a request in flight); one remote address keeps at
  most PER_PEER_SESSIONS (its own oldest goes first); a session idle for IDLE_SECONDS ends. An ended
  session's client gets 404 and starts a new one, as the protocol says. Loopback clients cannot be told
  apart (one address), so on loopback only the total applies: a local process can make other local
  clients reconnect, never lock them out or grow the table.
- A POST body is judged by serving/jsonrpc_lines.py before the SDK sees it: the SDK answers a batch or
  params given as a list with pydantic's text and no id, and takes `"id": true` for a notification
  (202, no answer). A request with an id gets one answer; a body that is no message gets a 400 with a
  JSON-RPC error of id null, as the transport spec allows.
A session ends the way a client ends one: a DELETE with its id, sent to the SDK's app.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from ..calls.redaction import Redactor
from ..manifest.hosts import is_loopback_host
from .asgi_bodies import read_body, replaying
from .jsonrpc_lines import MAX_MESSAGE_BYTES, Judged, encode, judge_line

log = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_SESSIONS = 64
PER_PEER_SESSIONS = 16
IDLE_SECONDS = 600.0
SESSION_HEADER = b"mcp-session-id"


def allowed_hosts_and_origins(
    host: str, port: int, remote_names: tuple[str, ...]
) -> tuple[frozenset[str], frozenset[str]]:
    """The Host values and Origins accepted, all exact. Loopback names with the served port; the served
    host (with --allow-remote) and each --allowed-host with the served port, or bare (a proxy on the
    scheme's default port), or NAME:PORT exactly as given."""
    hosts: set[str] = set()
    origins: set[str] = set()

    def add(name: str, ports: tuple[int | None, ...], schemes: tuple[str, ...]) -> None:
        shown = f"[{name}]" if ":" in name and not name.startswith("[") else name
        for served in ports:
            hosts.add(shown.lower() if served is None else f"{shown.lower()}:{served}")
            for scheme in schemes:
                origins.add(_origin(scheme, shown.lower(), served))

    for name in ("127.0.0.1", "localhost", "::1"):
        add(name, (port,) if port != 80 else (port, None), ("http",))
    # --allowed-host counts on loopback too: a reverse proxy in front passes its public name on as Host.
    served_at = () if is_loopback_host(host) else (host,)
    for name in (*served_at, *remote_names):
        named, _, given_port = name.rpartition(":") if name.count(":") == 1 else ("", "", "")
        if given_port.isdigit():
            add(named, (int(given_port),), ("http", "https"))
        else:
            add(name.strip("[]"), (port, None), ("http", "https"))
    return frozenset(hosts), frozenset(origins)


_DEFAULT_PORTS = {"http": 80, "https": 443}


def _origin(scheme: str, host: str, port: int | None) -> str:
    """An origin as browsers send it: the port left out when it is the scheme's default."""
    if port is None or port == _DEFAULT_PORTS.get(scheme):
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


@dataclass
class _Session:
    peer: str
    last_used: float
    in_flight: int = 0


@dataclass
class SessionTable:
    """The sessions the SDK holds, as seen from outside: who opened each, when it was last used."""

    max_sessions: int = MAX_SESSIONS
    per_peer: int = PER_PEER_SESSIONS
    idle_seconds: float = IDLE_SECONDS
    sessions: dict[str, _Session] = field(default_factory=dict)

    def to_end_before_admitting(self, peer: str, now: float) -> list[str]:
        """The sessions to end so a new one from `peer` fits (they are forgotten here at once)."""
        ending = [
            sid
            for sid, s in self.sessions.items()
            if not s.in_flight and now - s.last_used > self.idle_seconds
        ]
        for sid in ending:
            del self.sessions[sid]
        own = [sid for sid, s in self.sessions.items() if s.peer == peer]
        if not is_loopback_host(peer) and len(own) >= self.per_peer:
            ending += self._forget_least_recent(own, len(own) - self.per_peer + 1)
        if len(self.sessions) >= self.max_sessions:
            ending += self._forget_least_recent(
                list(self.sessions), len(self.sessions) - self.max_sessions + 1
            )
        return ending

    def _forget_least_recent(self, candidates: list[str], count: int) -> list[str]:
        order = sorted(
            candidates, key=lambda sid: (self.sessions[sid].in_flight > 0, self.sessions[sid].last_used)
        )
        chosen = order[:count]
        for sid in chosen:
            del self.sessions[sid]
        return chosen


class HttpGuard:
    """ASGI middleware around the SDK's app (see the module's docstring)."""

    def __init__(
        self,
        app: App,
        *,
        hosts: frozenset[str],
        origins: frozenset[str],
        redactor: Redactor,
        sessions: SessionTable | None = None,
        path: str = "/mcp",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.hosts = hosts
        self.origins = origins
        self.redactor = redactor
        self.sessions = sessions or SessionTable()
        self.path = path
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope.get("path") != self.path:  # health probes: they name the replica as they please
            await self.app(scope, receive, send)
            return
        headers = {name.lower(): value for name, value in scope.get("headers", [])}
        refusal = self._refusal(headers)
        if refusal is not None:
            status, text = refusal
            log.warning("refused a request: %s", text)
            await _respond(send, status, text.encode(), b"text/plain; charset=utf-8")
            return
        if scope.get("method") == "POST" and headers.get(b"content-type", b"").lower().startswith(
            b"application/json"
        ):
            body = await read_body(receive, MAX_MESSAGE_BYTES)
            if body is None:
                await self._answer(
                    send, 413, [_error(f"the message is larger than {MAX_MESSAGE_BYTES // 1048576} MiB")]
                )
                return
            judged = judge_line(body) if body.strip() else None
            if judged is not None and judged.message is not None and _LONE_SURROGATE_ESCAPE.search(body):
                judged = not_unicode(judged.message, body) or judged
            if judged is None or judged.message is None:
                answers = list(judged.answers) if judged and judged.answers else [_unanswerable(judged)]
                if judged and judged.problem:
                    log.warning("POST %s: %s; it began %r", self.path, judged.problem, body[:120])
                await self._answer(send, 400, answers, batch=body.lstrip()[:1] == b"[")
                return
            receive = replaying(body, receive)
        await self._through_sessions(scope, receive, send, headers)

    def _refusal(self, headers: dict[bytes, bytes]) -> tuple[int, str] | None:
        host = headers.get(b"host", b"").decode("latin-1").strip().lower()
        if host not in self.hosts:
            return 421, f"Invalid Host header: {host[:100]!r}"
        origin = headers.get(b"origin")
        if origin is not None and origin.decode("latin-1").strip().lower() not in self.origins:
            return 403, f"Invalid Origin header: {origin[:100].decode('latin-1')!r}"
        return None

    async def _answer(self, send: Send, status: int, answers: list[Any], batch: bool = False) -> None:
        """One error object, or an array of them for a batch (as JSON-RPC answers a batch)."""
        lines = [encode(answer, self.redactor).rstrip(b"\n") for answer in answers]
        body = b"[" + b",".join(lines) + b"]" if batch or len(lines) > 1 else lines[0]
        await _respond(send, status, body, b"application/json")

    async def _through_sessions(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes]
    ) -> None:
        sid = headers.get(SESSION_HEADER, b"").decode("latin-1") or None
        peer = str((scope.get("client") or ("?", 0))[0])
        now = self.clock()
        if sid is None and scope.get("method") == "POST":
            for ended in self.sessions.to_end_before_admitting(peer, now):
                log.info("ending session %s… to make room for a new one", ended[:8])
                await self._end(scope, ended)
        session = self.sessions.sessions.get(sid) if sid else None
        if session is not None:
            session.last_used = now
            session.in_flight += 1
        status: list[int] = []

        async def watching(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
                opened = dict(message.get("headers", [])).get(SESSION_HEADER)
                if sid is None and opened and message["status"] < 400:
                    self.sessions.sessions[opened.decode("latin-1")] = _Session(peer, self.clock())
            await send(message)

        try:
            await self.app(scope, receive, watching)
        finally:
            if session is not None:
                session.in_flight -= 1
                session.last_used = self.clock()
            closed = scope.get("method") == "DELETE" or (bool(status) and status[0] == 404)
            if sid and closed:
                self.sessions.sessions.pop(sid, None)

    async def _end(self, scope: Scope, sid: str) -> None:
        """End a session as its client would: DELETE with its id, to the SDK's app."""
        request = {
            **{
                k: v
                for k, v in scope.items()
                if k in ("type", "asgi", "http_version", "scheme", "server", "client", "root_path")
            },
            "method": "DELETE",
            "path": self.path,
            "raw_path": self.path.encode(),
            "query_string": b"",
            "headers": [(b"host", next(iter(sorted(self.hosts))).encode()), (SESSION_HEADER, sid.encode())],
        }

        async def nothing_more() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def discard(message: Message) -> None:
            return None

        try:
            await self.app(request, nothing_more, discard)
        except Exception:  # the session may be ending by itself: it is forgotten either way
            log.debug("ending session %s… failed", sid[:8], exc_info=True)


# The SDK's parser refuses "\udc80" in a body with a parse error of id null; a request that carries
# one is answered here instead, by its id, as on stdio.
_LONE_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def not_unicode(message: Any, body: bytes) -> Judged | None:
    """For a request holding a lone surrogate anywhere in its body (members the request's model
    drops included: the SDK's parser reads them all): its answer, invalid params by its id."""
    from mcp.types import INVALID_PARAMS, ErrorData, JSONRPCError, JSONRPCRequest

    if not isinstance(message, JSONRPCRequest):
        return None
    try:
        text = json.dumps(json.loads(body), ensure_ascii=False)  # judged already: valid and bounded
    except (ValueError, RecursionError):
        return None
    if not re.search(r"[\ud800-\udfff]", text):
        return None  # a valid pair of escapes (one emoji)
    reason = "the message holds a lone surrogate (\\ud800-\\udfff), which is not Unicode text"
    error = JSONRPCError(jsonrpc="2.0", id=message.id, error=ErrorData(code=INVALID_PARAMS, message=reason))
    return Judged(answers=(error,), problem=f"answered {INVALID_PARAMS}: {reason}")


def _error(reason: str, code: int = -32600) -> Any:
    from mcp.types import ErrorData, JSONRPCError

    return JSONRPCError(jsonrpc="2.0", id=None, error=ErrorData(code=code, message=reason))


def _unanswerable(judged: Any) -> Any:
    """The 400's body for a POST that holds no request: a notification or response that is wrong, or
    nothing at all (the transport spec allows an error with no id)."""
    if judged is None:
        return _error("Parse error: the body is empty", -32700)
    reason = (judged.problem or "not a JSON-RPC message").removeprefix("dropped ")
    return _error(reason)


async def _respond(send: Send, status: int, body: bytes, content_type: bytes) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", content_type), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
