"""`hoursmith-mcp serve` (the default command): load the manifest, check the settings, serve it.

Over stdio (the default) or Streamable HTTP (`--transport http`); with `--watch`, the manifest is
reloaded when its file changes.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import anyio

from ..calls.connection import Connection, StartupError, resolve_connection
from ..calls.redaction import Redactor
from ..manifest.loader import ManifestUnreadable, load_manifest
from ..manifest.model import Manifest
from ..manifest.problems import ManifestError
from ..serving.filtering import FilterSettings
from ..serving.http_options import HttpOptions
from ..serving.logs import configure_logging

log = logging.getLogger("hoursmith_mcp")

EXIT_CONFIG = 2


@dataclass(frozen=True)
class ServeOptions:
    manifest: Path
    sandbox: bool
    sandbox_role: str
    sandbox_plan: str
    log_level: str
    filters: FilterSettings = field(default_factory=FilterSettings)
    watch: bool = False
    transport: str = "stdio"  # or "http"
    http: HttpOptions = field(default_factory=HttpOptions)


def fail(message: str) -> int:
    sys.stderr.write(f"hoursmith-mcp: {message}\n")
    return EXIT_CONFIG


def load_for_serving(path: Path) -> Manifest:
    """The manifest, or StartupError with one line to act on (the problems follow on stderr)."""
    try:
        manifest = load_manifest(path, use_check_cache=True)
    except ManifestUnreadable as exc:
        raise StartupError(f"cannot read the manifest: {exc}") from None
    except ManifestError as exc:
        for problem in exc.problems:
            sys.stderr.write(f"{problem}\n")
        count = len(exc.errors)
        raise StartupError(
            f"{path} is invalid ({count} error{'s' if count != 1 else ''} above); "
            f"run 'hoursmith-mcp validate {path}' after fixing it"
        ) from None
    return manifest


@dataclass(frozen=True)
class UpstreamChoice:
    """What `upstream_connection` needs (the `call` command has no ServeOptions)."""

    sandbox: bool
    sandbox_role: str
    sandbox_plan: str


@contextmanager
def upstream_connection(manifest: Manifest, options: ServeOptions | UpstreamChoice) -> Iterator[Connection]:
    """The base URL and token to use: the real API from the environment, or a fresh sandbox."""
    if not options.sandbox:
        yield resolve_connection(manifest.api, os.environ)
        return
    from ...sandbox.runner import start_sandbox
    from ...sandbox.seed import token_for

    token = token_for(options.sandbox_plan, options.sandbox_role)
    with start_sandbox("127.0.0.1", 0) as running:
        yield Connection(base_url=running.base_url, token=token)


def banner(manifest: Manifest, connection: Connection, options: ServeOptions) -> str:
    where = (
        f"the built-in sandbox at {connection.base_url} as {options.sandbox_role.upper()} "
        f"of the {options.sandbox_plan} workspace"
        if options.sandbox
        else connection.base_url
    )
    return (
        f"hoursmith-mcp: serving {len(manifest.tools)} tools from {manifest.file} over stdio,\n"
        f"against {where}.\n"
        "This is an MCP server: it speaks JSON-RPC on stdin/stdout and is meant to be launched by an MCP\n"
        "client (Claude Desktop, Cursor, Zed...). Try it with:\n"
        "  npx @modelcontextprotocol/inspector hoursmith-mcp --sandbox\n"
        "Press Ctrl-D or Ctrl-C to stop.\n"
    )


def load_with_logging(path: Path, log_level: str) -> tuple[Manifest, Redactor]:
    """Logging to stderr from the first line on; redaction by the token prefix once the manifest names it."""
    configure_logging(log_level, Redactor())
    manifest = load_for_serving(path)
    redactor = Redactor(token_prefix=manifest.api.auth.token_prefix)
    configure_logging(log_level, redactor)
    return manifest, redactor


def run_serve(options: ServeOptions) -> int:
    try:
        manifest, redactor = load_with_logging(options.manifest, options.log_level)
        watch = options.manifest if options.watch else None
        if options.transport == "http":
            from ..serving.http import bind, check_host

            check_host(options.http)
            sock = bind(options.http)  # before the sandbox starts: a busy port fails fast
        with upstream_connection(manifest, options) as connection:
            redactor.add_secret(connection.token)
            if options.transport == "http":
                from ..serving.http import serve_http

                log.info("serving %s against %s", manifest.file, connection.base_url)
                anyio.run(
                    serve_http, manifest, connection, redactor, options.http, sock, options.filters, watch
                )
                return 0
            if sys.stdin.isatty():
                sys.stderr.write(banner(manifest, connection, options))
            from ..serving.stdio import serve_stdio

            anyio.run(serve_stdio, manifest, connection, redactor, options.filters, watch)
    except StartupError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    return 0
