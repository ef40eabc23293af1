"""A strict client: fastmcp's Client turns structuredContent into Python objects by each tool's
outputSchema, and logs an error (returning no data) when an answer does not fit. Every tool that
declares an output schema must fit it in each of its answers: get_running_timer idle and running.

fastmcp comes in as a test extra (`fastmcp-slim[client]`): its client needs the same mcp 2.x as the
server, so it runs in the suite's own environment rather than in a separate one.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .cases import BY_TOOL
from .support import role_token

pytestmark = pytest.mark.anyio

try:
    from fastmcp import Client
    from fastmcp.client.transports import StdioTransport
except ImportError:  # pragma: no cover - the test extra is missing
    if os.environ.get("HOURSMITH_REQUIRE_EXTERNAL_CLIENTS") == "1":
        raise
    pytest.skip("fastmcp is a test extra: pip install -e '.[test]'", allow_module_level=True)


@asynccontextmanager
async def strict_client(upstream: RunningSandbox, token: str) -> AsyncIterator[Any]:
    transport = StdioTransport(
        command=sys.executable,
        args=["-m", "hoursmith_mcp"],
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOURSMITH_API_TOKEN": token,
            "HOURSMITH_API_URL": upstream.base_url,
        },
    )
    async with Client(transport) as client:
        yield client


def parse_failures(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def test_get_running_timer_fits_its_schema_idle_and_running(
    upstream: RunningSandbox, fresh: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    async with strict_client(upstream, role_token("OWNER")) as client:  # the Owner runs no timer
        idle = await client.call_tool("get_running_timer", {})
    assert idle.data is not None and idle.data.running is False
    assert getattr(idle.data, "timer", None) is None
    async with strict_client(upstream, role_token("MEMBER")) as client:  # Sam's timer is running
        running = await client.call_tool("get_running_timer", {})
    assert running.data is not None and running.data.running is True
    assert running.data.timer.id == seed.RUNNING_TIMER_ENTRY_ID
    assert running.data.timer.duration_seconds >= 25 * 60 - 5
    assert parse_failures(caplog) == []


async def test_every_tool_with_an_output_schema_is_parsed_by_the_strict_client(
    upstream: RunningSandbox, fresh: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR)
    typed = [tool for tool in load_manifest(default_manifest_path()).tools if tool.output_schema]
    assert {tool.name for tool in typed} >= {"get_me", "get_running_timer"}
    async with strict_client(upstream, role_token("OWNER")) as client:
        for tool in typed:
            result = await client.call_tool(tool.name, BY_TOOL[tool.name].ok)
            assert result.data is not None, tool.name
            assert result.structured_content is not None
    assert parse_failures(caplog) == []
