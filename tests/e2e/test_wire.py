"""What reaches the wire, read from the sandbox's request log: idempotency keys, path encoding, query."""

from __future__ import annotations

import uuid

import httpx
import pytest

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .cases import CASES
from .support import error_of, in_process_client, request_log, role_token

pytestmark = pytest.mark.anyio


async def test_every_post_carries_a_fresh_idempotency_key(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    posts = [case for case in CASES if case.tool.startswith(("create_", "archive_"))]
    async with in_process_client(upstream, role_token("OWNER")) as client:
        for _ in range(3):
            for case in posts:
                await client.call_tool(case.tool, case.ok)
    logged = [entry for entry in request_log(fresh) if entry["method"] == "POST"]
    assert len(logged) == 3 * len(posts) == 21
    keys = [entry["headers"].get("idempotency-key") for entry in logged]
    assert all(keys) and len(set(keys)) == len(keys)  # present on every POST, never reused across calls
    assert all(uuid.UUID(key) for key in keys)
    others = [entry for entry in request_log(fresh) if entry["method"] != "POST"]
    assert all("idempotency-key" not in entry["headers"] for entry in others)


@pytest.mark.parametrize(
    ("value", "raw_segment"),
    [
        ("a/b", "a%2Fb"),
        ("../members", "..%2Fmembers"),
        ("x?role=OWNER", "x%3Frole%3DOWNER"),
        ("x#frag", "x%23frag"),
        ("%2e%2e", "%252e%252e"),
    ],
)
async def test_path_values_stay_one_encoded_segment_on_the_wire(
    upstream: RunningSandbox, fresh: httpx.Client, value: str, raw_segment: str
) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        result = await client.call_tool("get_client", {"client_id": value})
    assert error_of(result)["status"] == 404  # no such client: the value never became a route
    (entry,) = request_log(fresh)
    assert entry["rawPath"] == f"/api/v1/clients/{raw_segment}"
    assert entry["query"] == ""


async def test_dot_segments_and_empty_ids_never_reach_the_wire(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        for value in ("..", ".", "", "  "):
            result = await client.call_tool("get_client", {"client_id": value})
            error = error_of(result)
            assert error["code"] == "invalid_arguments", error
    assert request_log(fresh) == []


async def test_optional_query_values_are_omitted_and_names_mapped(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        await client.call_tool("list_time_entries", {"limit": 5})
        await client.call_tool(
            "list_time_entries",
            {"project_id": seed.HOURLY_PROJECT_ID, "billable": False, "entry_date_from": "2025-01-01"},
        )
    first, second = request_log(fresh)
    assert first["query"] == "limit=5"
    assert second["query"] == f"projectId={seed.HOURLY_PROJECT_ID}&billable=false&entryDateFrom=2025-01-01"


async def test_the_token_is_on_the_wire_only_as_a_bearer_header(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        await client.call_tool("get_me", {})
    (entry,) = request_log(fresh)
    assert entry["headers"]["authorization"] == "Bearer <redacted>"  # the sandbox saw a bearer token
    assert role_token("OWNER") not in str(entry)
