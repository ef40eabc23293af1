"""Permission fidelity: for every seeded role and every tool, the MCP outcome equals what the same
token gets from the API directly. The server adds no check and removes none.

Each tool call goes through the engine; the sandbox's request log gives the exact requests it sent;
after a reset the same requests are replayed directly with the same token, and the answers compared
(a 422's fields are named as the tool's arguments, as the model sent them; the reasons are the API's).
A workflow makes several requests: each must get the same answer directly, and the workflow's outcome
must follow from them (its error is the failing request's own; a success never hides a failed write).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import mcp.types as types
import pytest

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.manifest.projection import shape_success
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .cases import CASES, WORKFLOW_CASES, Case
from .support import error_of, in_process_client, request_log, result_json, role_token

pytestmark = pytest.mark.anyio

TOKENS = {
    "studio OWNER": role_token("OWNER"),
    "studio ADMIN": role_token("ADMIN"),
    "studio MANAGER": role_token("MANAGER"),
    "studio MEMBER": role_token("MEMBER"),
    "agency OWNER": role_token("OWNER", "agency"),
    "free OWNER": role_token("OWNER", "free"),
}
MANIFEST = load_manifest(default_manifest_path())
SUPERSEDED = {workflow.name for workflow in MANIFEST.workflows if workflow.supersedes}


def replay(upstream: RunningSandbox, token: str, logged: dict[str, Any]) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
    if logged["method"] == "POST":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    if logged["body"] is not None:
        headers["Content-Type"] = "application/json"
    url = upstream.root_url + logged["path"] + (f"?{logged['query']}" if logged["query"] else "")
    return httpx.request(logged["method"], url, headers=headers, content=logged["body"], timeout=10)


def as_arguments(tool: Any, fields: dict[str, str] | None) -> dict[str, str] | None:
    """The API's per-field reasons, each named as the tool's argument (what the model sent)."""
    if fields is None:
        return None
    named = {arg.api_name: arg.name for arg in tool.arguments if arg.location != "path"}
    return {named.get(name, name): reason for name, reason in fields.items()}


def ids_of(value: Any) -> Any:
    """What must match between two reads of the same data (a running timer's duration keeps growing)."""
    if isinstance(value, dict):
        if "items" in value:
            return [ids_of(item) for item in value["items"]]
        return value.get("id", sorted(value))
    return value


ToolCaller = Callable[[str, dict[str, Any]], Awaitable[types.CallToolResult]]


async def outcome_matches_the_api(
    upstream: RunningSandbox, fresh: httpx.Client, token: str, case: Case, call_tool: ToolCaller
) -> str:
    """One cell of the matrix: the tool's outcome for `token` equals the API's direct answer to the
    exact request the engine sent (read from the sandbox's request log); returns `tool:outcome`."""
    tool = MANIFEST.tool(case.tool)
    assert tool is not None
    fresh.post("/_sandbox/reset")
    result = await call_tool(case.tool, case.ok)
    logged = request_log(fresh)
    if case.tool in SUPERSEDED:
        # Listed as its workflow: the tool's own request first, then only reads that add names.
        assert logged and all(entry["method"] == "GET" for entry in logged[1:]), case.tool
    else:
        assert len(logged) == 1, f"{case.tool}: expected exactly one upstream request, got {logged}"
    if not tool.read_only:
        fresh.post("/_sandbox/reset")  # the replay must meet the state the tool call met
    direct = replay(upstream, token, logged[0])
    if direct.status_code >= 400:
        envelope = direct.json()["error"]
        error = error_of(result)
        assert (error["status"], error["code"], error["message"]) == (
            direct.status_code,
            envelope["code"],
            envelope["message"],
        ), case.tool
        assert error.get("fields") == as_arguments(tool, envelope.get("fields")), case.tool
        return f"{case.tool}:{envelope['code']}"
    assert not result.is_error, f"{case.tool}: {result.content}"
    body = json.loads(direct.content) if direct.content else None
    path_args = {a.name: case.ok[a.name] for a in tool.arguments_in("path")}
    expected = shape_success(tool, MANIFEST.api.pagination, direct.status_code, body, path_args)
    actual = result_json(result)
    assert set(actual) == set(expected), case.tool
    if case.tool in SUPERSEDED:  # a strict superset: every field the tool gives, and more
        for key, value in expected.items():
            if isinstance(value, dict):
                assert set(value) < set(actual[key]), case.tool
    if tool.read_only:
        assert ids_of(actual) == ids_of(expected), case.tool
    return f"{case.tool}:ok"


def assert_not_trivial(who: str, outcomes: list[str]) -> None:
    """Each token meets both answers somewhere, except the free workspace."""
    codes = {outcome.split(":")[1] for outcome in outcomes}
    if who.startswith("free"):
        assert codes == {"forbidden_plan"}
    elif who == "studio MEMBER":
        assert {"ok", "forbidden_scope"} <= codes
    else:
        assert "ok" in codes


@pytest.mark.parametrize("who", list(TOKENS))
async def test_every_tool_answers_as_the_api_does_for_this_token(
    upstream: RunningSandbox, fresh: httpx.Client, who: str
) -> None:
    token = TOKENS[who]
    async with in_process_client(upstream, token) as client:
        outcomes = [
            await outcome_matches_the_api(upstream, fresh, token, case, client.call_tool) for case in CASES
        ]
    assert_not_trivial(who, outcomes)


@pytest.mark.parametrize("who", list(TOKENS))
async def test_every_workflow_answers_as_the_api_does_for_this_token(
    upstream: RunningSandbox, fresh: httpx.Client, who: str
) -> None:
    token = TOKENS[who]
    outcomes: list[str] = []
    async with in_process_client(upstream, token) as client:
        for case in WORKFLOW_CASES:
            fresh.post("/_sandbox/reset")
            result = await client.call_tool(case.tool, case.arguments)
            logged = request_log(fresh)
            assert logged, f"{case.tool}: no request reached the API"
            # The same requests, straight to the API with the same token, from the same state.
            fresh.post("/_sandbox/reset")
            direct = [replay(upstream, token, entry) for entry in logged]
            assert [r.status_code for r in direct] == [e["status"] for e in logged], case.tool
            failed = [
                (entry, answer) for entry, answer in zip(logged, direct, strict=True) if answer.is_error
            ]
            if result.is_error and error_of(result)["code"] in ("name_not_found", "ambiguous_name"):
                # The engine's own answer: a name this token's lists do not resolve to one record.
                assert not failed and logged[-1]["method"] == "GET", case.tool
                outcomes.append(f"{case.tool}:{error_of(result)['code']}")
            elif result.is_error:
                error = error_of(result)
                entry, answer = failed[-1]  # the request the workflow stopped at
                envelope = answer.json()["error"]
                assert (error["status"], error["code"], error["message"]) == (
                    answer.status_code, envelope["code"], envelope["message"]
                ), case.tool  # fmt: skip
                assert entry is logged[-1], f"{case.tool}: requests were sent after the failing one"
                outcomes.append(f"{case.tool}:{envelope['code']}")
            else:
                # Success despite a refusal only where a read that adds names was refused.
                assert all(entry["method"] == "GET" for entry, _ in failed), case.tool
                assert "error" not in result_json(result)
                outcomes.append(f"{case.tool}:ok")
    codes = {outcome.split(":")[1] for outcome in outcomes}
    if who.startswith("free"):
        assert codes == {"forbidden_plan"}
    elif who == "studio MEMBER":
        # Her own time works; a client named in words needs clients she may not list.
        assert "unbilled_time:forbidden_scope" in outcomes and "start_timer:ok" in outcomes
    elif who.startswith("agency"):
        assert "name_not_found" in codes and "ok" in codes  # the studio's names mean nothing there
    else:
        assert codes == {"ok"}, outcomes
