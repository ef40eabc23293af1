"""The official MCP conformance suite against `hoursmith-mcp serve --transport http`.

The server runs the fixture manifest (conformance.tools.yaml) against the fixture upstream
(upstream.py), both on loopback. Every scenario that can apply to this server (tools, tool-backed
resources, prompts) must pass; the others are listed with their reason in expected-failures.yml, and
the suite also fails when a listed one starts passing. .ci/run installs the suite and sets
HOURSMITH_REQUIRE_EXTERNAL_CLIENTS=1, so there a missing suite fails instead of skipping.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from .upstream import EXPECTED_TOKEN, start_upstream

HERE = Path(__file__).parent
NODE_BIN = HERE.parents[1] / ".ci" / ".cache" / "node" / "node_modules" / ".bin"
APPLICABLE = [
    "server-initialize",
    "ping",
    "tools-list",
    "logging-set-level",
    "tools-call-simple-text",
    "tools-call-error",
    "tools-call-with-progress",
    "tools-call-with-logging",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
    "resources-list",
    "resources-read-text",
    "resources-templates-read",
    "prompts-list",
    "prompts-get-simple",
    "prompts-get-with-args",
    "prompts-get-embedded-resource",
]


def node_path() -> str:
    return f"{NODE_BIN}{os.pathsep}{os.environ.get('PATH', '')}"


def conformance() -> str:
    found = shutil.which("conformance", path=node_path())
    if found is None:
        if os.environ.get("HOURSMITH_REQUIRE_EXTERNAL_CLIENTS") == "1":
            pytest.fail("the MCP conformance suite is required here; run .ci/install-node-tools")
        pytest.skip("MCP conformance suite not installed (bash .ci/install-node-tools)")
    return found


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    """hoursmith-mcp over HTTP on a free loopback port, serving the fixture manifest."""
    with start_upstream() as api_url:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "CONFORMANCE_API_URL": api_url,
            "CONFORMANCE_API_TOKEN": EXPECTED_TOKEN,
        }
        command = [sys.executable, "-m", "hoursmith_mcp", "serve", "--transport", "http", "--port", "0"]
        command += ["--manifest", str(HERE / "conformance.tools.yaml")]
        server = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            url = _announced_url(server)
            yield url
        finally:
            server.terminate()
            _, stderr = server.communicate(timeout=20)
            assert server.returncode in (0, -15), stderr
            assert "Traceback" not in stderr, stderr


def _announced_url(server: subprocess.Popen[str]) -> str:
    assert server.stderr is not None
    found: list[str] = []

    def read() -> None:
        for line in server.stderr:  # type: ignore[union-attr]
            match = re.search(r"MCP endpoint at (http://\S+/mcp)", line)
            if match:
                found.append(match.group(1))
                return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout=30)
    assert found, "the server did not announce its URL on stderr"
    return found[0]


def run_suite(url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [conformance(), "server", "--url", url, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,  # the suite writes results/ into its working directory
        env={**os.environ, "PATH": node_path()},
        timeout=300,
        check=False,
    )


def test_the_whole_suite_passes_against_its_baseline(server_url: str, tmp_path: Path) -> None:
    baseline = HERE / "expected-failures.yml"
    run = run_suite(server_url, tmp_path, "--suite", "all", "--expected-failures", str(baseline))
    summary = run.stdout[run.stdout.find("=== SUMMARY ===") :]
    assert run.returncode == 0, summary + run.stderr[-2000:]
    for scenario in APPLICABLE:
        assert re.search(rf"✓ {re.escape(scenario)}: [1-9]\d* passed, 0 failed", summary), (scenario, summary)


def test_the_baseline_lists_only_scenarios_that_exist(tmp_path: Path) -> None:
    listed = subprocess.run(
        [conformance(), "list"],
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": node_path()},
        timeout=60,
    )
    known = set(re.findall(r"^\s+- ([a-z0-9-]+) \[", listed.stdout, flags=re.MULTILINE))
    baseline = re.findall(
        r"^\s+- ([a-z0-9-]+)\s*$", (HERE / "expected-failures.yml").read_text(), re.MULTILINE
    )
    assert baseline and set(baseline) <= known
    assert not set(baseline) & set(APPLICABLE)
