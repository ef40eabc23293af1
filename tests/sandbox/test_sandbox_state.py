"""A sandbox that outlives one run: --state FILE loads the records at start and saves every change.

Each write is atomic (a temporary file beside it, then a move), a file that is not a sandbox state is
refused with what is wrong and where and left as it was, and a reset saves the seed.
"""

from __future__ import annotations

import json
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
from hoursmith_mcp.sandbox.config import SandboxConfig
from hoursmith_mcp.sandbox.runner import RunningSandbox, start_sandbox
from hoursmith_mcp.sandbox.state_file import StateFile, StateFileError

HEADERS = {"Authorization": f"Bearer {seed.token_for('studio', 'OWNER')}"}
REPO = Path(__file__).resolve().parents[2]


def create_client(running: RunningSandbox, name: str) -> str:
    response = httpx.post(
        f"{running.base_url}/clients",
        json={"name": name},
        headers={**HEADERS, "Idempotency-Key": name},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["data"]["id"])


def client_names(running: RunningSandbox) -> set[str]:
    response = httpx.get(f"{running.base_url}/clients", params={"limit": 200}, headers=HEADERS, timeout=10)
    return {client["name"] for client in response.json()["data"]}


def test_records_outlive_the_sandbox_that_made_them(tmp_path: Path) -> None:
    state = tmp_path / "sandbox.json"
    config = SandboxConfig(state_file=state)
    with start_sandbox(config=config) as first:
        assert state.is_file()  # a new state is the seed, written at once
        seeded = client_names(first)
        created = create_client(first, "Kept Across Runs")
        deleted = httpx.delete(f"{first.base_url}/clients/{seed.DELETABLE_CLIENT_ID}", headers=HEADERS)
        assert deleted.status_code == 204
    with start_sandbox(config=config) as second:
        names = client_names(second)
        assert "Kept Across Runs" in names
        assert names == (seeded | {"Kept Across Runs"}) - {"Initech Labs"}
        got = httpx.get(f"{second.base_url}/clients/{created}", headers=HEADERS, timeout=10)
        assert got.status_code == 200
        assert httpx.post(f"{second.root_url}/_sandbox/reset", timeout=10).status_code == 204
    with start_sandbox(config=config) as third:
        assert client_names(third) == seeded  # the reset was saved too
    assert [p.name for p in tmp_path.iterdir()] == ["sandbox.json"]  # no temporary file left behind


def test_the_state_holds_what_the_store_holds(tmp_path: Path) -> None:
    store = seed.build_store()
    path = tmp_path / "state.json"
    StateFile(path).save(store)
    loaded = StateFile(path).load()
    assert loaded is not None
    assert (loaded.orgs, loaded.members, loaded.tables, loaded.project_users) == (
        store.orgs,
        store.members,
        store.tables,
        store.project_users,
    )
    assert loaded.tokens == store.tokens


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"format": "hoursmith-sandbox-state", "version": 1,\n "orgs": {', ":2:11: not JSON"),
        ('{"clients": []}', "not a sandbox state file"),
        ('{"format": "hoursmith-sandbox-state", "version": 9}', "version 9; this sandbox reads 1"),
        ('{"format": "hoursmith-sandbox-state", "version": 1, "tables": {}}', "tables has no clients"),
        ('{"format": "hoursmith-sandbox-state", "version": 1, "orgs": [], "members": {}, "tokens": [],'
         ' "tables": {"clients": {}, "projects": {}, "tasks": {}, "timeEntries": {}, "expenses": {},'
         ' "invoices": {}}, "project_users": {}}', "orgs must map ids to records"),
        ("\udcff", "cannot read it"),
    ],
)  # fmt: skip
def test_a_file_that_is_not_a_state_is_refused_and_kept(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "state.json"
    raw = content.encode("utf-8", "surrogateescape")
    path.write_bytes(raw)
    with pytest.raises(StateFileError) as caught:
        start_sandbox(config=SandboxConfig(state_file=path))
    assert str(caught.value).startswith(str(path))
    assert message in str(caught.value)
    assert path.read_bytes() == raw


def test_the_cli_refuses_a_corrupt_state_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "state.json"
    path.write_text("{ not json", encoding="utf-8")
    assert main(["--port", "0", "--state", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip() == (
        f"error: {path}:1:3: not JSON (Expecting property name enclosed in double quotes); move it away "
        "to start from the seed"
    )
    assert path.read_text(encoding="utf-8") == "{ not json"


def test_the_foreground_sandbox_says_where_its_records_are(tmp_path: Path) -> None:
    state = tmp_path / "kept.json"
    banners = []
    for _ in range(2):
        process = subprocess.Popen(
            [sys.executable, "-m", "hoursmith_mcp", "sandbox", "--port", "0", "--state", str(state)],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline() for _ in range(4)]
            banners.append("".join(lines))
            root = lines[3].split("--sandbox-url ", 1)[1].strip()
            answered = False
            for _ in range(200):  # Ctrl-C once it serves, as a person would
                try:
                    answered = httpx.get(f"{root}/_sandbox/tokens", timeout=1).status_code == 200
                    break
                except httpx.TransportError:
                    time.sleep(0.05)
            assert answered
            process.send_signal(signal.SIGINT)
            process.communicate(timeout=20)
        finally:
            if process.poll() is None:
                process.kill()
                process.communicate()
        assert process.returncode == 0
    assert f"records new, kept in {state} (saved after every change)" in banners[0]
    assert f"records loaded from {state} (saved after every change)" in banners[1]
    assert "or serve against it: hoursmith-mcp --sandbox-url http://127.0.0.1:" in banners[1]
    assert json.loads(state.read_text(encoding="utf-8"))["format"] == "hoursmith-sandbox-state"
