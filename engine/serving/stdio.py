"""The stdio transport: the protocol on stdin/stdout, nothing else ever written to stdout."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

import anyio
from mcp.server.stdio import stdio_server

from ..calls.connection import Connection
from ..calls.redaction import Redactor
from ..manifest.model import Manifest
from .filtering import FilterSettings
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
        # The SDK only iterates its stdin; ours can be abandoned mid-read (see stdin_lines.py).
        stdin = cast("anyio.AsyncFile[str]", ThreadedLines(protocol_input))
        async with (
            running_engine(manifest, connection, redactor, filters) as engine,
            stdio_server(stdin=stdin) as (reader, writer),
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
