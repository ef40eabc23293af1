"""Every one of the 31 tools, end to end through a stdio subprocess against the sandbox, in both
protocol eras: a success, and a characteristic failure passed on faithfully."""

from __future__ import annotations

import anyio
import httpx
import pytest
from mcp import Client

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .cases import CASES, Failure
from .support import ERAS, error_of, result_json, role_token, server_params

pytestmark = pytest.mark.anyio


def test_the_cases_cover_every_tool_of_the_manifest() -> None:
    manifest = load_manifest(default_manifest_path())
    assert sorted(case.tool for case in CASES) == sorted(tool.name for tool in manifest.tools)
    assert len(CASES) == 31


def failure_token(failure: Failure) -> str:
    return seed.REVOKED_OWNER_TOKEN if failure.revoked else role_token(failure.role, failure.workspace)


@pytest.mark.parametrize("era", ERAS)
async def test_every_tool_succeeds_for_the_owner(
    upstream: RunningSandbox, fresh: httpx.Client, era: str
) -> None:
    async with Client(server_params(upstream, role_token("OWNER")), mode=era) as client:  # type: ignore[arg-type]
        listed = {tool.name for tool in (await client.list_tools()).tools}
        workflows = {workflow.name for workflow in load_manifest(default_manifest_path()).workflows}
        assert listed == {case.tool for case in CASES} | workflows  # get_running_timer is both
        for case in CASES:
            fresh.post("/_sandbox/reset")
            result = await client.call_tool(case.tool, case.ok)
            assert not result.is_error, f"{case.tool}: {result.content}"
            structured = result_json(result)
            if case.tool.startswith("list_"):
                assert set(structured) == {"items", "next_cursor"} and structured["items"], case.tool
            elif case.tool.startswith("delete_"):
                assert structured["ok"] is True and structured["status"] == 204
            else:
                assert structured, case.tool


@pytest.mark.parametrize("era", ERAS)
async def test_every_tool_passes_its_characteristic_failure_on(
    upstream: RunningSandbox, fresh: httpx.Client, era: str
) -> None:
    by_token: dict[str, list[tuple[str, Failure]]] = {}
    for case in CASES:
        by_token.setdefault(failure_token(case.failure), []).append((case.tool, case.failure))
    # The API's own refusals are what this checks, so every tool is listed: a Member's server would
    # not list the tools a Member can never use (test_role_listing.py proves those are refused).
    every_tool = {"HOURSMITH_NO_ROLE_FILTER": "1"}
    for token, calls in by_token.items():
        params = server_params(upstream, token, env=every_tool)
        async with Client(params, mode=era) as client:  # type: ignore[arg-type]
            for tool, failure in calls:
                fresh.post("/_sandbox/reset")
                result = await client.call_tool(tool, failure.arguments)
                error = error_of(result)
                assert (error["status"], error["code"]) == (failure.status, failure.code), f"{tool}: {error}"
                first_line = result.content[0].text.splitlines()[0]  # type: ignore[union-attr]
                assert first_line.startswith(f"{failure.status} {failure.code}: "), first_line
                if failure.status == 422:
                    assert error["fields"], f"{tool}: 422 without fields"
                if failure.status == 402:
                    assert error["details"] == {"required_plan": "studio", "feature": "apiAccess"}


async def test_calls_from_one_client_can_run_concurrently(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with Client(server_params(upstream, role_token("OWNER")), mode="legacy") as client:
        results: list[bool] = []

        async def one(index: int) -> None:
            result = await client.call_tool("get_client", {"client_id": seed.CLIENT_WITH_ACTIVE_PROJECT_ID})
            results.append(
                not result.is_error and result_json(result)["id"] == seed.CLIENT_WITH_ACTIVE_PROJECT_ID
            )

        with anyio.fail_after(30):
            async with anyio.create_task_group() as group:
                for index in range(20):
                    group.start_soon(one, index)
        assert results == [True] * 20
