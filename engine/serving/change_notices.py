"""`notifications/{tools,prompts,resources}/list_changed` to every connected client, after a hot reload.

2025-era clients (handshake protocol) get it on their connection's standalone channel: the stdio
stream, or the HTTP session's GET stream when the client opened one. Clients of the 2026 protocol
receive change notices only on `subscriptions/listen` streams, so the same event also goes to the
subscription bus that serves those streams. Delivery is best-effort, as the protocol intends.
"""

from __future__ import annotations

import logging
import weakref
from typing import Any

from mcp.server import ServerRequestContext
from mcp.server.connection import Connection
from mcp.server.context import CallNext, HandlerResult
from mcp.server.subscriptions import (
    InMemorySubscriptionBus,
    ListenHandler,
    PromptsListChanged,
    ResourcesListChanged,
    ToolsListChanged,
)
from mcp_types.version import MODERN_PROTOCOL_VERSIONS

log = logging.getLogger(__name__)


class ChangeNotices:
    def __init__(self) -> None:
        # Weak: a client that went away must not be kept alive (or notified) by this registry.
        self._connections: weakref.WeakSet[Connection] = weakref.WeakSet()
        self.bus = InMemorySubscriptionBus()
        self.listen_handler = ListenHandler(self.bus)

    async def middleware(self, ctx: ServerRequestContext[Any], call_next: CallNext) -> HandlerResult:
        """Server middleware: remembers the connection behind every inbound message."""
        connection = getattr(ctx.session, "_connection", None)  # the SDK exposes it only privately
        if isinstance(connection, Connection):
            self._connections.add(connection)
        return await call_next(ctx)

    async def lists_changed(
        self, *, tools: bool = True, prompts: bool = False, resources: bool = False
    ) -> int:
        """Tell every known client which lists changed; returns how many handshake-era connections
        were notified."""
        sent = 0
        for connection in list(self._connections):
            if (
                connection.protocol_version in MODERN_PROTOCOL_VERSIONS
                or not connection.has_standalone_channel
            ):
                continue
            # None of these raises: a closed stream drops the notice.
            if tools:
                await connection.send_tool_list_changed()
            if prompts:
                await connection.send_prompt_list_changed()
            if resources:
                await connection.send_resource_list_changed()
            sent += 1
        for changed, event in (
            (tools, ToolsListChanged()),
            (prompts, PromptsListChanged()),
            (resources, ResourcesListChanged()),
        ):
            if changed:
                await self.bus.publish(event)
        return sent
