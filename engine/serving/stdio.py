"""The stdio transport: the protocol on stdin/stdout, nothing else ever written to stdout."""

from __future__ import annotations

from pathlib import Path

import anyio
from mcp.server.stdio import stdio_server

from ..calls.connection import Connection
from ..calls.redaction import Redactor
from ..manifest.model import Manifest
from .filtering import FilterSettings
from .runtime import running_engine, settle_heap


async def serve_stdio(
    manifest: Manifest,
    connection: Connection,
    redactor: Redactor,
    filters: FilterSettings | None = None,
    watch: Path | None = None,
) -> None:
    async with (
        running_engine(manifest, connection, redactor, filters) as engine,
        stdio_server() as (reader, writer),
        anyio.create_task_group() as tasks,
    ):
        settle_heap()
        if watch is not None:
            from .reload import watch_manifest

            tasks.start_soon(watch_manifest, watch, engine)
        await engine.server.run(reader, writer, engine.initialization_options())
        tasks.cancel_scope.cancel()  # the client hung up: stop watching too
