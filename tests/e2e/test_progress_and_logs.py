"""Progress notifications when asked for, and MCP log messages after logging/setLevel, both redacted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from mcp import Client

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from ..token_forms import leaks, spellings
from .support import ERAS, role_token, server_params

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("era", ERAS)
async def test_progress_is_reported_when_the_caller_sent_a_token(upstream: RunningSandbox, era: str) -> None:
    seen: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total, message))

    async with Client(server_params(upstream, role_token("OWNER")), mode=era) as client:  # type: ignore[arg-type]
        result = await client.call_tool("get_me", {}, progress_callback=on_progress)
    assert not result.is_error
    # Three strictly increasing steps: request sent, answer received, result ready (serving/call_trace.py).
    assert [(p, t) for p, t, _ in seen] == [(1, 3), (2, 3), (3, 3)]
    assert seen[0][2] == "GET /api/v1/me" and seen[1][2] == "HTTP 200"
    assert (seen[2][2] or "").startswith("result ready in ")


async def test_log_messages_reach_the_client_after_set_level(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    messages: list[Any] = []

    async def on_log(params: Any) -> None:
        messages.append(params)

    token = role_token("MEMBER")
    # With the role filter off, so that the API's 403 to a Member is what is logged.
    params = server_params(upstream, token, "--no-role-filter")
    async with Client(params, mode="legacy", logging_callback=on_log) as client:
        await client.call_tool("list_clients", {})  # 403 for a Member: logged at info
        assert messages == []  # nothing before the client asks
        await client.set_logging_level("info")
        await client.call_tool("list_clients", {})
        await client.call_tool("get_client", {"client_id": seed.CLIENT_WITH_ACTIVE_PROJECT_ID})
    assert [m.level for m in messages] == ["info", "info"]
    assert "HTTP 403" in str(messages[0].data)
    assert all(token not in str(m.data) for m in messages)


async def test_progress_and_log_messages_never_carry_the_token(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    """A model that passes the token as an id puts it in the request path, which progress names."""
    token = role_token("OWNER")
    seen: list[str] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append(message or "")

    async def on_log(params: Any) -> None:
        seen.append(str(params.data))

    async with Client(server_params(upstream, token), mode="legacy", logging_callback=on_log) as client:
        await client.set_logging_level("debug")
        for form in spellings(token).values():
            await client.call_tool("get_client", {"client_id": form}, progress_callback=on_progress)
    assert any(message.startswith("GET /api/v1/clients/") for message in seen)
    assert [message for message in seen if leaks(message, token)] == []
