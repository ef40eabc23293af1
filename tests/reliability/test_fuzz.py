"""Bad input never crashes: generated valid and invalid arguments for every tool of the manifest, and
generated path values that try to leave /api/v1/. Every call ends as a result or an isError result
naming the problem, never a protocol error or a dead server."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from mcp import Client
from mcp.types import CallToolResult, TextContent

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.calls.connection import Connection
from hoursmith_mcp.engine.calls.redaction import Redactor
from hoursmith_mcp.engine.manifest.argument_values import normalize
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.serving.runtime import running_engine
from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .schema_strategies import any_arguments, valid_arguments

MANIFEST = load_manifest(default_manifest_path())
TOOLS = list(MANIFEST.tools)
TOKEN = seed.token_for("studio", "OWNER")
TRIED: dict[str, int] = {"valid": 0, "invalid": 0, "paths": 0}
FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


class Session:
    """An in-process MCP client on the engine, driven from synchronous hypothesis tests."""

    def __init__(self, portal: BlockingPortal, client: Client) -> None:
        self.portal = portal
        self.client = client

    def call(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        return self.portal.call(self.client.call_tool, name, arguments)


@pytest.fixture(scope="module")
def session(upstream: RunningSandbox) -> Iterator[Session]:
    connection = Connection(base_url=upstream.base_url, token=TOKEN)
    with start_blocking_portal() as portal, ExitStack() as stack:
        engine = stack.enter_context(
            portal.wrap_async_context_manager(running_engine(MANIFEST, connection, Redactor([TOKEN], "hsk_")))
        )
        client = stack.enter_context(portal.wrap_async_context_manager(Client(engine.server, mode="legacy")))
        yield Session(portal, client)


def first_line(result: CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text.splitlines()[0] if block.text else ""


@pytest.mark.parametrize("tool", TOOLS, ids=[t.name for t in TOOLS])
def test_generated_valid_arguments_always_end_in_a_result(session: Session, tool: Any) -> None:
    @FUZZ
    @given(arguments=valid_arguments(tool))
    def check(arguments: dict[str, Any]) -> None:
        TRIED["valid"] += 1
        result = session.call(tool.name, arguments)
        unsafe_path = any(
            str(arguments[a.name]).strip() in ("", ".", "..") for a in tool.arguments_in("path")
        )
        if not unsafe_path:  # schema-valid, but a dot segment or blank id is refused before sending
            assert not first_line(result).startswith("invalid arguments"), (arguments, first_line(result))
        if result.is_error:
            assert first_line(result)  # an actionable first line, e.g. "404 not_found: ..."
            assert TOKEN not in str(result.content)

    check()


@pytest.mark.parametrize("tool", TOOLS, ids=[t.name for t in TOOLS])
def test_generated_any_arguments_are_refused_by_name_or_served(session: Session, tool: Any) -> None:
    validator = Draft202012Validator(tool.input_schema)

    @FUZZ
    @given(arguments=any_arguments(tool))
    def check(arguments: dict[str, Any]) -> None:
        TRIED["invalid"] += 1
        result = session.call(tool.name, arguments)
        # Judged as the engine judges: after the manifest's widening (numbers for money, null clears).
        if not validator.is_valid(normalize(tool, arguments).values):
            assert result.is_error
            line = first_line(result)
            assert line.startswith(f"invalid arguments for {tool.name}: "), line
            assert "argument" in line

    check()


NASTY = st.sampled_from(
    ["..", ".", "/", "?", "#", "%2e%2e", "%2F", "\\", "http://evil.example", "//evil", "@", ":"]
)
PATH_VALUES = st.lists(NASTY | st.text(max_size=6), min_size=1, max_size=6).map("".join)


def test_generated_path_values_never_leave_the_api(session: Session, control: httpx.Client) -> None:
    control.post("/_sandbox/reset")

    @settings(FUZZ, max_examples=150)
    @given(
        value=PATH_VALUES,
        tool=st.sampled_from(["get_client", "get_time_entry", "delete_expense", "get_invoice"]),
    )
    def check(value: str, tool: str) -> None:
        TRIED["paths"] += 1
        control.delete("/_sandbox/requests")
        name = {"get_client": "client_id", "get_time_entry": "time_entry_id", "delete_expense": "expense_id",
                "get_invoice": "invoice_id"}[tool]  # fmt: skip
        result = session.call(tool, {name: value})
        for entry in control.get("/_sandbox/requests").json()["data"]:
            segments = entry["rawPath"].split("/")
            assert segments[:3] == ["", "api", "v1"] and len(segments) == 5, entry["rawPath"]
            assert unquote(segments[4]) == value  # the whole value stayed in its one segment
            assert segments[4] not in (".", "..") and entry["path"].startswith("/api/v1/")
        if value.strip() in ("", ".", ".."):
            assert result.is_error and first_line(result).startswith("invalid arguments")

    check()


def test_the_server_survived_and_reports_how_much_was_tried(session: Session) -> None:
    result = session.call("get_me", {})
    assert not result.is_error
    print(f"\nfuzz: {TRIED['valid']} valid, {TRIED['invalid']} arbitrary, {TRIED['paths']} path values tried")
    assert sum(TRIED.values()) > 0
