"""A client's own idempotency key (`_meta.idempotencyKey`): its retry of a write replays, never repeats.

The engine makes one key per tool call, which protects its own retries; a client that retries the
whole call (after a lost answer, perhaps through another replica) is a new call, so it sends its own key.
"""

from __future__ import annotations

import httpx
import pytest
from mcp.shared.exceptions import MCPError

from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import ERAS, in_process_client, request_log, result_json, role_token

pytestmark = pytest.mark.anyio


def clients_named(control: httpx.Client, upstream: RunningSandbox, name: str) -> list[str]:
    headers = {"Authorization": f"Bearer {role_token('OWNER')}"}
    answer = httpx.get(upstream.base_url + "/clients", params={"search": name, "limit": 100}, headers=headers)
    return [c["id"] for c in answer.json()["data"] if c["name"] == name]


@pytest.mark.parametrize("era", ERAS)
async def test_the_same_key_twice_creates_once_and_answers_the_same(
    upstream: RunningSandbox, fresh: httpx.Client, era: str
) -> None:
    arguments = {"name": "Retried Co", "currency": "EUR"}
    async with in_process_client(upstream, role_token("OWNER"), era) as client:
        first = await client.call_tool("create_client", arguments, meta={"idempotencyKey": "retry-7f3a"})
        again = await client.call_tool("create_client", arguments, meta={"idempotencyKey": "retry-7f3a"})
        other = await client.call_tool("create_client", arguments)  # no key: a new call, a new record
    assert result_json(first)["id"] == result_json(again)["id"]
    assert result_json(other)["id"] != result_json(first)["id"]
    assert len(clients_named(fresh, upstream, "Retried Co")) == 2
    keys = [e["headers"]["idempotency-key"] for e in request_log(fresh) if e["method"] == "POST"]
    assert keys[:2] == ["retry-7f3a", "retry-7f3a"] and keys[2] != "retry-7f3a"


@pytest.mark.parametrize("bad", ["", "has space", "é" * 3, "x" * 256, 42])
async def test_a_malformed_key_is_refused_before_any_request(
    upstream: RunningSandbox, fresh: httpx.Client, bad: object
) -> None:
    async with in_process_client(upstream, role_token("OWNER"), "legacy") as client:
        with pytest.raises(MCPError, match="idempotencyKey must be 1 to 255 visible ASCII"):
            await client.call_tool(
                "create_client", {"name": "X", "currency": "EUR"}, meta={"idempotencyKey": bad}
            )
    assert request_log(fresh) == []
