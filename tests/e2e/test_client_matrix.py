"""Four MCP clients the project did not write list and call every tool, on every kind of answer: a
success for each tool, the idle running timer, and the empty answers (a search that matches nothing,
a period with no time). Each client checks what it is given its own way:

- the TypeScript SDK's client checks every structuredContent against the tool's outputSchema and
  throws when it does not fit (driven line by line: tests/e2e/clients/ts_client.mjs);
- fastmcp's Client turns structuredContent into objects by the outputSchema and logs an error when an
  answer does not fit;
- the Python SDK's client checks structuredContent against the outputSchema and raises;
- the MCP Inspector CLI (one process per call) on the typed tools' answers, and its --strict
  portability lint on a Member's listing.

The sandbox is reset before each call, so every write starts from the seed. .ci/run installs Node 22,
the Inspector and the TypeScript SDK (bash .ci/install-node-tools) and sets
HOURSMITH_REQUIRE_EXTERNAL_CLIENTS=1, so a missing client fails there instead of skipping.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from mcp import Client

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .cases import CASES, WORKFLOW_CASES
from .conftest import assert_no_token
from .support import role_token, server_params

NODE_BIN = Path(__file__).parents[2] / ".ci" / ".cache" / "node" / "node_modules" / ".bin"
SDK_DIR = NODE_BIN.parent / "@modelcontextprotocol" / "sdk"
TS_CLIENT = Path(__file__).parent / "clients" / "ts_client.mjs"
MANIFEST = load_manifest(default_manifest_path())
NOTHING = "zz-no-such-thing-zz"

Call = tuple[str, dict[str, Any]]


def answers() -> list[tuple[str, Call]]:
    """(kind of answer, call) for every tool of the listing: one success each, then the idle and
    empty answers."""
    success = [("success", (case.tool, case.ok)) for case in CASES]
    success += [("success", (case.tool, case.arguments)) for case in WORKFLOW_CASES]
    empty: list[tuple[str, Call]] = [("idle", ("get_running_timer", {}))]  # the Owner runs no timer
    for tool in MANIFEST.tools:
        if tool.paginated and "search" in tool.input_schema["properties"]:
            empty.append(("empty", (tool.name, {"search": NOTHING})))
    empty += [
        ("empty", ("time_summary", {"period": "2020-01-06..2020-01-07"})),
        ("empty", ("unbilled_time", {"period": "2020-01-06..2020-01-07"})),
    ]
    return success + empty


ANSWERS = answers()


def test_the_matrix_covers_every_listed_tool_and_each_kind_of_answer() -> None:
    assert {call[0] for _, call in ANSWERS} == {tool.name for tool in MANIFEST.listing}
    assert {kind for kind, _ in ANSWERS} == {"success", "idle", "empty"}
    assert sum(kind == "empty" for kind, _ in ANSWERS) >= 8


def check(kind: str, tool: str, result: dict[str, Any]) -> None:
    """What every client must see: a success (no isError), the same JSON as text and structure."""
    assert_no_token(json.dumps(result), f"{tool}'s result")
    assert result.get("isError") in (False, None), f"{kind} {tool}: {result['content'][0]['text']}"
    structured = result["structuredContent"]
    assert isinstance(structured, dict), tool
    assert json.loads(result["content"][0]["text"]) == structured, tool
    if kind == "empty" and "items" in structured:
        assert structured["items"] == [], tool
    if kind == "idle":
        assert structured == {"running": False}


def require(found: str | None, what: str) -> str:
    if found is None:
        if os.environ.get("HOURSMITH_REQUIRE_EXTERNAL_CLIENTS") == "1":
            pytest.fail(f"{what} is required here; run bash .ci/install-node-tools")
        pytest.skip(f"{what} not installed (bash .ci/install-node-tools)")
    return found


def client_env(upstream: RunningSandbox) -> dict[str, str]:
    return {
        "PATH": f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "HOURSMITH_API_TOKEN": role_token("OWNER"),
        "HOURSMITH_API_URL": upstream.base_url,
        "MCP_SDK_DIR": str(SDK_DIR),
    }


@pytest.fixture
def ts_client(upstream: RunningSandbox) -> Iterator[subprocess.Popen[str]]:
    node = require(shutil.which("node", path=str(NODE_BIN)), "Node 22")
    require(str(SDK_DIR) if (SDK_DIR / "package.json").is_file() else None, "the TypeScript MCP SDK")
    process = subprocess.Popen(
        [node, str(TS_CLIENT), sys.executable, "-m", "hoursmith_mcp"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=client_env(upstream),
    )
    try:
        yield process
    finally:
        if process.stdin:
            process.stdin.close()
        try:
            process.wait(timeout=30)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()


def test_the_typescript_sdk_client_lists_and_calls_every_tool(
    ts_client: subprocess.Popen[str], fresh: httpx.Client
) -> None:
    assert ts_client.stdin is not None and ts_client.stdout is not None
    listed = json.loads(ts_client.stdout.readline())["tools"]
    assert set(listed) == {tool.name for tool in MANIFEST.listing}
    for kind, (tool, arguments) in ANSWERS:
        fresh.post("/_sandbox/reset")
        ts_client.stdin.write(json.dumps({"tool": tool, "arguments": arguments}) + "\n")
        ts_client.stdin.flush()
        line = ts_client.stdout.readline()
        assert line, f"the TypeScript client stopped at {tool}"
        answer = json.loads(line)
        assert "client_error" not in answer, f"{kind} {tool}: {answer.get('client_error')}"
        check(kind, tool, answer["result"])


@pytest.mark.anyio
async def test_the_python_sdk_client_lists_and_calls_every_tool(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with Client(server_params(upstream, role_token("OWNER")), mode="legacy") as client:  # type: ignore[arg-type]
        listed = {tool.name for tool in (await client.list_tools()).tools}
        assert listed == {tool.name for tool in MANIFEST.listing}
        for kind, (tool, arguments) in ANSWERS:
            fresh.post("/_sandbox/reset")
            result = await client.call_tool(tool, arguments)  # raises if it breaks its outputSchema
            check(kind, tool, result.model_dump(by_alias=True, mode="json"))


@pytest.mark.anyio
async def test_fastmcps_client_parses_every_answer(
    upstream: RunningSandbox, fresh: httpx.Client, caplog: pytest.LogCaptureFixture
) -> None:
    try:
        from fastmcp import Client as FastClient
        from fastmcp.client.transports import StdioTransport
    except ImportError:
        require(None, "fastmcp (a test extra)")
        return
    caplog.set_level(logging.ERROR)
    env = client_env(upstream)
    transport = StdioTransport(command=sys.executable, args=["-m", "hoursmith_mcp"], env=env)
    typed = {tool.name for tool in MANIFEST.listing if tool.output_schema}
    async with FastClient(transport) as client:
        assert {tool.name for tool in await client.list_tools()} == {t.name for t in MANIFEST.listing}
        for kind, (tool, arguments) in ANSWERS:
            fresh.post("/_sandbox/reset")
            result = await client.call_tool(tool, arguments)
            assert result.structured_content is not None, tool
            if tool in typed:
                assert result.data is not None, f"{kind} {tool}: not parsed by its outputSchema"
    failures = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert failures == []


def inspector(upstream: RunningSandbox, *args: str, role: str = "OWNER") -> dict[str, Any]:
    found = require(shutil.which("mcp-inspector", path=str(NODE_BIN)), "the MCP Inspector CLI")
    env = {**client_env(upstream), "HOURSMITH_API_TOKEN": role_token(role)}
    # The Inspector hands its server only a default environment plus what -e names, as in its docs.
    server_env = [f"-e{name}={env[name]}" for name in ("HOURSMITH_API_TOKEN", "HOURSMITH_API_URL")]
    run = subprocess.run(
        [found, "--cli", *server_env, sys.executable, "-m", "hoursmith_mcp", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert_no_token(run.stdout + run.stderr, "the Inspector's output")
    assert run.returncode == 0, run.stderr
    return dict(json.loads(run.stdout))


def test_the_inspector_takes_the_typed_answers_and_a_members_listing_is_portable(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    schemas = {t.name for t in MANIFEST.listing if t.output_schema}
    typed = [(kind, call) for kind, call in ANSWERS if call[0] in schemas]
    for kind, (tool, arguments) in typed:
        fresh.post("/_sandbox/reset")
        pairs = [f"{name}={value}" for name, value in arguments.items()]
        result = inspector(upstream, "--method", "tools/call", "--tool-name", tool, *(
            ["--tool-arg", *pairs] if pairs else []))  # fmt: skip
        check(kind, tool, result)
    running = inspector(upstream, "--method", "tools/call", "--tool-name", "get_running_timer", role="MEMBER")
    assert running["structuredContent"]["running"] is True  # Sam's timer, the other typed answer
    listing = inspector(upstream, "--method", "tools/list", "--strict", role="MEMBER")
    assert len(listing["tools"]) == 19
