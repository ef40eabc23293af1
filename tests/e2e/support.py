"""Helpers for end-to-end tests: launching the real server as an MCP client would, and reading results."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import mcp.types as types
from mcp import Client, StdioServerParameters

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.calls.clock import Clock
from hoursmith_mcp.engine.calls.connection import Connection
from hoursmith_mcp.engine.calls.redaction import Redactor
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.serving.runtime import running_engine
from hoursmith_mcp.sandbox.runner import RunningSandbox
from hoursmith_mcp.sandbox.seed import token_for

from ..upstreams.shelf import ShelfUpstream

ERAS = ("legacy", "auto")


def server_params(
    upstream: RunningSandbox, token: str, *extra_args: str, env: dict[str, str] | None = None
) -> StdioServerParameters:
    """`hoursmith-mcp` launched the way a client launches it: a subprocess with only its config env."""
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "hoursmith_mcp", *extra_args],
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOURSMITH_API_TOKEN": token,
            "HOURSMITH_API_URL": upstream.base_url,
            "HOURSMITH_LOG_LEVEL": "debug",  # the canary check reads everything the server logs
            **(env or {}),
        },
    )


def role_token(role: str, workspace: str = "studio") -> str:
    return token_for(workspace, role)


def result_json(result: types.CallToolResult) -> dict[str, Any]:
    from .conftest import assert_no_token

    assert_no_token(str(result.content) + str(result.structured_content), "a tool result")
    if result.is_error and result.structured_content is None:
        # Tools with an output schema carry their error as JSON in a second text block.
        details = result.content[1]
        assert isinstance(details, types.TextContent)
        return dict(json.loads(details.text))
    assert result.structured_content is not None
    text = result.content[0]
    assert isinstance(text, types.TextContent)
    if not result.is_error:
        assert json.loads(text.text) == result.structured_content  # the text block carries the same JSON
    return dict(result.structured_content)


def error_of(result: types.CallToolResult) -> dict[str, Any]:
    assert result.is_error, result.content
    return dict(result_json(result)["error"])


def request_log(control: httpx.Client) -> list[dict[str, Any]]:
    response = control.get("/_sandbox/requests")
    response.raise_for_status()
    return list(response.json()["data"])


@asynccontextmanager
async def in_process_client(
    upstream: RunningSandbox | ShelfUpstream,
    token: str,
    era: str = "auto",
    clock: Clock | None = None,
    manifest_path: Path | None = None,
    *,
    by_role: bool = False,
) -> AsyncIterator[Client]:
    """The engine in this process, reached by an in-process MCP client (still real HTTP upstream);
    `clock` pins the instant and time zone the server reads day words in; `manifest_path` serves
    another manifest than the product's; `by_role`: list only what the token's role can use, as
    serving does."""
    manifest = load_manifest(manifest_path or default_manifest_path())
    connection = Connection(base_url=upstream.base_url, token=token)
    redactor = Redactor([token], manifest.api.auth.token_prefix)
    async with (
        running_engine(manifest, connection, redactor, clock=clock, by_role=by_role) as engine,
        Client(engine.server, mode=era) as client,  # type: ignore[arg-type]
    ):
        yield client
