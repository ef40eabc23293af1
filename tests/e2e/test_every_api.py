"""The same protocol, wire and canary checks for every API the engine serves: Hoursmith's tools.yaml
and the Shelf example (examples/shelf), which differs in auth header, paging and error envelope.

Each test is parametrized over the APIs (tests/e2e/apis.py); the server is the real `hoursmith-mcp`
process with `--manifest`, configured only through the variables each manifest names.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from urllib.parse import quote

import pytest
from mcp import Client

from hoursmith_mcp.engine.commands.validate import run_validate
from hoursmith_mcp.engine.manifest.model import Tool

from ..reliability.raw_server import RawServer
from .apis import API_NAMES, ServedApi, served_api
from .conftest import assert_no_token
from .support import error_of, result_json
from .test_external_clients import inspector, inspector_env

pytestmark = pytest.mark.anyio


@pytest.fixture(params=API_NAMES)
def api(request: pytest.FixtureRequest) -> ServedApi:
    with served_api(request.param, request) as chosen:
        return chosen


def test_the_manifest_validates(api: ServedApi) -> None:
    out = io.StringIO()
    assert run_validate([str(api.manifest_path)], "text", api.manifest_path, out) == 0
    assert out.getvalue().strip().endswith("OK")


async def test_tools_list_is_the_manifest_with_honest_annotations(api: ServedApi) -> None:
    manifest = api.manifest
    async with Client(api.server_params()) as client:  # type: ignore[arg-type]
        assert client.server_info is not None and client.server_info.name == manifest.server.name
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert list(tools) == [tool.name for tool in manifest.listing]  # API tools, then workflows
    for spec in (listed for listed in manifest.listing if isinstance(listed, Tool)):
        annotations = tools[spec.name].annotations
        assert annotations is not None
        assert annotations.read_only_hint is (spec.method == "GET"), spec.name
        if spec.method != "GET":
            assert annotations.destructive_hint is spec.destructive, spec.name
        paging = {"max_items"} if spec.paginated else set()
        assert set(tools[spec.name].input_schema["properties"]) == {a.name for a in spec.arguments} | paging


async def test_a_call_succeeds_and_an_upstream_error_is_passed_on(api: ServedApi) -> None:
    tool, arguments = api.good_call
    async with Client(api.server_params()) as client:  # type: ignore[arg-type]
        ok = await client.call_tool(tool, arguments)
        missing = await client.call_tool(api.get_tool, {api.get_argument: "no-such-record"})
    assert not ok.is_error and result_json(ok)
    error = error_of(missing)
    assert error["status"] == 404 and error["code"] == "not_found", (
        error
    )  # the API's own code, from its envelope
    assert error["message"] and error["hint"]


def test_the_inspector_lists_every_tool_strictly(api: ServedApi) -> None:
    # The Inspector passes the server only the variables given with -e, as a client config's env would.
    env_args = [
        arg for name, value in api.server_env().items() if name != "PATH" for arg in ("-e", f"{name}={value}")
    ]
    run = subprocess.run(
        [
            inspector(),
            "--cli",
            *env_args,
            sys.executable,
            *api.server_args(),
            "--method",
            "tools/list",
            "--strict",
        ],
        capture_output=True,
        text=True,
        env=inspector_env(),
        timeout=120,
        check=False,
    )
    assert_no_token(run.stdout + run.stderr, "the Inspector's output")
    assert run.returncode == 0, run.stderr  # exit 6 would mean an unportable schema
    assert len(json.loads(run.stdout)["tools"]) == len(api.manifest.listing)


async def test_path_values_stay_one_encoded_segment_on_the_wire(api: ServedApi) -> None:
    values = ["a/b", "../members", "x?role=OWNER", "x#frag", "%2e%2e"]
    async with Client(api.server_params()) as client:  # type: ignore[arg-type]
        for value in values:
            result = await client.call_tool(api.get_tool, {api.get_argument: value})
            assert error_of(result)["status"] == 404  # no such record: the value never became a route
    entries = api.wire()
    assert [entry.raw_path for entry in entries] == [api.wire_prefix + quote(v, safe="") for v in values]
    assert all(entry.query == "" for entry in entries)


async def test_dot_segments_and_empty_values_never_reach_the_wire(api: ServedApi) -> None:
    async with Client(api.server_params()) as client:  # type: ignore[arg-type]
        for value in ("..", ".", "", "  "):
            result = await client.call_tool(api.get_tool, {api.get_argument: value})
            assert error_of(result)["code"] == "invalid_arguments"
    assert api.wire() == []


async def test_the_token_is_on_the_wire_only_in_its_auth_header(api: ServedApi) -> None:
    tool, arguments = api.good_call
    async with Client(api.server_params()) as client:  # type: ignore[arg-type]
        await client.call_tool(tool, arguments)
    (entry,) = api.wire()
    header, shown = api.auth_on_wire
    assert entry.headers[header] == shown
    others = {"authorization", "x-api-key"} - {header}
    assert not others & set(entry.headers)  # no second place for it
    assert api.token not in str(entry)


def test_stdout_is_only_protocol_and_the_echoed_token_is_redacted(api: ServedApi) -> None:
    api.arm_echo()
    server = RawServer(api.server_env(), *api.server_args()[2:])  # after -m hoursmith_mcp
    try:
        init = server.request(
            1,
            "initialize",
            {
                "protocolVersion": "2025-11-25",
                "capabilities": {},
                "clientInfo": {"name": "raw", "version": "0"},
            },
        )
        assert init["result"]["serverInfo"]["name"] == api.manifest.server.name
        server.send_line(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        assert "result" in server.request(2, "logging/setLevel", {"level": "debug"})
        assert len(server.request(3, "tools/list")["result"]["tools"]) == len(api.manifest.listing)
        tool, arguments = api.echo_call
        echoed = server.call(4, tool, arguments)["result"]
        assert echoed["isError"] is True and "[REDACTED]" in echoed["content"][0]["text"]
        for garbage in ("not json", "{", "[]", "x" * 10_000):
            server.send_line(garbage)
        good_tool, good_arguments = api.good_call
        assert server.call(5, good_tool, good_arguments)["result"]["isError"] is False
    finally:
        stderr = server.finish()
    for line in server.stdout_lines:
        message = json.loads(line)  # every stdout line is one JSON-RPC message
        assert isinstance(message, dict) and message.get("jsonrpc") == "2.0", line
    assert api.token not in "".join(server.stdout_lines) and api.token not in stderr
    assert "-> 200" in stderr  # debug logging was really on
    assert server.process.returncode == 0
