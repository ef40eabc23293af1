"""Permission fidelity: for every seeded role and every tool, the MCP outcome equals what the same
token gets from the API directly. The server adds no check and removes none.

Each tool call goes through the engine; the sandbox's request log gives the exact request it sent;
after a reset the same request is replayed directly with the same token, and the answers compared
(a 422's fields are named as the tool's arguments, as the model sent them; the reasons are the API's).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx
import pytest

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.manifest.projection import shape_success
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .cases import CASES
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


@pytest.mark.parametrize("who", list(TOKENS))
async def test_every_tool_answers_as_the_api_does_for_this_token(
    upstream: RunningSandbox, fresh: httpx.Client, who: str
) -> None:
    token = TOKENS[who]
    outcomes: list[str] = []
    async with in_process_client(upstream, token) as client:
        for case in CASES:
            fresh.post("/_sandbox/reset")
            result = await client.call_tool(case.tool, case.ok)
            logged = request_log(fresh)
            assert len(logged) == 1, f"{case.tool}: expected exactly one upstream request, got {logged}"
            fresh.post("/_sandbox/reset")
            direct = replay(upstream, token, logged[0])
            tool = MANIFEST.tool(case.tool)
            assert tool is not None
            if direct.status_code >= 400:
                envelope = direct.json()["error"]
                error = error_of(result)
                assert (error["status"], error["code"], error["message"]) == (
                    direct.status_code,
                    envelope["code"],
                    envelope["message"],
                ), case.tool
                assert error.get("fields") == as_arguments(tool, envelope.get("fields")), case.tool
                outcomes.append(f"{case.tool}:{envelope['code']}")
            else:
                assert not result.is_error, f"{case.tool}: {result.content}"
                body = json.loads(direct.content) if direct.content else None
                path_args = {a.name: case.ok[a.name] for a in tool.arguments_in("path")}
                expected = shape_success(tool, MANIFEST.api.pagination, direct.status_code, body, path_args)
                actual = result_json(result)
                assert set(actual) == set(expected), case.tool
                if tool.read_only:
                    assert ids_of(actual) == ids_of(expected), case.tool
                outcomes.append(f"{case.tool}:ok")
    # The matrix is not trivial: each token meets both answers somewhere, except the free workspace.
    codes = {outcome.split(":")[1] for outcome in outcomes}
    if who.startswith("free"):
        assert codes == {"forbidden_plan"}
    elif who == "studio MEMBER":
        assert {"ok", "forbidden_scope"} <= codes
    else:
        assert "ok" in codes
