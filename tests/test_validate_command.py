"""`hoursmith-mcp validate` as CI and people use it: exit codes, the three formats, no tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

MANIFESTS = Path(__file__).parent / "manifests"
MINIMAL = MANIFESTS / "minimal.yaml"
BROKEN = MANIFESTS / "broken"


def validate(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", "validate", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def test_valid_manifest_prints_a_one_line_summary_and_exits_0() -> None:
    run = validate("minimal.yaml", cwd=MANIFESTS)
    assert run.returncode == 0, run.stderr
    assert run.stdout == "minimal.yaml: 4 tools (1 destructive) OK\n"
    assert run.stderr == ""


@pytest.mark.parametrize(
    "name",
    ["placeholder-missing-argument", "unknown-key", "bad-jmespath", "delete-not-destructive",
     "duplicate-tool-name", "unportable-anyof", "yaml-syntax", "duplicate-key"],
)  # fmt: skip
def test_broken_manifest_exits_1_with_located_messages_and_no_traceback(name: str) -> None:
    path = BROKEN / f"{name}.yaml"
    run = validate(path)
    assert run.returncode == 1
    assert "Traceback" not in run.stdout + run.stderr
    lines = run.stdout.splitlines()
    error_lines = [line for line in lines if ": warning: " not in line and not line.endswith(": invalid")]
    assert error_lines, run.stdout
    for line in error_lines:
        file, line_no, column, message = line.split(":", 3)
        assert file.endswith(f"{name}.yaml") and line_no.isdigit() and column.isdigit() and message.strip()
    assert lines[-1].endswith(": invalid")


def test_nonexistent_file_is_a_usage_error() -> None:
    run = validate("no/such/manifest.yaml")
    assert run.returncode == 2
    assert "no such file" in run.stdout
    assert "Traceback" not in run.stderr


def test_unknown_option_is_a_usage_error() -> None:
    run = validate("--format", "xml", MINIMAL)
    assert run.returncode == 2
    assert "invalid choice" in run.stderr


def test_all_files_are_checked_and_the_worst_result_wins() -> None:
    run = validate(MINIMAL, BROKEN / "unknown-key.yaml")
    assert run.returncode == 1
    assert "4 tools (1 destructive) OK" in run.stdout
    assert "unknown key 'projektion'" in run.stdout


def test_json_format_carries_every_problem_with_its_place() -> None:
    run = validate("--format", "json", MINIMAL, BROKEN / "example-bad-arguments.yaml")
    assert run.returncode == 1
    report = json.loads(run.stdout)
    assert report["ok"] is False
    good, bad = report["files"]
    assert (good["ok"], good["tools"], good["destructive"], good["problems"]) == (True, 4, 1, [])
    assert bad["ok"] is False and bad["tools"] is None
    assert [(p["line"], p["column"], p["rule"], p["severity"]) for p in bad["problems"]] == [
        (20, 18, "example", "error"),
        (20, 18, "example", "error"),
    ]
    assert any("'colour' was unexpected" in p["message"] for p in bad["problems"])


def test_json_format_reports_unreadable_files() -> None:
    run = validate("--format", "json", "missing.yaml")
    assert run.returncode == 2
    (entry,) = json.loads(run.stdout)["files"]
    assert entry == {"file": "missing.yaml", "ok": False, "error": "no such file", "tools": None,
                     "workflows": None, "destructive": None, "prompts": None, "resources": None,
                     "problems": []}  # fmt: skip


def test_github_format_emits_workflow_annotations() -> None:
    run = validate("--format", "github", BROKEN / "toolset-unknown-tool.yaml")
    assert run.returncode == 1
    lines = run.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(errors) == 1 and len(warnings) == 1
    assert errors[0].startswith("::error file=")
    assert "toolset-unknown-tool.yaml,line=21,col=24,title=toolset::" in errors[0]
    assert errors[0].endswith(
        "::toolset 'things' names unknown tool 'get_thingy' (did you mean 'get_thing'?)"
    )


def test_github_format_escapes_what_would_break_the_command(tmp_path: Path) -> None:
    weird = tmp_path / "a,b:c.yaml"
    weird.write_text("a: [1\n", encoding="utf-8")
    run = validate("--format", "github", weird)
    (line, _summary) = run.stdout.splitlines()
    assert "file=" in line and "a%2Cb%3Ac.yaml" in line
    assert line.count("::") == 2
