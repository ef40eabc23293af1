"""The Streamable HTTP transport: the same engine behind `POST/GET /mcp`, served by uvicorn.

Loopback by default, with DNS-rebinding protection (Host and Origin must name the served host and port
exactly, or a name given by --allowed-host), a bounded session table and malformed messages answered by
the JSON-RPC rules: all in http_guard.py, in front of the SDK's app. With the environment's token the
endpoint has no authentication of its own: whoever reaches it acts with that token, so a non-loopback
address needs an explicit --allow-remote. In per-user token mode every request must bring its user's own
token (engine/serving/bearer.py) and no session is kept, so replicas behind a load balancer are
interchangeable. Either way: bounded bodies and concurrent calls (admission.py), liveness and readiness,
and a bounded drain on SIGTERM (health.py). uvicorn logs through our stderr handler only.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
from mcp.server.transport_security import TransportSecuritySettings

from ..calls.connection import Connection, StartupError
from ..calls.redaction import Redactor
from ..manifest.hosts import is_loopback_host
from ..manifest.model import Manifest
from .filtering import FilterSettings
from .http_guard import IDLE_SECONDS, MAX_SESSIONS, HttpGuard, allowed_hosts_and_origins
from .http_options import HttpOptions
from .runtime import Engine, running_engine, settle_heap

if TYPE_CHECKING:
    from starlette.types import ASGIApp

    from .health import DrainingServer

log = logging.getLogger(__name__)

MCP_PATH = "/mcp"
CONNECTIONS = 4 * MAX_SESSIONS  # open connections and requests at once (each session may hold an SSE stream)


def check_host(options: HttpOptions) -> None:
    if is_loopback_host(options.host) or options.allow_remote:
        return
    if options.per_user_tokens:
        raise StartupError(
            f"--host {options.host} is not a loopback address; plain HTTP there carries every user's token "
            "in clear. Put TLS in front (a reverse proxy) and add --allow-remote to serve there"
        )
    raise StartupError(
        f"--host {options.host} is not a loopback address; anyone who reaches it acts with your API "
        "token. Add --allow-remote to serve there anyway (behind your own TLS and access control)"
    )


def bind(options: HttpOptions) -> socket.socket:
    """The listening socket, bound before serving so the real port (also for --port 0) is known."""
    family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((options.host, options.port))
    except OSError as exc:
        sock.close()
        raise StartupError(f"cannot listen on {options.host}:{options.port}: {exc.strerror}") from None
    sock.listen(128)
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}{MCP_PATH}"


def uvicorn_server(engine: Engine, options: HttpOptions, port: int, redactor: Redactor) -> DrainingServer:
    import uvicorn  # here: stdio serving never pays for it

    from .admission import Admission
    from .bearer import BearerGate
    from .health import DrainingServer, Readiness

    readiness = Readiness()
    app: ASGIApp = engine.server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        host=options.host,
        # Host and Origin are checked exactly by HttpGuard; the SDK's check matches by prefix.
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
        # Per-user tokens: no session table, nothing a request needs lives in this process only.
        stateless_http=options.per_user_tokens,
        session_idle_timeout=IDLE_SECONDS,
        max_sessions=2 * MAX_SESSIONS,  # a backstop: HttpGuard ends sessions before this is reached
        max_request_body_size=options.max_body_bytes,
        custom_starlette_routes=readiness.routes(),
    )
    app = readiness.admission = Admission(app, MCP_PATH, options.max_body_bytes, options.max_concurrent_calls)
    # On /mcp: Host and Origin, the session table, then the message judged (its body read, bounded).
    hosts, origins = allowed_hosts_and_origins(options.host, port, options.allowed_hosts)
    app = HttpGuard(app, hosts=hosts, origins=origins, redactor=redactor, path=MCP_PATH)
    if options.per_user_tokens:  # outermost: a request without a usable token costs no body read
        manifest = engine.state.catalog.manifest
        app = BearerGate(app, manifest.api.auth, MCP_PATH, realm=manifest.server.name)
    config = uvicorn.Config(
        readiness.watching(app),
        log_config=None,  # keep our stderr handler (and its redaction); uvicorn never prints to stdout
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=options.drain_seconds,
        limit_concurrency=CONNECTIONS,  # past it, 503: a flood of connections cannot exhaust the process
    )
    return DrainingServer(config, readiness)


async def serve_http(
    manifest: Manifest,
    connection: Connection,
    redactor: Redactor,
    options: HttpOptions,
    sock: socket.socket,
    filters: FilterSettings | None = None,
    watch: Path | None = None,
    on_listening: Callable[[str], None] | None = None,
) -> None:
    """Serve until stopped; `on_listening` hears the endpoint's URL once the socket serves."""
    async with running_engine(manifest, connection, redactor, filters, by_role=True) as engine:
        settle_heap()
        server = uvicorn_server(engine, options, sock.getsockname()[1], redactor)
        async with anyio.create_task_group() as tasks:
            if watch is not None:
                from .reload import watch_manifest

                tasks.start_soon(watch_manifest, watch, engine)
            if on_listening is not None:
                on_listening(url_of(sock))
            await server.serve(sockets=[sock])
            tasks.cancel_scope.cancel()
