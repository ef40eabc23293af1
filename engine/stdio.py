"""The stdio transport: the protocol on stdin/stdout, nothing else ever written to stdout."""

from __future__ import annotations

from mcp.server.stdio import stdio_server

from engine.app import running_engine
from engine.manifest import Manifest
from engine.redaction import Redactor
from engine.startup import Connection


async def serve_stdio(manifest: Manifest, connection: Connection, redactor: Redactor) -> None:
    async with running_engine(manifest, connection, redactor) as engine, stdio_server() as (reader, writer):
        await engine.server.run(reader, writer, engine.initialization_options())
