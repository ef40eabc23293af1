"""`doctor`, run as a person runs it: one line per check in the troubleshooting order, ✓ or ✗ with the
fix, exit 0 only when all pass, and the token never printed, whatever goes wrong."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from hoursmith_mcp.sandbox.runner import RunningSandbox
from hoursmith_mcp.sandbox.seed import REVOKED_OWNER_TOKEN, token_for

from .conftest import assert_no_token

OWNER = token_for("studio", "OWNER")


def doctor(*args: str, env: dict[str, str] | None = None, home: Path | None = None) -> tuple[int, list[str]]:
    run = subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", "doctor", *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(home or "/nonexistent"), **(env or {})},
        timeout=120,
        check=False,
    )
    assert_no_token(run.stdout + run.stderr, "doctor's output")
    for token in (*(env or {}).values(),):
        if token.startswith("hsk_"):
            assert token not in run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line[:2] in ("✓ ", "✗ ")]
    return run.returncode, lines


def names(lines: list[str]) -> list[str]:
    return [line[2:].split(":", 1)[0] for line in lines]


def test_on_the_sandbox_every_check_passes_in_the_troubleshooting_order() -> None:
    code, lines = doctor("--sandbox")
    assert code == 0, lines
    assert names(lines) == ["manifest", "token", "base URL", "identity", "runtime", "time zone", "clock"]
    assert all(line.startswith("✓ ") for line in lines)
    identity = next(line for line in lines if line.startswith("✓ identity: "))
    assert "plan=studio" in identity and "role=OWNER" in identity and "scopes=read,write" in identity


def test_a_missing_token_is_the_first_failure_and_says_how_to_check_a_clients() -> None:
    code, lines = doctor()
    assert code == 1
    assert names(lines) == ["manifest", "token", "runtime", "time zone"]
    assert lines[1] == (
        "✗ token: HOURSMITH_API_TOKEN is not set — put your API token in the MCP client's config (env), then "
        "restart the client; or run with --sandbox to try the built-in sandbox; to check what an MCP client "
        "passes, run doctor --client NAME"
    )


def test_a_token_of_the_wrong_shape_is_refused_without_showing_it() -> None:
    code, lines = doctor(env={"HOURSMITH_API_TOKEN": "sk_live_SECRETVALUE0123456789"})
    assert code == 1 and "SECRETVALUE" not in "\n".join(lines)
    assert lines[1].startswith(
        "✗ token: HOURSMITH_API_TOKEN does not look like an API token — it must start with"
    )


def test_a_base_url_without_the_api_path_is_named_as_wrong(upstream: RunningSandbox) -> None:
    code, lines = doctor(env={"HOURSMITH_API_TOKEN": OWNER, "HOURSMITH_API_URL": upstream.root_url})
    assert code == 1
    assert lines[2] == (
        f"✗ base URL: {upstream.root_url} answered with a web page titled 'Page not found · Hoursmith'; the "
        "base URL looks wrong — it must be the API's root, like https://hoursmith.app/api/v1 (set "
        "HOURSMITH_API_URL)"
    )


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_base_url_says_so() -> None:
    url = f"http://127.0.0.1:{unused_port()}/api/v1"
    code, lines = doctor(env={"HOURSMITH_API_TOKEN": OWNER, "HOURSMITH_API_URL": url})
    assert code == 1
    assert lines[2].startswith(f"✗ base URL: {url} did not answer (")
    assert lines[2].endswith("— check the URL and the network (a proxy, a firewall, a VPN)")


def test_a_revoked_token_reaches_the_api_and_is_refused_with_the_fix(upstream: RunningSandbox) -> None:
    code, lines = doctor(
        env={"HOURSMITH_API_TOKEN": REVOKED_OWNER_TOKEN, "HOURSMITH_API_URL": upstream.base_url}
    )
    assert code == 1
    assert lines[2].startswith(f"✓ base URL: {upstream.base_url} answers like the API")
    assert lines[3].startswith("✗ token: get_me answered 401 unauthenticated: ")
    assert "set HOURSMITH_API_TOKEN (it starts with hsk_)" in lines[3]


def test_the_free_plan_is_named_with_the_upgrade() -> None:
    code, lines = doctor("--sandbox", "--sandbox-plan", "free")
    assert code == 1
    assert lines[3].startswith("✗ plan: get_me answered 402 forbidden_plan: ")
    assert lines[3].endswith("upgrade it to Studio or Agency in Hoursmith.")


def test_a_member_token_shows_its_role() -> None:
    code, lines = doctor("--sandbox", "--sandbox-role", "member")
    assert code == 0
    assert "role=MEMBER" in next(line for line in lines if line.startswith("✓ identity: "))


@contextmanager
def api_with_a_clock(offset_seconds: float) -> Iterator[str]:
    """A minimal API on loopback answering GET /api/v1/me, whose Date header is off by the offset."""

    class Handler(BaseHTTPRequestHandler):
        def date_time_string(self, timestamp: float | None = None) -> str:
            import time

            return formatdate(time.time() + offset_seconds, usegmt=True)

        def do_GET(self) -> None:
            body = json.dumps(
                {"data": {"orgId": "o1", "orgName": "Clocks", "plan": "studio", "role": "OWNER",
                          "tokenName": "t", "scopes": [], "projectIds": []}}
            ).encode()  # fmt: skip
            self.send_response(200 if self.path == "/api/v1/me" else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_a_clock_far_off_the_apis_is_a_failure_with_the_fix() -> None:
    with api_with_a_clock(-3600) as url:
        code, lines = doctor(env={"HOURSMITH_API_TOKEN": OWNER, "HOURSMITH_API_URL": url})
    assert code == 1
    assert lines[-1] == (
        "✗ clock: this machine's clock is 60 min ahead of the API's — set the system clock (turn on network "
        "time); times like 'now' and timers would be off"
    )
    with api_with_a_clock(0) as url:
        code, lines = doctor(env={"HOURSMITH_API_TOKEN": OWNER, "HOURSMITH_API_URL": url})
    assert code == 0 and lines[-1].startswith("✓ clock: within 120 s of the API's")


def write_config(home: Path, *args: str) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", "config", "cursor", "--write", *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": str(home)},
        timeout=60,
        check=True,
    )
    assert "the 'hoursmith' server in" in run.stderr


def test_client_checks_what_the_client_launches_with_not_this_shell(tmp_path: Path) -> None:
    code, lines = doctor("--client", "cursor", home=tmp_path)
    assert code == 1 and lines[0].startswith("✗ client config: ")
    assert lines[0].endswith("mcp.json does not exist — run `hoursmith-mcp config cursor --write`")

    write_config(tmp_path)  # the entry holds the token placeholder
    code, lines = doctor("--client", "cursor", home=tmp_path, env={"HOURSMITH_API_TOKEN": OWNER})
    assert code == 1
    assert names(lines)[:3] == ["client config", "manifest", "token"]
    assert lines[2].startswith(
        "✗ token: HOURSMITH_API_TOKEN is still the placeholder from the config snippet"
    )

    write_config(tmp_path, "--sandbox")
    code, lines = doctor("--client", "cursor", home=tmp_path)
    assert code == 0, lines
    assert lines[0].startswith(
        f"✓ client config: {tmp_path / '.cursor' / 'mcp.json'}: entry 'hoursmith' runs /"
    )


def test_a_client_entry_whose_command_is_gone_is_named(tmp_path: Path) -> None:
    path = tmp_path / ".cursor" / "mcp.json"
    path.parent.mkdir(parents=True)
    gone = {"mcpServers": {"hoursmith": {"command": "/old/venv/bin/hoursmith-mcp", "args": ["--sandbox"]}}}
    path.write_text(json.dumps(gone), encoding="utf-8")
    code, lines = doctor("--client", "cursor", home=tmp_path)
    assert code == 1
    assert lines[0] == (
        f"✗ client config: {path}: entry 'hoursmith' runs '/old/venv/bin/hoursmith-mcp', which does not "
        "exist — run `hoursmith-mcp config cursor --write`"
    )


def test_the_token_is_never_printed_even_when_all_is_well(upstream: RunningSandbox) -> None:
    code, lines = doctor(env={"HOURSMITH_API_TOKEN": OWNER, "HOURSMITH_API_URL": upstream.base_url})
    assert code == 0, lines
    assert (
        lines[1] == "✓ token: HOURSMITH_API_TOKEN is set (starts with 'hsk_', 54 characters; value not shown)"
    )


def test_the_time_zone_day_words_use_is_named_and_a_bad_one_is_a_failure() -> None:
    code, lines = doctor("--sandbox", env={"HOURSMITH_TIME_ZONE": "Europe/Berlin"})
    assert code == 0
    line = next(line for line in lines if line.startswith("✓ time zone: "))
    assert line.startswith("✓ time zone: Europe/Berlin (from HOURSMITH_TIME_ZONE): today is ")
    code, lines = doctor("--sandbox", env={"HOURSMITH_TIME_ZONE": "Mars/Base"})
    assert code == 1
    assert "✗ time zone: HOURSMITH_TIME_ZONE is 'Mars/Base', which is not a known time zone" in "\n".join(
        lines
    )
    assert names(lines)[:4] == ["manifest", "token", "base URL", "identity"]  # the rest still checked
