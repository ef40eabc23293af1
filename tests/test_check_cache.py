"""Serving trusts a manifest whose exact text already passed every check, and checks anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from hoursmith_mcp.engine.manifest import check_cache, structure
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.manifest.problems import ManifestError

MINIMAL = Path(__file__).parent / "manifests" / "minimal.yaml"


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def refuse_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> list[object]:
        raise AssertionError("the full check ran although the cache vouched for the manifest")

    monkeypatch.setattr(structure, "check_structure", fail)


def test_a_checked_manifest_is_remembered_and_then_only_parsed(
    cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest = tmp_path / "tools.yaml"
    manifest.write_text(MINIMAL.read_text(encoding="utf-8"), encoding="utf-8")
    first = load_manifest(manifest, check_cache_dir=cache)
    assert len(list(cache.iterdir())) == 1
    refuse_checks(monkeypatch)
    second = load_manifest(manifest, check_cache_dir=cache)
    assert [t.name for t in second.tools] == [t.name for t in first.tools]


def test_an_edited_manifest_is_checked_again(cache: Path, tmp_path: Path) -> None:
    manifest = tmp_path / "tools.yaml"
    text = MINIMAL.read_text(encoding="utf-8")
    manifest.write_text(text, encoding="utf-8")
    load_manifest(manifest, check_cache_dir=cache)
    manifest.write_text(text.replace("destructive: true", "destructive: false"), encoding="utf-8")
    with pytest.raises(ManifestError, match="must be destructive"):
        load_manifest(manifest, check_cache_dir=cache)


def test_without_the_flag_nothing_is_trusted_or_written(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_manifest(MINIMAL)
    assert not cache.exists()
    check_cache.remember(cache, check_cache.stamp(MINIMAL.read_text(encoding="utf-8")), {"version": 1})
    refuse_checks(monkeypatch)
    with pytest.raises(AssertionError, match="the full check ran"):
        load_manifest(MINIMAL)


def test_an_unwritable_cache_only_costs_a_check(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    assert load_manifest(MINIMAL, check_cache_dir=blocker / "cache").tools
