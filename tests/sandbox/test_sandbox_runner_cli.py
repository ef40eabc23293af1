"""The runner (background thread, ephemeral port, loopback only) and the foreground CLI."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.cli import main
from hoursmith_mcp.sandbox.runner import start_sandbox

REPO = Path(__file__).resolve().parents[2]


def test_ephemeral_port_is_reported() -> None:
    with start_sandbox(port=0) as running:
        assert running.port > 0
        assert running.root_url == f"http://127.0.0.1:{running.port}"
        assert running.base_url == running.root_url + "/api/v1"
        headers = {"Authorization": f"Bearer {seed.token_for()}"}
        assert httpx.get(running.base_url + "/me", headers=headers).status_code == 200
    with pytest.raises(httpx.ConnectError):
        httpx.get(running.base_url + "/me", headers=headers, timeout=2)


def test_two_sandboxes_have_independent_state() -> None:
    headers = {"Authorization": f"Bearer {seed.token_for()}"}
    with start_sandbox() as one, start_sandbox() as two:
        assert (
            httpx.delete(f"{one.base_url}/clients/{seed.DELETABLE_CLIENT_ID}", headers=headers).status_code
            == 204
        )
        assert (
            httpx.get(f"{two.base_url}/clients/{seed.DELETABLE_CLIENT_ID}", headers=headers).status_code
            == 200
        )


def test_runner_refuses_non_loopback() -> None:
    with pytest.raises(ValueError, match="non-loopback"):
        start_sandbox(host="0.0.0.0")


def test_cli_refuses_non_loopback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0", "--port", "0"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "--allow-non-loopback" in captured.err


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}


def test_python_m_sandbox_answers_prints_tokens_and_stops_cleanly() -> None:
    # Start-up time is a benchmark figure (bench/), not a timed assertion on a noisy machine.
    process = subprocess.Popen(
        [sys.executable, "-m", "hoursmith_mcp.sandbox", "--port", "0"],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Hoursmith sandbox: http://127.0.0.1:"), first
        # Read the banner through the same buffered reader: communicate() reads the raw pipe and would
        # miss what readline() already buffered.
        banner = first
        for _ in range(100):
            line = process.stdout.readline()
            banner += line
            if not line or line.startswith("Press Ctrl-C"):
                break
        base_url = first.split(": ", 1)[1].strip()
        me = None
        for _ in range(100):
            try:
                me = httpx.get(
                    f"{base_url}/me", headers={"Authorization": f"Bearer {seed.token_for()}"}, timeout=1
                )
                break
            except httpx.TransportError:
                time.sleep(0.02)
        assert me is not None and me.status_code == 200
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "Traceback" not in err
    for seeded in seed.SEEDED_TOKENS:
        assert seeded.token in banner


def test_runner_writes_nothing_to_stdout() -> None:
    script = (
        "import httpx\n"
        "from sandbox.runner import start_sandbox\n"
        "from sandbox.config import SandboxConfig\n"
        "from sandbox.seed import token_for\n"
        "with start_sandbox(config=SandboxConfig(faults=True, request_log=True)) as s:\n"
        "    h = {'Authorization': 'Bearer ' + token_for()}\n"
        "    httpx.get(s.base_url + '/me', headers=h)\n"
        "    httpx.get(s.base_url + '/nope')\n"
        "    httpx.post(s.root_url + '/_sandbox/faults', json={'path': '/api/v1/me', 'drop': True})\n"
        "    try:\n"
        "        httpx.get(s.base_url + '/me', headers=h)\n"
        "    except httpx.HTTPError:\n"
        "        pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, env=_env(), capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
