"""Assembles a serving engine: manifest + connection -> upstream, runner, catalog and MCP server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from mcp.server import Server
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.models import InitializationOptions

from engine.manifest import Manifest
from engine.redaction import Redactor
from engine.server import Catalog, ServingState, build_server
from engine.startup import Connection
from engine.tool_call import ToolRunner
from engine.transport import Upstream


@dataclass(frozen=True)
class Engine:
    server: Server[Any]
    state: ServingState
    runner: ToolRunner

    def initialization_options(self) -> InitializationOptions:
        return self.server.create_initialization_options(NotificationOptions(tools_changed=True))


@asynccontextmanager
async def running_engine(
    manifest: Manifest, connection: Connection, redactor: Redactor
) -> AsyncIterator[Engine]:
    """An engine whose shared HTTP client lives exactly as long as the block."""
    upstream = Upstream(manifest.api, connection)
    try:
        runner = ToolRunner(manifest, upstream, connection.base_url, redactor)
        state = ServingState(Catalog.build(manifest, runner))
        yield Engine(build_server(state), state, runner)
    finally:
        await upstream.aclose()
