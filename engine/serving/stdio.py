"""The stdio transport: the protocol on stdin/stdout, nothing else ever written to stdout."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

import anyio
from mcp.server.stdio import stdio_server

from ..calls.connection import Connection
from ..calls.redaction import Redactor
from ..manifest.model import Manifest
from .filtering import FilterSettings
from .pipe_io import NonBlocking, PipeLines, PipeWriter, claimed_stdout, is_pipe
from .runtime import running_engine, settle_heap
from .stdin_lines import ThreadedLines, claimed_stdin


async def serve_stdio(
    manifest: Manifest,
    connection: Connection,
    redactor: Redactor,
    filters: FilterSettings | None = None,
    watch: Path | None = None,
    on_ready: Callable[[], None] | None = None,
) -> None:
    """`on_ready` runs once the server reads its input (a person's terminal gets the banner then)."""
    with claimed_stdin() as protocol_input:
        async with (
            running_engine(manifest, connection, redactor, filters) as engine,
            protocol_streams(protocol_input) as (reader, writer),
            anyio.create_task_group() as tasks,
        ):
            settle_heap()
            if watch is not None:
                from .reload import watch_manifest

                tasks.start_soon(watch_manifest, watch, engine)
            if on_ready is not None:
                on_ready()
            await engine.server.run(reader, writer, engine.initialization_options())
            tasks.cancel_scope.cancel()  # the client hung up: stop watching too


@asynccontextmanager
async def protocol_streams(protocol_input: int) -> AsyncIterator[tuple[Any, Any]]:
    """The SDK's stdio transport on input that a stopping server never waits for: when stdin and stdout
    are pipes (as MCP clients spawn servers), both served non-blocking on the event loop (pipe_io.py);
    otherwise (a terminal) stdin read by a daemon thread (stdin_lines.py), stdout by the SDK."""
    if sys.platform == "win32" or not (is_pipe(protocol_input) and is_pipe(1)):
        # The SDK only iterates its stdin; ours can be abandoned mid-read (see stdin_lines.py).
        stdin = cast("anyio.AsyncFile[str]", ThreadedLines(protocol_input))
        async with stdio_server(stdin=stdin) as streams:
            yield streams
        return
    with claimed_stdout() as protocol_output, NonBlocking(protocol_input), NonBlocking(protocol_output):
        stdin = cast("anyio.AsyncFile[str]", PipeLines(protocol_input))
        stdout = cast("anyio.AsyncFile[str]", PipeWriter(protocol_output))
        async with stdio_server(stdin=stdin, stdout=stdout) as streams:
            yield streams
