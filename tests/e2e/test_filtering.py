"""Filters as a client sees them: a hidden tool is not listed and is an unknown tool when called."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import ERAS, role_token, server_params

pytestmark = pytest.mark.anyio

MANIFEST = load_manifest(default_manifest_path())
READ_ONLY = {t.name for t in MANIFEST.listing if t.read_only}  # GET tools, and workflows that only read
DESTRUCTIVE = {"delete_client", "archive_project", "archive_task", "delete_time_entry", "delete_expense"}


@pytest.mark.parametrize("era", ERAS)
async def test_read_only_lists_exactly_the_read_only_tools_and_hides_the_rest(
    upstream: RunningSandbox, era: str
) -> None:
    params = server_params(upstream, role_token("OWNER"), "--read-only")
    async with Client(params, mode=era) as client:  # type: ignore[arg-type]
        listed = {tool.name for tool in (await client.list_tools()).tools}
        assert listed == READ_ONLY
        assert not (await client.call_tool("get_me", {})).is_error
        with pytest.raises(MCPError, match="Unknown tool: create_client"):
            await client.call_tool("create_client", {"name": "Should never exist"})


async def test_no_destructive_from_the_environment_hides_exactly_five(upstream: RunningSandbox) -> None:
    params = server_params(upstream, role_token("OWNER"), env={"HOURSMITH_NO_DESTRUCTIVE": "1"})
    async with Client(params, mode="legacy") as client:  # type: ignore[arg-type]
        listed = {tool.name for tool in (await client.list_tools()).tools}
        with pytest.raises(MCPError, match="Unknown tool: delete_client"):
            await client.call_tool("delete_client", {"client_id": "x"})
    assert {t.name for t in MANIFEST.listing} - listed == DESTRUCTIVE


async def test_toolsets_and_patterns_from_flags_win_over_the_environment(upstream: RunningSandbox) -> None:
    params = server_params(
        upstream,
        role_token("OWNER"),
        "--toolsets",
        "time,invoices",
        "--exclude-tools",
        "*_invoice",
        env={"HOURSMITH_TOOLSETS": "clients"},
    )
    async with Client(params, mode="legacy") as client:  # type: ignore[arg-type]
        listed = {tool.name for tool in (await client.list_tools()).tools}
    assert listed == {
        "list_time_entries",
        "get_time_entry",
        "get_running_timer",
        "create_time_entry",
        "update_time_entry",
        "delete_time_entry",
        "list_invoices",
    }


def test_unknown_toolset_is_a_stderr_warning_and_the_server_still_serves(upstream: RunningSandbox) -> None:
    initialize = (
        '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25",'
        '"capabilities":{},"clientInfo":{"name":"t","version":"1"}}}\n'
    )
    run = subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", "--toolsets", "time,payroll", "--tools", "nothing_*"],
        input=initialize,
        capture_output=True,
        text=True,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOURSMITH_API_TOKEN": role_token("OWNER"),
            "HOURSMITH_API_URL": upstream.base_url,
        },
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert '"id":1' in run.stdout.replace(" ", "") and '"result"' in run.stdout  # it answered initialize
    assert "unknown toolset 'payroll'" in run.stderr
    assert "'nothing_*' matches no tool" in run.stderr
    assert "Traceback" not in run.stderr
