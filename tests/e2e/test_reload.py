"""Hot reload: an edit under --watch swaps the tools and sends list_changed; a bad edit changes nothing."""

from __future__ import annotations

import logging
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from mcp import Client

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.calls.connection import Connection
from hoursmith_mcp.engine.calls.redaction import Redactor
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.serving.reload import watch_manifest
from hoursmith_mcp.engine.serving.runtime import Engine, running_engine
from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import result_json, role_token, server_params

pytestmark = pytest.mark.anyio

GET_MEMBER = """
  - name: get_member
    title: Get member
    description: One workspace member by id.
    method: GET
    path: /members/{member_id}
    destructive: false
    arguments:
      member_id:
        in: path
        schema: {type: string, minLength: 1}
    projection: "data.{id: id, name: name, role: role}"
"""


def copy_manifest(tmp_path: Path) -> Path:
    path = tmp_path / "tools.yaml"
    shutil.copyfile(default_manifest_path(), path)
    return path


def is_list_changed(message: Any) -> bool:
    inner = getattr(message, "root", message)
    return getattr(inner, "method", None) == "notifications/tools/list_changed"


async def wait_for(condition: Any, seconds: float = 10.0) -> None:
    with anyio.fail_after(seconds):
        while not condition():
            await anyio.sleep(0.05)


async def test_an_edit_under_watch_sends_list_changed_and_serves_the_new_tool(
    upstream: RunningSandbox, tmp_path: Path
) -> None:
    manifest = copy_manifest(tmp_path)
    notices: list[Any] = []

    async def on_message(message: Any) -> None:
        if is_list_changed(message):
            notices.append(message)

    params = server_params(upstream, role_token("OWNER"), "--manifest", str(manifest), "--watch")
    async with Client(params, mode="legacy", message_handler=on_message) as client:  # type: ignore[arg-type]
        before = {tool.name for tool in (await client.list_tools()).tools}
        assert "get_member" not in before
        await anyio.sleep(0.6)  # the watcher took its first look
        with manifest.open("a", encoding="utf-8") as file:
            file.write(GET_MEMBER)
        await wait_for(lambda: notices)
        after = {tool.name for tool in (await client.list_tools()).tools}
        assert after == before | {"get_member"}
        member = result_json(await client.call_tool("get_member", {"member_id": seed.STUDIO_OWNER_MEMBER_ID}))
    assert member["role"] == "OWNER"


@asynccontextmanager
async def watched_engine(upstream: RunningSandbox, path: Path) -> AsyncIterator[tuple[Engine, Client]]:
    token = role_token("OWNER")
    connection = Connection(base_url=upstream.base_url, token=token)
    async with (
        running_engine(load_manifest(path), connection, Redactor([token], "hsk_")) as engine,
        Client(engine.server, mode="legacy") as client,  # type: ignore[arg-type]
        anyio.create_task_group() as tasks,
    ):
        tasks.start_soon(watch_manifest, path, engine, 0.05)
        yield engine, client
        tasks.cancel_scope.cancel()


