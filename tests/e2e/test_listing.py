"""What a client sees at connection: tools with honest annotations, schemas, instructions."""

from __future__ import annotations

import pytest
from mcp import Client

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import ERAS, role_token, server_params

pytestmark = pytest.mark.anyio

DESTRUCTIVE = {"delete_client", "archive_project", "archive_task", "delete_time_entry", "delete_expense"}


@pytest.mark.parametrize("era", ERAS)
async def test_tools_list_carries_the_manifest_with_honest_annotations(
    upstream: RunningSandbox, era: str
) -> None:
    manifest = load_manifest(default_manifest_path())
    async with Client(server_params(upstream, role_token("OWNER")), mode=era) as client:  # type: ignore[arg-type]
        assert client.instructions and "next_cursor" in client.instructions
        assert client.server_info is not None and client.server_info.name == "hoursmith"
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert len(tools) == len(manifest.listing) == 36
    assert {
        name for name, tool in tools.items() if tool.annotations and tool.annotations.destructive_hint
    } == DESTRUCTIVE
    superseded = {workflow.name for workflow in manifest.workflows if workflow.supersedes}
    for spec in manifest.tools:
        if spec.name in superseded:
            continue  # listed as its workflow, checked below
        tool = tools[spec.name]
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is (spec.method == "GET"), spec.name
        if spec.method == "GET":  # both hints mean nothing for a read-only tool, so they are left out
            assert tool.annotations.destructive_hint is None and tool.annotations.idempotent_hint is None
        else:
            assert tool.annotations.destructive_hint is (spec.name in DESTRUCTIVE), spec.name
            assert tool.annotations.idempotent_hint is spec.idempotent, spec.name
        assert tool.annotations.open_world_hint is False and tool.annotations.title is None
        assert tool.title == spec.title and tool.description == spec.description
        assert tool.input_schema["type"] == "object"
        autopaging = {"max_items"} if spec.paginated else set()  # the engine's own, never sent upstream
        assert set(tool.input_schema["properties"]) == {arg.name for arg in spec.arguments} | autopaging
        assert set(tool.input_schema.get("required", [])) == {
            arg.name for arg in spec.arguments if arg.required
        }
    for workflow in manifest.workflows:
        tool = tools[workflow.name]
        assert tool.annotations is not None and tool.title == workflow.title
        assert tool.annotations.read_only_hint is workflow.read_only, workflow.name
        assert set(tool.input_schema["properties"]) == {arg.name for arg in workflow.arguments}
    writes = {name: tools[name].annotations for name in ("start_timer", "stop_timer", "log_time")}
    assert all(a and a.read_only_hint is False and a.destructive_hint is False for a in writes.values())
    assert writes["stop_timer"].idempotent_hint is True and writes["log_time"].idempotent_hint is False  # type: ignore[union-attr]
    # The workflow in get_running_timer's place takes its arguments and promises its output schema.
    assert tools["get_running_timer"].input_schema == manifest.tool("get_running_timer").input_schema  # type: ignore[union-attr]
    assert tools["get_running_timer"].output_schema == manifest.tool("get_running_timer").output_schema  # type: ignore[union-attr]
    assert tools["get_me"].output_schema is not None
    assert tools["create_time_entry"].annotations.idempotent_hint is False  # type: ignore[union-attr]
    assert tools["update_client"].annotations.idempotent_hint is True  # type: ignore[union-attr]
    assert tools["archive_project"].annotations.read_only_hint is False  # type: ignore[union-attr]
