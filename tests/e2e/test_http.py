"""`serve --transport http`: the same engine over Streamable HTTP, loopback-only unless told otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from mcp import Client

from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import ERAS, http_server, result_json, role_token

pytestmark = pytest.mark.anyio

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}


@pytest.mark.parametrize("era", ERAS)
async def test_sandbox_over_http_lists_and_calls_tools(era: str) -> None:
    with http_server("--sandbox") as (url, _):
        assert url.startswith("http://127.0.0.1:")
        async with Client(url, mode=era) as client:  # type: ignore[arg-type]
            tools = (await client.list_tools()).tools
            me = result_json(await client.call_tool("get_me", {}))
    assert len(tools) == 36
    assert me["role"] == "OWNER"


async def test_the_token_comes_from_the_environment_and_filters_apply(upstream: RunningSandbox) -> None:
    env = {"HOURSMITH_API_TOKEN": role_token("MANAGER"), "HOURSMITH_API_URL": upstream.base_url}
    with http_server("--read-only", env=env) as (url, _):
        async with Client(url, mode="legacy") as client:  # type: ignore[arg-type]
            names = {tool.name for tool in (await client.list_tools()).tools}
            me = result_json(await client.call_tool("get_me", {}))
    assert me["role"] == "MANAGER"
    assert "create_client" not in names and "list_clients" in names


@pytest.mark.parametrize("era", ERAS)
async def test_debug_logging_over_http_never_writes_result_bodies(era: str) -> None:
    """Libraries log payloads at debug (sse_starlette: every SSE chunk); only our own loggers may."""
    with http_server("--sandbox", "--log-level", "debug") as (url, lines):
        async with Client(url, mode=era) as client:  # type: ignore[arg-type]
            me = result_json(await client.call_tool("get_me", {}))
            organization = result_json(await client.call_tool("get_organization", {}))
        logged = "".join(lines)
    assert "GET /api/v1/me -> 200" in logged  # debug logging was on
    for value in (me["org_id"], me["token_name"], organization["invoice_prefix"], organization["tax_id"]):
        assert value not in logged


def test_a_foreign_host_or_origin_is_refused_and_loopback_accepted() -> None:
    headers: dict[str, Any] = {
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
    }
    with http_server("--sandbox") as (url, _):
        port = url.split(":")[2].split("/")[0]
        evil = httpx.post(url, json=INITIALIZE, headers={**headers, "Host": "evil.example.com"}, timeout=10)
        origin = httpx.post(
            url, json=INITIALIZE, headers={**headers, "Origin": "http://evil.example.com"}, timeout=10
        )
        good = httpx.post(url, json=INITIALIZE, headers={**headers, "Host": f"localhost:{port}"}, timeout=10)
    assert 400 <= evil.status_code < 500
    assert 400 <= origin.status_code < 500
    assert good.status_code == 200


def test_a_non_loopback_host_needs_allow_remote() -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "hoursmith_mcp",
            "serve",
            "--transport",
            "http",
            "--host",
            "0.0.0.0",
            "--sandbox",
        ],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "")},
        timeout=60,
        check=False,
    )
    assert run.returncode == 2 and run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "--allow-remote" in lines[0] and "not a loopback address" in lines[0]


def test_a_missing_token_fails_at_start_as_on_stdio() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", "serve", "--transport", "http", "--port", "0"],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "")},
        timeout=60,
        check=False,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert "HOURSMITH_API_TOKEN is not set" in run.stderr