async def test_an_invalid_edit_keeps_the_old_tools_and_logs_each_problem_with_its_line(
    upstream: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = copy_manifest(tmp_path)
    caplog.set_level(logging.INFO, logger="hoursmith_mcp")
    async with watched_engine(upstream, path) as (engine, client):
        before = {tool.name for tool in (await client.list_tools()).tools}
        original = engine.state.catalog
        await anyio.sleep(0.2)
        broken = GET_MEMBER.replace("path: /members/{member_id}", "path: /members/{who}").replace(
            "destructive: false\n", ""
        )
        path.write_text(path.read_text(encoding="utf-8") + broken, encoding="utf-8")
        await wait_for(lambda: "reload refused" in caplog.text)
        assert engine.state.catalog is original
        assert {tool.name for tool in (await client.list_tools()).tools} == before
        assert not (await client.call_tool("get_me", {})).is_error
    problems = [r.getMessage() for r in caplog.records if r.getMessage().startswith(f"{path}:")]
    assert problems, caplog.text
    lines = len(path.read_text(encoding="utf-8").splitlines())
    for problem in problems:  # FILE:LINE:COL pointing into the appended tool
        line = int(problem.split(":")[1])
        assert lines - GET_MEMBER.count("\n") <= line <= lines, problem


async def test_a_call_in_flight_finishes_on_the_catalog_it_started_with(
    upstream: RunningSandbox, fresh: httpx.Client, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = copy_manifest(tmp_path)
    caplog.set_level(logging.INFO, logger="hoursmith_mcp")
    # get_organization, not get_me: the manifest's resources and prompts rely on get_me, so removing
    # it alone would be an invalid edit.
    fault = {"method": "GET", "path": "/api/v1/organization", "times": 1, "delaySeconds": 1.0}
    assert fresh.post("/_sandbox/faults", json=fault).status_code == 201
    async with watched_engine(upstream, path) as (engine, client):
        results: list[Any] = []

        async def slow_call() -> None:
            results.append(await client.call_tool("get_organization", {}))

        async with anyio.create_task_group() as calls:
            calls.start_soon(slow_call)
            await anyio.sleep(0.2)  # the call is waiting on the delayed upstream
            # The edit removes get_organization itself: the call in flight must still finish normally.
            text = path.read_text(encoding="utf-8")
            text = text.replace("tools: [get_me, get_organization, ", "tools: [get_me, ")
            path.write_text(_without_tool(text, "get_organization"), encoding="utf-8")
            await wait_for(lambda: "reloaded" in caplog.text)
            assert "get_organization" not in engine.state.catalog.tools
        assert len(results) == 1 and not results[0].is_error
        assert result_json(results[0])["name"] == "Brightline Studio"


def _without_tool(text: str, name: str) -> str:
    """The manifest text without one tool's block (from its `- name:` line to the next tool)."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.strip() == f"- name: {name}")
    end = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  - name: "))
    return "".join(lines[:start] + lines[end:])


async def test_a_2026_era_client_hears_the_change_on_its_listen_stream(
    upstream: RunningSandbox, tmp_path: Path
) -> None:
    manifest = copy_manifest(tmp_path)
    params = server_params(upstream, role_token("OWNER"), "--manifest", str(manifest), "--watch")
    async with Client(params, mode="auto") as client:  # type: ignore[arg-type]
        assert "get_member" not in {tool.name for tool in (await client.list_tools()).tools}
        async with client.listen(tools_list_changed=True) as subscription:
            await anyio.sleep(0.6)  # the watcher took its first look
            with manifest.open("a", encoding="utf-8") as file:
                file.write(GET_MEMBER)
            with anyio.fail_after(10):
                async for _event in subscription:
                    break  # one change event is what this test waits for
        assert "get_member" in {tool.name for tool in (await client.list_tools()).tools}


async def test_an_edit_yaml_cannot_even_construct_keeps_the_server_serving(
    upstream: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = copy_manifest(tmp_path)
    caplog.set_level(logging.INFO, logger="hoursmith_mcp")
    async with watched_engine(upstream, path) as (engine, client):
        original = engine.state.catalog
        await anyio.sleep(0.2)
        path.write_text(path.read_text(encoding="utf-8") + "extra: !foo bar\n", encoding="utf-8")
        await wait_for(lambda: "reload refused" in caplog.text)
        assert engine.state.catalog is original
        assert not (await client.call_tool("get_me", {})).is_error
    assert "cannot read this value" in caplog.text


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        ("x: " + "[" * 900 + "]" * 900 + "\n", "nested deeper than 64 levels"),
        ("x: &a " + "a" * 4000 + "\ny: [" + ", ".join(["*a"] * 1000) + "]\n", "aliases (*name) expand"),
    ],
    ids=["deep-nesting", "alias-bomb"],
)
async def test_a_hostile_edit_is_refused_with_located_problems_not_a_traceback(
    upstream: RunningSandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture, edit: str, problem: str
) -> None:
    path = copy_manifest(tmp_path)
    caplog.set_level(logging.INFO, logger="hoursmith_mcp")
    async with watched_engine(upstream, path) as (engine, client):
        original = engine.state.catalog
        await anyio.sleep(0.2)
        path.write_text(path.read_text(encoding="utf-8") + edit, encoding="utf-8")
        await wait_for(lambda: "reload refused" in caplog.text)
        assert engine.state.catalog is original
        assert not (await client.call_tool("get_me", {})).is_error
    assert problem in caplog.text
    assert "checking" not in caplog.text and "Traceback" not in caplog.text  # not "checking ... failed"
    assert any(r.getMessage().startswith(f"{path}:") and problem in r.getMessage() for r in caplog.records)
