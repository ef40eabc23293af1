"""The canary token and stdout purity, on the real server process over raw pipes.

The server runs with debug logging, an upstream that echoes the token back in errors, bad tool
input and malformed JSON-RPC lines. Every stdout line must be a JSON-RPC message; the token must
appear in none of stdout, stderr, log notifications or tool results; the server must keep serving.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .raw_server import RawServer

TOKEN = seed.token_for("studio", "OWNER")  # the canary: its exact value must never be seen


def raw_server(upstream: RunningSandbox) -> RawServer:
    env = {"HOURSMITH_API_TOKEN": TOKEN, "HOURSMITH_API_URL": upstream.base_url}
    return RawServer(env, "--log-level", "debug")


def call(server: RawServer, request_id: int, name: str, arguments: Any) -> dict[str, Any]:
    return server.call(request_id, name, arguments)


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
    server = raw_server(upstream)
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
        assert len(server.request(3, "tools/list")["result"]["tools"]) == 36

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
