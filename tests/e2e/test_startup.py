"""Start-up mistakes end with one clear stderr line and exit 2; stdout stays empty; no value is echoed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hoursmith_mcp.sandbox.runner import RunningSandbox

SECRETISH = "hsx_live_abcdef123456_SECRETVALUE0123456789abcdefghij"


def start(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), **env},
        timeout=60,
        check=False,
    )


def assert_one_clear_line(run: subprocess.CompletedProcess[str], *words: str) -> None:
    assert run.returncode == 2
    assert run.stdout == ""
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    assert lines[0].startswith("hoursmith-mcp: ")
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in run.stderr


def test_missing_token_names_the_variable_and_the_sandbox() -> None:
    assert_one_clear_line(start({}), "HOURSMITH_API_TOKEN is not set", "--sandbox")


def test_token_without_prefix_is_refused_without_echoing_it() -> None:
    run = start({"HOURSMITH_API_TOKEN": SECRETISH})
    assert_one_clear_line(run, "HOURSMITH_API_TOKEN", "'hsk_'")
    assert "SECRETVALUE" not in run.stderr and "hsx_live" not in run.stderr


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "Europe/Berlim", "../../etc/passwd"])
def test_an_unknown_time_zone_stops_start_up_before_a_single_wrong_day(zone: str) -> None:
    run = start({"HOURSMITH_API_TOKEN": "hsk_test_0123456789ab_" + "x" * 32, "HOURSMITH_TIME_ZONE": zone})
    assert_one_clear_line(run, f"HOURSMITH_TIME_ZONE is {zone!r}", "Europe/Berlin")


def test_token_with_spaces_is_refused() -> None:
    assert_one_clear_line(start({"HOURSMITH_API_TOKEN": "hsk_test_abc def"}), "spaces")


@pytest.mark.parametrize(
    "url", ["http://hoursmith.example/api/v1", "ftp://127.0.0.1/api", "http://10.0.0.1/api/v1"]
)
def test_plain_http_to_a_non_loopback_host_is_refused(url: str) -> None:
    run = start({"HOURSMITH_API_TOKEN": "hsk_test_0123456789ab_" + "x" * 32, "HOURSMITH_API_URL": url})
    assert_one_clear_line(run, "HOURSMITH_API_URL", "https://")


def test_invalid_manifest_fails_before_serving_with_its_problems(tmp_path: Path) -> None:
    broken = Path(__file__).parents[1] / "manifests" / "broken" / "unknown-key.yaml"
    run = start({"DEMO_TOKEN": "whatever-token"}, "--manifest", str(broken))
    assert run.returncode == 2 and run.stdout == ""
    *problems, last = run.stderr.strip().splitlines()
    assert any("unknown key 'projektion'" in line for line in problems)
    assert last.startswith("hoursmith-mcp: ") and "is invalid" in last and "validate" in last


def test_a_manifest_problem_that_quotes_the_token_does_not_print_it(tmp_path: Path) -> None:
    """The token pasted into the manifest by mistake: the problem quotes the value, never the token."""
    token = "hsk_test_0123456789ab_" + "Q" * 32
    minimal = (Path(__file__).parents[1] / "manifests" / "minimal.yaml").read_text(encoding="utf-8")
    manifest = tmp_path / "pasted.yaml"
    manifest.write_text(minimal.replace("scheme: bearer", f"scheme: {token}"), encoding="utf-8")
    run = start({"DEMO_TOKEN": token}, "--manifest", str(manifest))
    assert run.returncode == 2 and "api.auth.scheme" in run.stderr
    assert "QQQQ" not in run.stderr and "[REDACTED]" in run.stderr


def test_missing_manifest_file_is_one_line(tmp_path: Path) -> None:
    assert_one_clear_line(start({}, "--manifest", str(tmp_path / "nope.yaml")), "no such file")


def test_loopback_http_is_accepted_and_eof_on_stdin_ends_cleanly(upstream: RunningSandbox) -> None:
    run = start(
        {"HOURSMITH_API_TOKEN": "hsk_test_0123456789ab_" + "x" * 32, "HOURSMITH_API_URL": upstream.base_url}
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""


@pytest.mark.parametrize("url", ["http://[::1", "https://example.com:abc/api"])
def test_a_malformed_base_url_is_refused_at_start_up(url: str) -> None:
    run = start({"HOURSMITH_API_TOKEN": "hsk_test_0123456789ab_" + "x" * 32, "HOURSMITH_API_URL": url})
    assert_one_clear_line(run, "HOURSMITH_API_URL is not a valid URL")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://admin:hunter2-PASSWORD@api.example.com/v1",
        "http://admin:hunter2-PASSWORD@api.example.com/v1",
        "https://admin:hunter2-PASSWORD@api.example.com:bad/v1",
        "http://api.example.com/v1?key=hunter2-PASSWORD",
        "https://admin:hunter2-PASSWORD@api.example.com/v1#hunter2-PASSWORD",
    ],
)
def test_credentials_in_the_base_url_are_never_printed(url: str) -> None:
    run = start({"HOURSMITH_API_TOKEN": "hsk_test_0123456789ab_" + "x" * 32, "HOURSMITH_API_URL": url})
    assert_one_clear_line(run, "HOURSMITH_API_URL")
    assert "hunter2" not in run.stderr and "admin" not in run.stderr
    assert "api.example.com" in run.stderr or "credentials" in run.stderr


def test_an_unknown_log_level_is_said_once_and_serving_goes_on(upstream: RunningSandbox) -> None:
    env = {
        "HOURSMITH_API_TOKEN": "hsk_test_0123456789ab_" + "x" * 32,
        "HOURSMITH_API_URL": upstream.base_url,
        "HOURSMITH_LOG_LEVEL": "verbose",
    }
    run = start(env)
    assert run.returncode == 0 and run.stdout == ""
    assert run.stderr.count("HOURSMITH_LOG_LEVEL='verbose' is not one of") == 1
