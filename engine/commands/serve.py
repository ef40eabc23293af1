"""`serve` (the default command): load the manifest, check the settings, serve it.

Over stdio (the default) or Streamable HTTP (`--transport http`); with `--watch`, the manifest is
reloaded when its file changes.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from ..calls.connection import Connection, StartupError
from ..manifest.model import Manifest
from ..serving.filtering import FilterSettings
from ..serving.http_options import HttpOptions
from .product import Product
from .startup import UpstreamChoice, fail, load_with_logging, upstream_connection

if TYPE_CHECKING:
    from ..serving.runtime import Engine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ServeOptions:
    product: Product
    manifest: Path
    upstream: UpstreamChoice
    log_level: str
    filters: FilterSettings = field(default_factory=FilterSettings)
    watch: bool = False
    transport: str = "stdio"  # or "http"
    tracing: bool = False
    trace_content: bool = False
    http: HttpOptions = field(default_factory=HttpOptions)
    manifest_origin: str = ""  # why this manifest (see manifest_choice.py), said in the banner


def banner(manifest: Manifest, connection: Connection, options: ServeOptions, engine: Engine) -> str:
    command = options.product.command
    choice = options.upstream
    where = (
        f"the built-in sandbox at {connection.base_url} as {choice.sandbox_role.upper()} "
        f"of the {choice.sandbox_plan} workspace"
        if choice.sandbox
        else connection.base_url
    )
    origin = f" ({options.manifest_origin})" if options.manifest_origin else ""
    return (
        f"{command}: serving {_served(manifest, engine)} over stdio\n"
        f"from {manifest.file}{origin},\n"
        f"against {where}.\n"
        "This is an MCP server: it speaks JSON-RPC on stdin/stdout and is meant to be launched by an MCP\n"
        "client (Claude Desktop, Cursor, Zed...). Try it with:\n"
        f"  npx @modelcontextprotocol/inspector {command} --sandbox\n"
        "Press Ctrl-D or Ctrl-C to stop.\n"
    )


def tracing_started(options: ServeOptions, manifest: Manifest) -> Callable[[], None] | None:
    """--tracing: the exporter set up (None without it); the returned call flushes and stops it."""
    if options.trace_content and not options.tracing:
        raise StartupError("--trace-content records content on spans: it needs --tracing")
    if not options.tracing:
        return None
    from ..serving.telemetry import start_tracing  # only now: off, the OpenTelemetry SDK is never imported

    hint = f"pip install '{options.product.command}[tracing]'"
    return start_tracing(manifest.server.name, manifest.server.version, options.trace_content, hint)


def _served(manifest: Manifest, engine: Engine) -> str:
    served = len(engine.state.catalog.tools)
    role = engine.filters.role
    if role and served < len(manifest.tools):
        return f"the {served} tools a {role} can use (of {len(manifest.tools)}; --no-role-filter lists all)"
    return f"{served} tools" if served == len(manifest.tools) else f"{served} of {len(manifest.tools)} tools"


def run_serve(options: ServeOptions) -> int:
    product = options.product
    stop_tracing: Callable[[], None] | None = None
    try:
        manifest, redactor = load_with_logging(product, options.manifest, options.log_level)
        watch = options.manifest if options.watch else None
        stop_tracing = tracing_started(options, manifest)
        if options.transport == "http":
            from ..serving.http import bind, check_host

            check_host(options.http)
            sock = bind(options.http)  # before the sandbox starts: a busy port fails fast
        per_user = options.transport == "http" and options.http.per_user_tokens
        with upstream_connection(product, manifest, options.upstream, per_user) as connection:
            if connection.token is not None:
                redactor.add_secret(connection.token)
            if options.transport == "http":
                from ..serving.http import serve_http

                mode = "per-user tokens, stateless" if per_user else "the server's token"

                def announce(url: str) -> None:
                    sys.stderr.write(f"{product.command}: MCP endpoint at {url} (Streamable HTTP, {mode})\n")
                    sys.stderr.flush()

                log.info("serving %s against %s", manifest.file, connection.base_url)
                anyio.run(
                    serve_http,
                    manifest,
                    connection,
                    redactor,
                    options.http,
                    sock,
                    options.filters,
                    watch,
                    announce,
                )
                return 0
            from ..serving.stdio import serve_stdio

            def greet(engine: Engine) -> None:
                sys.stderr.write(banner(manifest, connection, options, engine))
                sys.stderr.flush()

            on_ready = greet if sys.stdin.isatty() else None
            anyio.run(serve_stdio, manifest, connection, redactor, options.filters, watch, on_ready)
    except StartupError as exc:
        return fail(product, str(exc))
    except KeyboardInterrupt:
        return 130
    finally:
        if stop_tracing is not None:
            stop_tracing()
    return 0
