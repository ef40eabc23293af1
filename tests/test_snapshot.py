"""The snapshot of what clients see (tools/list, prompts, resources): tools.yaml's committed snapshot
matches, and a change to a tool's name, argument or annotation fails naming the tool and the argument."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from hoursmith_mcp.cli import PRODUCT
from hoursmith_mcp.engine.commands.snapshot import run_snapshot

ROOT = Path(__file__).resolve().parent.parent
MANIFESTS = [ROOT / "tools.yaml", ROOT / "examples" / "shelf" / "shelf.tools.yaml"]


def snapshot(*files: Path, update: bool = False) -> tuple[int, str]:
    out = io.StringIO()
    code = run_snapshot(PRODUCT, [str(f) for f in files], update=update, out=out)
    return code, out.getvalue()


@pytest.mark.parametrize("manifest", MANIFESTS, ids=lambda p: p.name)
def test_the_committed_snapshot_matches_the_manifest(manifest: Path) -> None:
    code, out = snapshot(manifest)
    assert code == 0, (
        f"\n{out}\nWhat clients see of {manifest.name} changed. If you meant it, run\n"
        f"    hoursmith-mcp snapshot --update {manifest.relative_to(ROOT)}\n"
        "and commit the updated snapshot with your change."
    )


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "tools.yaml", tmp_path / "tools.yaml")
    shutil.copy(ROOT / "tools.snapshot.json", tmp_path / "tools.snapshot.json")
    return tmp_path / "tools.yaml"


def edit(path: Path, old: str, new: str, after: str = "") -> None:
    text = path.read_text(encoding="utf-8")
    start = text.index(after) if after else 0
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")


def test_a_changed_argument_fails_with_the_tool_and_the_argument(copy: Path) -> None:
    edit(copy, "maxLength: 200", "maxLength: 100", after="  - name: list_clients")
    code, out = snapshot(copy)
    assert code == 1
    assert "tool list_clients: argument 'search' changed: maxLength: 200 -> 100" in out
    line = next(
        n for n, text in enumerate(copy.read_text().splitlines(), 1) if "- name: list_clients" in text
    )
    assert f"tools.yaml:{line}:11: tool list_clients" in out  # at the tool, in the manifest
    assert f"hoursmith-mcp snapshot --update {copy}" in out  # exactly how to accept it


def test_renamed_tools_added_arguments_and_annotations_are_named(copy: Path) -> None:
    edit(copy, "  - name: get_me\n", "  - name: whoami\n")
    edit(copy, "tools: [get_me,", "tools: [whoami,")
    edit(copy, "    tool: get_me\n", "    tool: whoami\n")  # api.identity: the role is learnt from it
    edit(copy, "    tool: get_me\n", "    tool: whoami\n")  # the resource it backs
    edit(copy, "destructive: true", "destructive: false", after="  - name: archive_task")
    edit(
        copy,
        "    arguments:\n",
        "    arguments:\n      note: {in: query, schema: {type: string}}\n",
        after="  - name: get_project\n",
    )
    code, out = snapshot(copy)
    assert code == 1
    assert "tool get_me: removed" in out and "tool whoami: added" in out
    assert "tool archive_task: annotations.destructiveHint: true -> false" in out
    assert """tool get_project: argument 'note' added: {"type": "string"}""" in out


def test_update_writes_a_snapshot_that_then_matches(tmp_path: Path) -> None:
    manifest = tmp_path / "shelf.tools.yaml"
    shutil.copy(MANIFESTS[1], manifest)
    code, out = snapshot(manifest)
    assert code == 1 and "no snapshot" in out and "snapshot --update" in out
    assert snapshot(manifest, update=True)[0] == 0
    assert (tmp_path / "shelf.tools.snapshot.json").is_file()
    assert snapshot(manifest) == (
        0,
        f"{tmp_path / 'shelf.tools.snapshot.json'}: matches {manifest} (10 tools)\n",
    )


def test_an_invalid_manifest_is_a_usage_error_with_its_problems(tmp_path: Path) -> None:
    broken = ROOT / "tests" / "manifests" / "broken" / "unknown-key.yaml"
    code, out = snapshot(broken)
    assert code == 2 and "unknown key 'projektion'" in out and "invalid" in out
