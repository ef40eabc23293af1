"""Helpers for end-to-end tests: launching the real server as an MCP client would, and reading results."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
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


class HttpServer:
    """`serve --transport http` in a child process on a free loopback port, its stderr collected."""

    def __init__(self, *args: str, env: dict[str, str] | None = None) -> None:
        command = [
            sys.executable,
            "-m",
            "hoursmith_mcp",
            "serve",
            "--transport",
            "http",
            "--port",
            "0",
            *args,
        ]
        full_env = {"PATH": os.environ.get("PATH", ""), **(env or {})}
        self.process = subprocess.Popen(
            command, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.lines: list[str] = []
        self._announced = threading.Event()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        if not self._announced.wait(30):
            self.stop()
            raise AssertionError("the server did not announce its endpoint:\n" + "".join(self.lines))
        found = re.search(r"(http://\S+/mcp)", next(x for x in self.lines if "MCP endpoint at" in x))
        assert found is not None
        self.url = found.group(1)
        self.root = self.url.removesuffix("/mcp")

    def _read(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            if "MCP endpoint at" in line:
                self._announced.set()

    def stop(self, timeout: float = 20) -> str:
        """Ends the process (SIGTERM, then SIGKILL after `timeout`); returns what it wrote to stdout."""
        if self.process.poll() is None:
            self.process.terminate()
        try:
            stdout, _ = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            stdout, _ = self.process.communicate()
        self._reader.join(timeout=5)
        return stdout

    @property
    def stderr(self) -> str:
        return "".join(self.lines)


@contextmanager
def http_server(*args: str, env: dict[str, str] | None = None) -> Iterator[tuple[str, list[str]]]:
    """The server on a free loopback port; yields its URL (read from stderr) and the stderr lines so far."""
    server = HttpServer(*args, env=env)
    try:
        yield server.url, server.lines
    finally:
        stdout = server.stop()
        assert stdout == ""  # HTTP mode writes nothing to stdout either
        assert "Traceback" not in server.stderr, server.stderr
