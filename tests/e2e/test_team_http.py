"""`serve --transport http --per-user-tokens`: one endpoint for a team, each request with its own token.

The server runs as a child process against the test sandbox (request log on), so every test can check
what reached the API. Clients are the SDK's own Streamable HTTP client with an Authorization header,
or raw HTTP where the test is about the HTTP answer itself.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .cases import CASES
from .conftest import assert_no_token
from .support import HttpServer, request_log, result_json
from .test_permission_fidelity import assert_not_trivial, outcome_matches_the_api

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).parents[2]

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
GET_ME = {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "get_me", "arguments": {}}}
LIVE = [s for s in seed.SEEDED_TOKENS if not s.revoked]
REVOKED = [s for s in seed.SEEDED_TOKENS if s.revoked]
OWNER = seed.token_for("studio", "OWNER")


def team_env(upstream: RunningSandbox) -> dict[str, str]:
    return {"HOURSMITH_API_URL": upstream.base_url, "HOURSMITH_LOG_LEVEL": "debug"}


@pytest.fixture(scope="module")
def team(upstream: RunningSandbox) -> Iterator[HttpServer]:
    """One per-user server for the module; at the end, nothing it wrote may hold a token."""
    server = HttpServer("--per-user-tokens", env=team_env(upstream))
    try:
        yield server
    finally:
        assert server.stop() == ""
        assert "Traceback" not in server.stderr, server.stderr
        assert_no_token(server.stderr, "the per-user server's stderr (debug level)")


@asynccontextmanager
async def client_as(url: str, token: str) -> AsyncIterator[Client]:
    """The SDK's Streamable HTTP client sending `token` on every request, as a team member's client does."""
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30)
    async with http, Client(streamable_http_client(url, http_client=http)) as client:  # type: ignore[arg-type]
        yield client


def post(url: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.post(url, content=json.dumps(body), headers={**HEADERS, **(headers or {})}, timeout=20)


def sse_result(response: httpx.Response) -> dict[str, Any]:
    """The JSON-RPC answer of a POST, whether it came as JSON or as an SSE event."""
    if response.headers.get("content-type", "").startswith("application/json"):
        return dict(response.json())
    data = [line[5:].strip() for line in response.text.splitlines() if line.startswith("data:")]
    return dict(json.loads(data[-1]))


BAD_HEADERS: dict[str, list[tuple[str, str]]] = {
    "none": [],
    "empty": [("Authorization", "")],
    "scheme only": [("Authorization", "Bearer")],
    "another scheme": [("Authorization", f"Basic {OWNER}")],
    "no prefix": [("Authorization", "Bearer sk_live_0123456789abcdef")],
    "space inside": [("Authorization", f"Bearer {OWNER[:12]} {OWNER[12:]}")],
    "hostile bytes": [("Authorization", "Bearer hsk_\u00e9\u00ff\x01;DROP")],
    "too long": [("Authorization", "Bearer hsk_" + "a" * 5000)],
    "twice": [("Authorization", f"Bearer {OWNER}"), ("Authorization", f"Bearer {OWNER}")],
}


@pytest.mark.parametrize("case", list(BAD_HEADERS))
def test_a_missing_or_malformed_token_is_401_before_any_upstream_call(
    team: HttpServer, fresh: httpx.Client, case: str
) -> None:
    headers = [(k, v) for k, v in HEADERS.items()] + BAD_HEADERS[case]
    raw = [(k.encode(), v.encode("latin-1", "replace")) for k, v in headers]
    for method in ("POST", "GET", "DELETE"):
        content = json.dumps(GET_ME).encode() if method == "POST" else None
        response = httpx.request(method, team.url, headers=raw, content=content, timeout=20)
        assert response.status_code == 401, (method, response.text)
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith('Bearer realm="hoursmith"')
        assert ('error="invalid_token"' in challenge) == (case not in ("none", "empty"))
        error = response.json()["error"]
        assert "hsk_" in error["message"]  # names the expected shape...
        assert OWNER not in response.text and "DROP" not in response.text  # ...never the value sent
    assert request_log(fresh) == []  # nothing reached the API


def test_the_scheme_is_case_insensitive_and_health_needs_no_token(team: HttpServer) -> None:
    answer = sse_result(post(team.url, GET_ME, {"Authorization": f"bearer {OWNER}"}))
    assert answer["result"]["structuredContent"]["role"] == "OWNER"
    assert httpx.get(team.root + "/healthz", timeout=10).json() == {"status": "alive"}
    assert httpx.get(team.root + "/readyz", timeout=10).json()["status"] == "ready"


def test_no_session_is_kept_so_any_replica_answers(team: HttpServer, upstream: RunningSandbox) -> None:
    """Stateless: no Mcp-Session-Id, and a second replica answers a client that initialized on the first."""
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-11-25",
            "capabilities": {},
            "clientInfo": {"name": "t", "version": "1"},
        },
    }
    auth = {"Authorization": f"Bearer {OWNER}"}
    first = post(team.url, initialize, auth)
    assert first.status_code == 200 and "mcp-session-id" not in first.headers
    other = HttpServer("--per-user-tokens", env=team_env(upstream))
    try:
        answer = sse_result(post(other.url, GET_ME, {**auth, "MCP-Protocol-Version": "2025-11-25"}))
    finally:
        other.stop()
    assert answer["result"]["structuredContent"]["role"] == "OWNER"


async def test_concurrent_calls_of_different_users_each_act_with_their_own_token(team: HttpServer) -> None:
    """Every seeded token at once, many times over: each get_me names exactly its own member."""
    seen: dict[str, set[str]] = {}

    async def member(seeded: seed.SeededToken) -> None:
        async with client_as(team.url, seeded.token) as client:
            for _ in range(6):
                result = await client.call_tool("get_me", {})
                if seeded.workspace == "free":
                    assert result.is_error and "forbidden_plan" in str(result.content)
                    continue
                me = result_json(result)
                seen.setdefault(seeded.token, set()).add(
                    me["token_name"] + "/" + me["role"] + "/" + me["org_name"]
                )

    async with anyio.create_task_group() as tasks:
        for seeded in LIVE:
            tasks.start_soon(member, seeded)
    # One identity per token, and no two tokens share one.
    assert all(len(names) == 1 for names in seen.values()), seen
    identities = [next(iter(names)) for names in seen.values()]
    assert len(set(identities)) == len(identities) == len([s for s in LIVE if s.workspace != "free"])


# What tools.yaml serves to a client whose role is not known: every tool (tools.snapshot.json).
EVERY_TOOL = set(json.loads((ROOT / "tools.snapshot.json").read_text(encoding="utf-8"))["tools"])


async def test_a_revoked_token_gets_the_apis_own_answer(team: HttpServer) -> None:
    for seeded in REVOKED:
        async with client_as(team.url, seeded.token) as client:
            listed = {tool.name for tool in (await client.list_tools()).tools}
            assert listed == EVERY_TOOL  # listing needs no upstream call (and no role is known)
            result = await client.call_tool("get_me", {})
        assert result.is_error
        error = result_json(result)["error"]
        assert (error["status"], error["code"]) == (401, "unauthenticated")
        assert "revoked" in error["message"] or "unknown" in error["message"] or error["message"]


async def test_the_permission_matrix_holds_per_request_with_every_seeded_token(
    team: HttpServer, upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    """test_permission_fidelity's matrix over one HTTP endpoint with every seeded token (every role of
    three workspaces, both revoked tokens), interleaved call by call: requests of different users
    must not mix."""
    who = {f"{s.workspace} {s.role} {s.name}{' revoked' if s.revoked else ''}": s for s in seed.SEEDED_TOKENS}
    outcomes: dict[str, list[str]] = {name: [] for name in who}
    async with AsyncExitStack() as stack:
        # One open client per token, all at once: their calls interleave on the same server.
        clients = {n: await stack.enter_async_context(client_as(team.url, s.token)) for n, s in who.items()}
        for case, name in itertools.product(CASES, who):
            call = clients[name].call_tool
            outcomes[name].append(await outcome_matches_the_api(upstream, fresh, who[name].token, case, call))
    for name, found in outcomes.items():
        if name.endswith("revoked"):
            assert {o.split(":")[1] for o in found} == {"unauthenticated"}
        else:
            workspace, role = name.split(" ")[:2]
            assert_not_trivial(f"{workspace} {role}", found)


def test_an_environment_token_with_per_user_tokens_refuses_to_start(upstream: RunningSandbox) -> None:
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "hoursmith_mcp",
            "serve",
            "--transport",
            "http",
            "--per-user-tokens",
            "--port=0",
        ],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "HOURSMITH_API_TOKEN": OWNER, **team_env(upstream)},
        timeout=60,
        check=False,
    )
    assert run.returncode == 2 and run.stdout == ""
    assert "HOURSMITH_API_TOKEN is also set" in run.stderr
    assert OWNER not in run.stderr


def test_a_2026_era_request_acts_with_its_own_token_too(team: HttpServer) -> None:
    """The newest protocol: no handshake, each POST self-contained (the SDK serves it on its own path)."""
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {},
    }
    body = {**GET_ME, "params": {"name": "get_me", "arguments": {}, "_meta": meta}}
    roles = []
    for seeded in LIVE[:4]:  # the studio Owner, Admin, Manager and a Member
        headers = {
            "Authorization": f"Bearer {seeded.token}",
            "MCP-Protocol-Version": "2026-07-28",
            "Mcp-Method": "tools/call",
            "Mcp-Name": "get_me",
        }
        answer = sse_result(post(team.url, body, headers))
        roles.append(answer["result"]["structuredContent"]["role"])
    assert roles == ["OWNER", "ADMIN", "MANAGER", "MEMBER"]
    missing = post(team.url, body, {"MCP-Protocol-Version": "2026-07-28"})
    assert missing.status_code == 401
