"""Role-aware listing: a server acting as a role lists only the tools that role can use at all.

The proof that nothing usable is hidden runs against the permission-fidelity matrix (cases.py): for
every seeded role, every tool the role's server does not list is refused by the API with 403
forbidden_scope for every argument set of the matrix, and every tool the API let the role use is
listed. When the role cannot be learnt (a network error, a revoked token, the free plan), nothing is
hidden and stderr says why.
"""

from __future__ import annotations

import socket

import httpx
import pytest
from mcp.shared.exceptions import MCPError

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.sandbox.runner import RunningSandbox
from hoursmith_mcp.sandbox.seed import REVOKED_OWNER_TOKEN

from ..reliability.raw_server import RawServer
from .cases import CASES
from .support import error_of, in_process_client, role_token

pytestmark = pytest.mark.anyio

MANIFEST = load_manifest(default_manifest_path())
ALL_TOOLS = {tool.name for tool in MANIFEST.listing}  # the API tools and the workflow tools
API_TOOLS = {tool.name for tool in MANIFEST.tools}
WORKFLOWS = {"start_timer", "stop_timer", "log_time", "time_summary", "unbilled_time", "get_running_timer"}
MEMBER_TOOLS = {
    "get_me", "get_organization", "list_members", "list_projects", "get_project", "list_tasks",
    "get_task", "update_task", "list_time_entries", "get_time_entry", "get_running_timer",
    "create_time_entry", "update_time_entry", "delete_time_entry", *WORKFLOWS,
}  # fmt: skip
ROLES = ("OWNER", "ADMIN", "MANAGER", "MEMBER")


@pytest.mark.parametrize("role", ROLES)
async def test_each_role_lists_the_tools_it_can_use(upstream: RunningSandbox, role: str) -> None:
    async with in_process_client(upstream, role_token(role), by_role=True) as client:
        listed = {tool.name for tool in (await client.list_tools()).tools}
    assert listed == (MEMBER_TOOLS if role == "MEMBER" else ALL_TOOLS)


@pytest.mark.parametrize("role", ROLES)
async def test_a_tool_is_hidden_only_when_the_api_refuses_it_to_that_role_every_time(
    upstream: RunningSandbox, fresh: httpx.Client, role: str
) -> None:
    token = role_token(role)
    async with in_process_client(upstream, token, by_role=True) as listing:
        listed = {tool.name for tool in (await listing.list_tools()).tools}
    answers: dict[str, set[str]] = {}
    async with in_process_client(upstream, token) as client:  # everything callable, to ask the API
        for case in CASES:
            for arguments in (case.ok, case.failure.arguments or case.ok):
                fresh.post("/_sandbox/reset")
                result = await client.call_tool(case.tool, arguments)
                code = error_of(result)["code"] if result.is_error else "ok"
                answers.setdefault(case.tool, set()).add(code)
    assert set(answers) == API_TOOLS  # the matrix covers every API tool
    assert ALL_TOOLS - listed <= API_TOOLS  # the workflow tools are for every role
    for tool, codes in answers.items():
        if tool not in listed:
            assert codes == {"forbidden_scope"}, f"{role}: {tool} is hidden but the API answered {codes}"
        if "ok" in codes:
            assert tool in listed, f"{role}: {tool} works for this role but is not listed"


async def test_a_hidden_tool_cannot_be_called_either(upstream: RunningSandbox) -> None:
    async with in_process_client(upstream, role_token("MEMBER"), by_role=True) as client:
        with pytest.raises(MCPError, match="Unknown tool: list_clients"):
            await client.call_tool("list_clients", {})


def serve_and_list(env: dict[str, str], *args: str) -> tuple[set[str], str]:
    """tools/list from `hoursmith-mcp` over stdio, as a client launches it; and its stderr."""
    server = RawServer(env, *args)
    try:
        server.start()
        tools = server.request(1, "tools/list")["result"]["tools"]
    finally:
        stderr = server.finish()
    return {tool["name"] for tool in tools}, stderr


def test_the_sandbox_member_lists_only_its_tools() -> None:
    listed, _ = serve_and_list({}, "--sandbox", "--sandbox-role", "member")
    assert listed == MEMBER_TOOLS


def test_opting_out_lists_every_tool() -> None:
    listed, _ = serve_and_list({"HOURSMITH_NO_ROLE_FILTER": "1"}, "--sandbox", "--sandbox-role", "member")
    assert listed == ALL_TOOLS
    listed, _ = serve_and_list({}, "--sandbox", "--sandbox-role", "member", "--no-role-filter")
    assert listed == ALL_TOOLS


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("why", "env_or_args"),
    [
        ("402 forbidden_plan", ("--sandbox", "--sandbox-plan", "free")),
        ("401 unauthenticated", "revoked"),
        ("upstream_connection", "unreachable"),
    ],
)
def test_when_the_role_cannot_be_learnt_nothing_is_hidden_and_stderr_says_why(
    upstream: RunningSandbox, why: str, env_or_args: object
) -> None:
    if env_or_args == "revoked":
        env = {"HOURSMITH_API_TOKEN": REVOKED_OWNER_TOKEN, "HOURSMITH_API_URL": upstream.base_url}
        args: tuple[str, ...] = ()
    elif env_or_args == "unreachable":
        env = {
            "HOURSMITH_API_TOKEN": role_token("MEMBER"),
            "HOURSMITH_API_URL": f"http://127.0.0.1:{unused_port()}/api/v1",
        }
        args = ()
    else:
        env, args = {}, tuple(env_or_args)  # type: ignore[arg-type]
    listed, stderr = serve_and_list(env, *args)
    assert listed == ALL_TOOLS
    line = next(line for line in stderr.splitlines() if "could not learn the token's role" in line)
    assert why in line and line.endswith("listing every tool")
