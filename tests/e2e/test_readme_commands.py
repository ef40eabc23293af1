"""README.md, followed top to bottom as a newcomer does: in a fresh copy of the repository, every command
its `sh` blocks show (and every `run:` line of its CI snippets) runs, verbatim, and does what the README
says it does. The test command itself (the second block) is left out: it is what runs this test, and
.ci/run runs it exactly. Long-running commands run until they print what shows they work, then stop.

A command with no entry in EXPECTED must exit 0 without a traceback; a new README command needs an entry
here only when it does something else.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
README = ROOT / "README.md"


@dataclass(frozen=True)
class Expect:
    code: int = 0
    stdout: str = ""  # text the output must contain
    stderr: str = ""
    running_until: str = ""  # a long-running command: stopped once this shows on stdout or stderr
    port: int | None = None  # the fixed port it listens on (skipped with a note when it is taken)


EXPECTED: dict[str, Expect] = {
    "hoursmith-mcp tools list_projects": Expect(stdout="list_projects — List projects"),
    "hoursmith-mcp doctor --sandbox": Expect(stdout="checks passed."),
    "hoursmith-mcp call get_me --sandbox": Expect(stdout='"role": "OWNER"'),
    "hoursmith-mcp call list_clients --sandbox --sandbox-role member": Expect(
        1, stderr="403 forbidden_scope"
    ),
    "hoursmith-mcp serve --transport http --sandbox": Expect(
        running_until="MCP endpoint at http://127.0.0.1:8765/mcp", port=8765
    ),
    "hoursmith-mcp config cursor": Expect(stdout='"mcpServers"', stderr="hsk_REPLACE_WITH_YOUR_TOKEN"),
    "hoursmith-mcp config zed --sandbox": Expect(stdout='"context_servers"'),
    "hoursmith-mcp sandbox --state ~/hoursmith-sandbox.json": Expect(
        running_until="records new, kept in", port=8765
    ),
    "hoursmith-mcp config cursor --sandbox-url http://127.0.0.1:8765 --write": Expect(
        stderr="Added the 'hoursmith' server in"
    ),
    "hoursmith-mcp --manifest tools.yaml --sandbox --watch": Expect(running_until="get_member"),
    # By then the README has had get_member added to tools.yaml: the snapshot check names it.
    "hoursmith-mcp snapshot tools.yaml": Expect(1, stdout="tool get_member: added"),
    "hoursmith-mcp snapshot tools.yaml examples/shelf/shelf.tools.yaml": Expect(
        1, stdout="tool get_member: added"
    ),
}


# Sections whose commands need another machine: they are proven by their own tests instead.
NOT_RUN = {
    "Running one endpoint for a team": "sudo, nginx with TLS certificates and the claude CLI: "
    "tests/e2e/test_team_proxy.py runs the replicas behind nginx with deploy/nginx.conf as shipped",
}


def commands(text: str) -> list[tuple[str, str]]:
    """(section, command) for every line of every sh block after the first two, and every `run:`
    line of a yaml block, in README order; a trailing `# comment` is not part of the command."""
    found: list[tuple[str, str]] = []
    section = ""
    sh_blocks = 0
    for match in re.finditer(r"^## ([^\n]+)$|^```(\w*)\n(.*?)^```", text, re.MULTILINE | re.DOTALL):
        if match.group(1):
            section = match.group(1)
            continue
        language, body = match.group(2), match.group(3)
        if section in NOT_RUN:
            continue
        if language == "sh":
            sh_blocks += 1
            if sh_blocks == 2:
                continue  # the test command: .ci/run runs it, and it runs this test
            lines = [line for line in body.splitlines() if line.strip()]
        elif language == "yaml":
            lines = [m.group(1) for m in re.finditer(r"^\s*- run: (.+)$", body, re.MULTILINE)]
        else:
            continue
        found += [(section, re.sub(r"\s+#\s.*$", "", line).strip()) for line in lines]
    return found


COMMANDS = commands(README.read_text(encoding="utf-8"))


def test_the_readme_shows_the_commands_this_test_knows() -> None:
    shown = {command for _, command in COMMANDS}
    assert set(EXPECTED) <= shown, f"no longer in README.md: {set(EXPECTED) - shown}"
    assert COMMANDS[0][1].startswith("python3 -m venv .venv && . .venv/bin/activate && pip install .")


def port_taken(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def fresh_copy(tmp_path: Path) -> Path:
    """The repository's tracked files, as a clone has them."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    clone = tmp_path / "clone"
    for name in filter(None, listed.decode().split("\0")):
        source, target = ROOT / name, clone / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            target.symlink_to(os.readlink(source))
        elif source.is_file():
            shutil.copy2(source, target)
    return clone


def readme_snippet() -> str:
    section = README.read_text(encoding="utf-8").split("## Adding a tool", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match
    return match.group(1)


def run_long(command: str, expect: Expect, env: dict[str, str], cwd: Path) -> str:
    process = subprocess.Popen(
        ["bash", "-c", f". .venv/bin/activate && exec {command}"],
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = ""
    try:
        assert process.stdin is not None and process.stdout is not None
        if "--watch" in command:  # a stdio server: ask it what it lists, as a client would
            hello = {"name": "readme", "version": "1"}
            for message in (
                {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                 "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": hello}},
                {"jsonrpc": "2.0", "method": "notifications/initialized"},
                {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
            ):  # fmt: skip
                process.stdin.write(json.dumps(message) + "\n")
            process.stdin.flush()
        deadline = time.monotonic() + 120
        while expect.running_until not in seen and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen += line
        return seen
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_following_the_readme_top_to_bottom_does_what_it_says(tmp_path: Path) -> None:
    clone = fresh_copy(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    install, *rest = COMMANDS
    first = subprocess.run(
        ["bash", "-c", install[1]], cwd=clone, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=900, check=False,
    )  # fmt: skip
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    edited = False
    skipped: list[str] = []
    for section, command in rest:
        if section == "Adding a tool" and not edited:  # "Add this under tools:" (the last section)
            tools_yaml = clone / "tools.yaml"
            tools_yaml.write_text(tools_yaml.read_text(encoding="utf-8") + "\n" + readme_snippet())
            edited = True
        expect = EXPECTED.get(command, Expect())
        if expect.port is not None and port_taken(expect.port):
            skipped.append(f"{command} (port {expect.port} is taken on this machine)")
            continue
        if expect.running_until:
            seen = run_long(command, expect, env, clone)
            assert expect.running_until in seen, f"{command}:\n{seen[-3000:]}"
            assert "Traceback" not in seen, seen
            continue
        run = subprocess.run(
            ["bash", "-c", f". .venv/bin/activate && {command}"], cwd=clone, env=env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        shown = f"{command}:\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}"
        assert run.returncode == expect.code, shown
        assert expect.stdout in run.stdout and expect.stderr in run.stderr, shown
        assert "Traceback" not in run.stdout + run.stderr, shown
        if command.startswith("hoursmith-mcp validate tools.yaml"):
            line = next(line for section, line in COMMANDS if line == command)
            comment = README.read_text(encoding="utf-8").split(line, 1)[1].split("\n", 1)[0]
            assert run.stdout.strip() == comment.split("#", 1)[1].strip(), shown
    assert edited
    if skipped:
        pytest.skip("ran every other command; not run: " + "; ".join(skipped))
