"""check-live: the manifest's live checks against a real upstream, reported by tool and FILE:LINE:COL.

tools.yaml against the sandbox must pass whole; copies with a moved path, a renamed projected field and
a changed output schema must each fail at their tool; the Shelf manifest runs against its own upstream
with the key from the environment, read-only unless --writes.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest

from hoursmith_mcp.cli import PRODUCT
from hoursmith_mcp.engine.commands.check_live import CheckLiveOptions, run_check_live
from hoursmith_mcp.engine.commands.startup import UpstreamChoice

from .upstreams.shelf import KEY, ShelfUpstream

ROOT = Path(__file__).resolve().parent.parent
SHELF = ROOT / "examples" / "shelf" / "shelf.tools.yaml"
SANDBOX = UpstreamChoice(sandbox=True, sandbox_role="owner", sandbox_plan="studio")
LINE = re.compile(
    r"^(?P<file>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<tool>[a-z_]+): (?P<status>ok|failed|skipped): "
)


def check_live(
    manifest: Path, upstream: UpstreamChoice = SANDBOX, writes: bool = False
) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = run_check_live(CheckLiveOptions(PRODUCT, manifest, upstream, writes, "warning"), out)
    return code, out.getvalue().splitlines()


def line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_every_read_tool_of_tools_yaml_fits_the_sandbox() -> None:
    code, lines = check_live(ROOT / "tools.yaml")
    assert code == 0, "\n".join(lines)
    statuses = [LINE.match(line) for line in lines[:-1]]
    assert all(statuses) and {m["status"] for m in statuses if m} == {"ok"}
    assert len(statuses) == 16 and lines[-1] == "tools.yaml: 16 checks: 16 ok, 0 failed, 0 skipped"
    get_client = next(m for m in statuses if m and m["tool"] == "get_client")
    assert int(get_client["line"]) == line_of(ROOT / "tools.yaml", "- arguments: {client_id: ")


def test_a_moved_route_a_renamed_field_and_a_changed_type_fail_at_their_tools(
    shelf: ShelfUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API changed and the manifest (its examples included) did not: only live answers show it."""

    def drift(record: dict[str, Any]) -> dict[str, Any]:
        if "books_count" in record:
            record["book_count"] = record.pop("books_count")  # renamed: the projection still says books_count
        if "born" in record:
            record["born"] = str(record["born"])  # now text: get_author's output schema says integer
        return record

    shelf.reshape = drift
    shelf.gone = {"loans"}  # the route moved
    monkeypatch.setenv("SHELF_API_KEY", KEY)
    monkeypatch.setenv("SHELF_API_URL", shelf.base_url)
    code, lines = check_live(SHELF, UpstreamChoice())
    assert code == 1
    failed = {
        m["tool"]: (int(m["line"]), line)
        for line in lines
        if (m := LINE.match(line)) and m["status"] == "failed"
    }
    assert set(failed) == {"list_authors", "get_author", "list_loans"}, "\n".join(lines)
    assert failed["list_authors"][0] == line_of(SHELF, "- name: list_authors")
    assert "the projection names 'books_count', absent from the API's answer" in failed["list_authors"][1]
    assert failed["get_author"][0] == line_of(SHELF, "- arguments: {author_slug:")  # at the check itself
    assert "output schema at born" in failed["get_author"][1]
    assert "404 not_found" in failed["list_loans"][1]
    assert lines[-1] == "examples/shelf/shelf.tools.yaml: 6 checks: 2 ok, 3 failed, 1 skipped"


def test_the_shelf_manifest_runs_against_its_upstream_read_only_unless_asked(
    shelf: ShelfUpstream, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHELF_API_KEY", KEY)
    monkeypatch.setenv("SHELF_API_URL", shelf.base_url)
    manifest = SHELF
    code, lines = check_live(manifest, UpstreamChoice())
    assert code == 0, "\n".join(lines)
    assert lines[-1].endswith(": 6 checks: 5 ok, 0 failed, 1 skipped")  # lend_book's check needs --writes
    assert {r.method for r in shelf.requests} == {"GET"}
    code, lines = check_live(manifest, UpstreamChoice(), writes=True)
    assert code == 0 and lines[-1].endswith(": 10 checks: 6 ok, 0 failed, 4 skipped")  # writes without checks
    assert [r.raw_path for r in shelf.requests if r.method == "POST"] == ["/v2/books/1/loans"]


def test_a_missing_token_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("SHELF_API_KEY", raising=False)
    code, lines = check_live(ROOT / "examples" / "shelf" / "shelf.tools.yaml", UpstreamChoice())
    assert code == 2 and lines == []
    assert capsys.readouterr().err.startswith("hoursmith-mcp: SHELF_API_KEY is not set")
