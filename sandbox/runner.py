"""Run a sandbox on a loopback port in a background thread (for tests and the in-process MCP server).

Nothing here writes to stdout: uvicorn runs with its access log off, no logging config of its own
(its records propagate to whatever the host configured, stderr by default) and level "warning".
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
import time
from types import TracebackType

import uvicorn

from .app import create_app
from .config import SandboxConfig
from .dispatch import API_PREFIX

START_TIMEOUT_SECONDS = 5.0
STOP_TIMEOUT_SECONDS = 5.0


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def bind_socket(host: str, port: int) -> socket.socket:
    """A bound socket, so an ephemeral port (0) is known before the server starts."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


class _QuietDroppedConnections(logging.Filter):
    """Hide uvicorn's error record for a connection a fault dropped on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return type(exc).__name__ != "DroppedConnection"


def make_server(app_config: SandboxConfig | None) -> uvicorn.Server:
    app = create_app(app_config)
    config = uvicorn.Config(
        app,
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="off",
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=2,
    )
    error_log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDroppedConnections) for f in error_log.filters):
        error_log.addFilter(_QuietDroppedConnections())
    return uvicorn.Server(config)


class RunningSandbox:
    """A sandbox serving in a daemon thread. Use as a context manager, or call ``stop()``."""

    def __init__(self, server: uvicorn.Server, thread: threading.Thread, host: str, port: int) -> None:
        self._server = server
        self._thread = thread
        self.host = host
        self.port = port
        self.root_url = f"http://{url_host(host)}:{port}"
        self.base_url = self.root_url + API_PREFIX

    @property
    def app(self) -> object:
        return self._server.config.app

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(STOP_TIMEOUT_SECONDS)

    def __enter__(self) -> RunningSandbox:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def start_sandbox(
    host: str = "127.0.0.1",
    port: int = 0,
    config: SandboxConfig | None = None,
    *,
    allow_non_loopback: bool = False,
) -> RunningSandbox:
    """Start a sandbox and return once it accepts connections (or raise within a few seconds)."""
    if not allow_non_loopback and not is_loopback(host):
        raise ValueError(f"refusing to serve the sandbox on non-loopback address {host!r}")
    sock = bind_socket(host, port)
    real_port = int(sock.getsockname()[1])
    server = make_server(config)
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            asyncio.run(server.serve(sockets=[sock]))
        except BaseException as exc:  # reported to the starting thread below
            failure.append(exc)

    thread = threading.Thread(target=serve, name=f"hoursmith-sandbox-{real_port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while not server.started:
        if failure or not thread.is_alive():
            sock.close()
            raise RuntimeError(f"the sandbox failed to start: {failure[0] if failure else 'server exited'}")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the sandbox did not start within {START_TIMEOUT_SECONDS:g} s")
        time.sleep(0.01)
    return RunningSandbox(server, thread, host, real_port)
