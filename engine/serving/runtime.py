"""Assembles a serving engine: manifest + connection -> upstream, runner, catalog and MCP server."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import Any

from mcp.server import Server
from mcp.server.lowlevel.server import NotificationOptions
from mcp.server.models import InitializationOptions

from ..calls.clock import Clock, resolve_clock
from ..calls.connection import Connection
from ..calls.redaction import Redactor
from ..calls.tool_call import ToolRunner
from ..calls.transport import Upstream
from ..manifest.model import Manifest
from .filtering import FilterSettings, select_tools
from .identity import learn_role
from .server import Catalog, ServingState, build_server

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Engine:
    server: Server[Any]
    state: ServingState
    filters: FilterSettings

    def initialization_options(self) -> InitializationOptions:
        # listChanged is advertised only for the lists that are served at all (see build_server).
        options = NotificationOptions(tools_changed=True, prompts_changed=True, resources_changed=True)
        return self.server.create_initialization_options(options)


def filtered_catalog(manifest: Manifest, runner: ToolRunner, filters: FilterSettings) -> Catalog:
    """The catalog of the tools the filters choose; each filter warning goes to stderr."""
    selection = select_tools(manifest, filters)
    for warning in selection.warnings:
        log.warning("%s", warning)
    if filters.active:
        log.info(
            "filters (%s): serving %d of %d tools",
            filters.describe(),
            len(selection.tools),
            len(manifest.listing),
        )
    return Catalog.build(manifest, runner, served=selection.tools, role=filters.role)


async def _with_role(manifest: Manifest, runner: ToolRunner, filters: FilterSettings) -> FilterSettings:
    answer = await learn_role(manifest, runner)
    if answer.role is None:
        log.warning("could not learn the token's role (%s): listing every tool", answer.why_not)
        return filters
    with_role = replace(filters, role=answer.role)
    unusable = [tool.name for tool in manifest.tools if not tool.for_role(answer.role)]
    if unusable:
        log.info(
            "the token acts as %s: not listing the %d tools that role cannot use (%s)",
            answer.role,
            len(unusable),
            ", ".join(unusable),
        )
    return with_role


def settle_heap() -> None:
    """Called once serving is set up: the manifest and tool definitions live as long as the process,
    so move them out of the cyclic GC's sight. With thousands of tools every later collection (during
    tools/list, during calls) would otherwise rescan them all. Not for library use: it also pins
    whatever garbage exists at that moment."""
    gc.freeze()


@asynccontextmanager
async def running_engine(
    manifest: Manifest,
    connection: Connection,
    redactor: Redactor,
    filters: FilterSettings | None = None,
    clock: Clock | None = None,
    *,
    by_role: bool = False,
) -> AsyncIterator[Engine]:
    """An engine whose shared HTTP client lives exactly as long as the block. Without `clock`, the
    user's time zone comes from the manifest and the environment variable it names. `by_role`: ask
    the API who the token acts as (api.identity) and list only what that role can use (unless the
    settings opt out)."""
    chosen = filters or FilterSettings()
    clock = clock or resolve_clock(manifest.clock, os.environ)
    upstream = Upstream(manifest.api, connection, manifest.server.user_agent)
    try:
        runner = ToolRunner(manifest, upstream, connection.base_url, redactor, clock)
        # Per-user token mode (HTTP) has no token of its own: no role to learn, each request brings its own.
        learn_role = by_role and chosen.by_role and chosen.role is None and connection.token is not None
        if learn_role and manifest.api.identity is not None:
            chosen = await _with_role(manifest, runner, chosen)
        state = ServingState(
            filtered_catalog(manifest, runner, chosen), per_user_tokens=connection.token is None
        )
        yield Engine(build_server(state), state, chosen)
    finally:
        await upstream.aclose()
