"""The canary token and stdout purity, on the real server process over raw pipes.

The server runs with debug logging, an upstream that echoes the token back in errors, bad tool
input and malformed JSON-RPC lines. Every stdout line must be a JSON-RPC message; the token must
appear in none of stdout, stderr, log notifications or tool results; the server must keep serving.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from queue import Empty, Queue
from typing import Any

import httpx

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

TOKEN = seed.token_for("studio", "OWNER")  # the canary: its exact value must never be seen


class RawServer:
    """The server process driven line by line, as a client's stdio transport drives it."""

    def __init__(self, upstream: RunningSandbox) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hoursmith_mcp", "--log-level", "debug"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={
                "PATH": os.environ.get("PATH", ""),
                "HOURSMITH_API_TOKEN": TOKEN,
                "HOURSMITH_API_URL": upstream.base_url,
            },
        )
        self.stdout_lines: list[str] = []
        self._lines: Queue[str] = Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            line = raw.decode("utf-8")
            self.stdout_lines.append(line)
            self._lines.put(line)

    def send_line(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        self.process.stdin.flush()

    def request(self, request_id: int, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": request_id, "method": method}
        if params is not None:
            message["params"] = params
        self.send_line(json.dumps(message))
        return self.wait_for(request_id)

    def wait_for(self, request_id: int, timeout: float = 20) -> dict[str, Any]:
        while True:
            try:
                line = self._lines.get(timeout=timeout)
            except Empty:
                raise AssertionError(f"no answer to request {request_id}") from None
            message = json.loads(line)
            if message.get("id") == request_id:
                return dict(message)

    def finish(self) -> str:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=20)
        assert self.process.stderr is not None
        return self.process.stderr.read().decode("utf-8")


def call(server: RawServer, request_id: int, name: str, arguments: Any) -> dict[str, Any]:
    return server.request(request_id, "tools/call", {"name": name, "arguments": arguments})


def test_stdout_is_only_protocol_and_the_token_is_never_seen(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    # The upstream echoes the token back in an error message, as a careless API might.
    fault = {
        "method": "GET",
        "path": "/api/v1/clients",
        "times": 3,
        "status": 500,
        "message": f"echo {TOKEN}",
    }
    assert fresh.post("/_sandbox/faults", json=fault).status_code == 201
    server = RawServer(upstream)
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
        assert init["result"]["serverInfo"]["name"] == "hoursmith"
        server.send_line(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
        assert "result" in server.request(2, "logging/setLevel", {"level": "debug"})
        assert len(server.request(3, "tools/list")["result"]["tools"]) == 31

        echoed = call(server, 4, "list_clients", {})["result"]
        assert echoed["isError"] is True and "[REDACTED]" in echoed["content"][0]["text"]
        assert call(server, 5, "get_me", {})["result"]["isError"] is False
        bad_args = call(server, 6, "create_client", {"name": 5, "bogus": True})["result"]
        assert bad_args["isError"] is True and "argument 'name'" in bad_args["content"][0]["text"]
        traversal = call(server, 7, "get_client", {"client_id": "../../members"})["result"]
        assert traversal["isError"] is True
        assert "error" in call(server, 8, "no_such_tool", {})  # an unknown tool is a protocol error
        not_an_object = call(server, 9, "get_me", ["a", "list"])
        assert "error" in not_an_object or not_an_object["result"]["isError"] is True

        for garbage in (
            "not json",
            "{",
            '{"jsonrpc": "2.0"}',
            "[]",
            '{"jsonrpc":"2.0","id":99,"method":"nope"}',
            "x" * 10_000,
        ):
            server.send_line(garbage)
        assert server.request(10, "ping") == {"jsonrpc": "2.0", "id": 10, "result": {}}
        assert call(server, 11, "get_me", {})["result"]["structuredContent"]["role"] == "OWNER"
    finally:
        stderr = server.finish()

    for line in server.stdout_lines:
        message = json.loads(line)  # every stdout line is one JSON-RPC message
        assert isinstance(message, dict) and message.get("jsonrpc") == "2.0", line
    stdout = "".join(server.stdout_lines)
    notifications = [json.loads(line) for line in server.stdout_lines if '"notifications/message"' in line]
    assert notifications, "debug logging to the client produced no log notification"
    assert TOKEN not in stdout and TOKEN not in stderr
    assert "GET /api/v1/me -> 200" in stderr  # debug logging was really on
    assert server.process.returncode == 0
