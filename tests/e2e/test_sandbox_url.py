"""A sandbox that outlives one client launch: `--sandbox-url` serves against a sandbox already running
(`hoursmith-mcp sandbox --state FILE`), so what one client session did, the next one sees. Its tokens
are only ever sent to this machine."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from hoursmith_mcp.sandbox.config import SandboxConfig
from hoursmith_mcp.sandbox.runner import start_sandbox

from ..reliability.raw_server import RawServer


def hoursmith(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent", **(env or {})},
        timeout=120,
        check=False,
    )


def test_what_one_client_session_did_the_next_one_sees(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    with start_sandbox(config=SandboxConfig(state_file=state)) as running:
        first = RawServer({}, "--sandbox-url", running.root_url)
        try:
            first.start()
            made = first.call(1, "create_client", {"name": "Made In Session One"})["result"]
            assert made["isError"] is False, made
        finally:
            first.finish()
        second = RawServer({}, "--sandbox-url", running.base_url)  # the /api/v1 form works too
        try:
            second.start()
            found = second.call(1, "list_clients", {"search": "Session One"})["result"]
        finally:
            second.finish()
        assert [c["name"] for c in found["structuredContent"]["items"]] == ["Made In Session One"]
    # And the sandbox itself outlived: a new one on the same state file has the record.
    with start_sandbox(config=SandboxConfig(state_file=state)) as again:
        run = hoursmith(
            "call", "list_clients", "--sandbox-url", again.root_url, "--arg", "search=Session One"
        )
        assert run.returncode == 0, run.stderr
        assert [c["name"] for c in json.loads(run.stdout)["items"]] == ["Made In Session One"]


def test_the_role_and_plan_pick_the_seeded_token_and_the_variable_names_the_url() -> None:
    with start_sandbox() as running:
        run = hoursmith(
            "call", "get_me", "--sandbox-role", "member", env={"HOURSMITH_SANDBOX_URL": running.root_url}
        )
        assert run.returncode == 0, run.stderr
        assert json.loads(run.stdout)["role"] == "MEMBER"


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://10.0.0.1:8765", "--sandbox-url must be http:// on this machine (127.0.0.1, localhost, ::1)"),
        ("https://sandbox.example", "--sandbox-url must be http:// on this machine"),
        ("http://127.0.0.1:{port}", "no sandbox answers at http://127.0.0.1:{port}: start one with"),
    ],
)
def test_anything_but_a_sandbox_on_this_machine_is_refused_at_start(url: str, message: str) -> None:
    port = unused_port()
    run = hoursmith("call", "get_me", "--sandbox-url", url.format(port=port))
    assert run.returncode == 2
    assert run.stderr.strip().startswith("hoursmith-mcp: " + message.format(port=port))
    assert run.stdout == ""


def test_a_server_that_is_not_a_sandbox_is_refused_before_any_token_is_sent() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    seen: list[str] = []

    class NotASandbox(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(f"{self.path} {self.headers.get('Authorization')}")
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), NotASandbox)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        run = hoursmith("call", "get_me", "--sandbox-url", f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()
    assert run.returncode == 2 and "no sandbox answers at" in run.stderr
    assert seen == ["/_sandbox/tokens None"]  # one probe, no token


def test_config_and_doctor_take_the_running_sandbox(tmp_path: Path) -> None:
    with start_sandbox() as running:
        run = hoursmith("config", "cursor", "--sandbox-url", running.root_url)
        assert run.returncode == 0, run.stderr
        entry = json.loads(run.stdout)["mcpServers"]["hoursmith"]
        assert entry["args"] == ["--sandbox-url", running.root_url] and "env" not in entry
        doctor = hoursmith("doctor", "--sandbox-url", running.root_url)
        assert doctor.returncode == 0, doctor.stdout
        assert f"seeded OWNER token (studio) at {running.root_url}" in doctor.stdout
