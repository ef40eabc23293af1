"""Auto-paging: max_items collects pages in one call, with a progress notification per page."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.calls.autopaging import collect_pages
from hoursmith_mcp.engine.calls.outcome import ToolOutcome, success
from hoursmith_mcp.engine.calls.tool_call import CallReporter
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.manifest.model import Tool
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import in_process_client, request_log, result_json, role_token

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("era", ["legacy", "auto"])
async def test_max_items_follows_cursors_and_reports_each_page(
    upstream: RunningSandbox, fresh: httpx.Client, era: str
) -> None:
    async with in_process_client(upstream, role_token("OWNER"), era) as client:
        one_by_one: list[Any] = []
        cursor = None
        for _ in range(5):  # the same five records, page by page, the ordinary way
            arguments: dict[str, Any] = {"limit": 1, "sort": "name", **({"cursor": cursor} if cursor else {})}
            page = result_json(await client.call_tool("list_clients", arguments))
            one_by_one += page["items"]
            cursor = page["next_cursor"]
        fresh.delete("/_sandbox/requests")
        seen: list[tuple[float, float | None]] = []

        async def on_progress(progress: float, total: float | None, message: str | None) -> None:
            seen.append((progress, total))

        result = await client.call_tool(
            "list_clients", {"limit": 2, "sort": "name", "max_items": 5}, progress_callback=on_progress
        )
    collected = result_json(result)
    assert collected["items"] == one_by_one
    assert collected["next_cursor"] == cursor  # more remain: resume exactly after the fifth
    assert seen == [(2, 5), (4, 5), (5, 5)]
    sent = request_log(fresh)
    queries = [parse_qs(r["query"]) for r in sent]
    assert [q["limit"] for q in queries] == [["2"], ["2"], ["1"]]  # never more than still fits
    assert all("max_items" not in q and "maxItems" not in q for q in queries)  # the engine's, not the API's


async def test_max_items_stops_at_the_last_page(upstream: RunningSandbox, fresh: httpx.Client) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        everything = result_json(await client.call_tool("list_clients", {"limit": 200}))
        collected = result_json(await client.call_tool("list_clients", {"limit": 3, "max_items": 1000}))
    assert everything["next_cursor"] is None
    assert collected == everything


async def test_max_items_out_of_range_is_a_tool_error(upstream: RunningSandbox) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        result = await client.call_tool("list_clients", {"max_items": 0})
    assert result.is_error


class RepeatingApi:
    """A list endpoint whose cursor stops advancing after the second page."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def call(self, tool: Tool, arguments: dict[str, Any] | None, reporter: CallReporter) -> ToolOutcome:
        self.calls.append(dict(arguments or {}))
        return success({"items": [len(self.calls)], "next_cursor": "c1" if len(self.calls) == 1 else "c2"})


class Recorder:
    def __init__(self) -> None:
        self.steps: list[float] = []

    async def progress(self, done: float, total: float | None, message: str) -> None:
        self.steps.append(done)

    async def log(self, level: str, message: str) -> None:
        return None


async def test_a_cursor_that_does_not_advance_stops_with_an_error() -> None:
    manifest = load_manifest(default_manifest_path())
    tool = manifest.tool("list_clients")
    assert tool is not None
    api, recorder = RepeatingApi(), Recorder()
    outcome = await collect_pages(api, manifest, tool, {"max_items": 100}, recorder)
    assert outcome.is_error
    assert outcome.structured["error"]["code"] == "cursor_not_advancing"
    assert "'c2' again" in outcome.text
    assert [c.get("cursor") for c in api.calls] == [None, "c1", "c2"]  # stopped, not looping
    assert recorder.steps == [1, 2, 3]
