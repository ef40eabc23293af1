"""`serve --transport http`: the same engine over Streamable HTTP, loopback-only unless told otherwise."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import httpx
import pytest
from mcp import Client

from hoursmith_mcp.engine.serving.http_guard import MAX_SESSIONS
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


def test_host_and_origin_are_matched_whole_not_by_prefix() -> None:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    with http_server("--sandbox") as (url, _):
        port = int(url.split(":")[2].split("/")[0])

        def status(host: str | None = None, origin: str | None = None) -> int:
            extra = {**({"Host": host} if host else {}), **({"Origin": origin} if origin else {})}
            return httpx.post(url, json=INITIALIZE, headers={**headers, **extra}, timeout=10).status_code

        assert status() == 200
        assert status(f"localhost:{port}", f"http://localhost:{port}") == 200
        assert status(f"LOCALHOST:{port}") == 200  # names are case-insensitive
        for host in (f"127.0.0.1:{port}.evil.example", f"127.0.0.1:{port + 1}", "127.0.0.1", f"evil:{port}"):
            assert status(host) == 421, host
        for origin in (
            f"http://localhost:{port}.evil.example",
            f"http://localhost:{port + 1}",
            f"https://127.0.0.1:{port}",
            "http://localhost",
            "null",
        ):
            assert status(origin=origin) == 403, origin


def initialize(client: httpx.Client, url: str) -> str:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    response = client.post(url, json=INITIALIZE, headers=headers)
    assert response.status_code == 200, response.text  # never 503: a new client always gets in
    return response.headers["mcp-session-id"]


def pings(client: httpx.Client, url: str, session: str) -> bool:
    headers = {
        "Accept": "application/json, text/event-stream",
        "Content-Type": "application/json",
        "Mcp-Session-Id": session,
        "Mcp-Protocol-Version": "2025-11-25",
    }
    response = client.post(url, json={"jsonrpc": "2.0", "id": 2, "method": "ping"}, headers=headers)
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


def test_a_flood_of_sessions_never_locks_a_client_out() -> None:
    """One local client opens far more sessions than the table holds: every one is admitted, the least
    recently used end (their client gets 404 and may start again), the table stays at its bound."""
    with http_server("--sandbox") as (url, _), httpx.Client(timeout=30) as client:
        sessions = [initialize(client, url) for _ in range(MAX_SESSIONS + 16)]
        latest = initialize(client, url)
        assert pings(client, url, latest)
        alive = [session for session in sessions if pings(client, url, session)]
        assert not pings(client, url, sessions[0])  # ended to make room
        assert len(alive) <= MAX_SESSIONS - 1  # the table's bound, with `latest` in it


def test_malformed_bodies_are_answered_by_the_json_rpc_rules() -> None:
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    with http_server("--sandbox") as (url, _), httpx.Client(timeout=30) as client:
        session = initialize(client, url)
        headers = {**headers, "Mcp-Session-Id": session, "Mcp-Protocol-Version": "2025-11-25"}
        for body, expected in [
            (b"not json", (None, -32700)),
            (b"", (None, -32700)),
            (b'{"jsonrpc":"2.0","id":6,"method":"tools/call","params":["get_me"]}', (6, -32602)),
            (b'[{"jsonrpc":"2.0","id":7,"method":"ping"}]', [(7, -32600)]),
            (b'{"jsonrpc":"2.0","id":true,"method":"ping"}', (None, -32600)),
            (b'{"jsonrpc":"2.0","id":8,"method":"ping","params":{"x":"\\udc80"}}', (8, -32602)),
            # Found by the long fuzz run: outside params, in a member the request's model drops.
            (b'{"jsonrpc":"2.0","id":9,"method":"no/such","extra":{"\\ud800":false}}', (9, -32602)),
            (b'{"jsonrpc":"2.0","method":"notifications/x","params":[1]}', (None, -32600)),
        ]:
            response = client.post(url, content=body, headers=headers)
            assert response.status_code == 400, (body, response.text)
            answer = response.json()
            got = [(a["id"], a["error"]["code"]) for a in answer] if isinstance(answer, list) else (
                answer["id"], answer["error"]["code"])  # fmt: skip
            assert got == expected, (body, answer)
        assert pings(client, url, session)


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
