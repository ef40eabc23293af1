"""Which manifest is served when none is named: --manifest, then {prefix}MANIFEST, then the product's
default (the tools.yaml of the directory pip installed from, else the bundled copy); and it is said.

The whole path after a real `pip install .` is exercised by tests/e2e/test_readme_commands.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hoursmith_mcp.engine.commands.manifest_choice import (
    ManifestChoice,
    choose_manifest,
    installed_source_directory,
)

ROOT = Path(__file__).parents[1]
MINIMAL = ROOT / "tests" / "manifests" / "minimal.yaml"
DEFAULT = ManifestChoice(Path("/bundled/tools.yaml"), "the copy bundled with the package")


def default() -> ManifestChoice:
    return DEFAULT


def test_the_flag_wins_over_the_variable_which_wins_over_the_default() -> None:
    env = {"ACME_MANIFEST": "/from/env.yaml"}
    flag = choose_manifest(Path("/from/flag.yaml"), "ACME_MANIFEST", default, env)
    assert flag == ManifestChoice(Path("/from/flag.yaml"), "given with --manifest", named=True)
    assert choose_manifest(None, "ACME_MANIFEST", default, env) == ManifestChoice(
        Path("/from/env.yaml"), "named by ACME_MANIFEST", named=True
    )
    assert choose_manifest(None, "ACME_MANIFEST", default, {"ACME_MANIFEST": "  "}) == DEFAULT
    assert choose_manifest(None, "ACME_MANIFEST", default, {}) == DEFAULT


@pytest.fixture
def fake_site(tmp_path: Path) -> Iterator[Path]:
    """A directory on sys.path where test distributions are 'installed' (their dist-info only)."""
    site = tmp_path / "site"
    site.mkdir()
    sys.path.insert(0, str(site))
    try:
        yield site
    finally:
        sys.path.remove(str(site))


def install(site: Path, name: str, direct_url: object | None) -> None:
    info = site / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    if direct_url is not None:
        text = direct_url if isinstance(direct_url, str) else json.dumps(direct_url)
        (info / "direct_url.json").write_text(text)


def test_the_source_directory_is_read_from_pips_record(fake_site: Path, tmp_path: Path) -> None:
    clone = tmp_path / "my clone"  # a space, percent-encoded in the recorded URL
    clone.mkdir()
    install(fake_site, "demo-local", {"url": "file://" + str(clone).replace(" ", "%20"), "dir_info": {}})
    assert installed_source_directory("demo-local") == clone


@pytest.mark.parametrize(
    "direct_url",
    [
        None,  # installed from an index: pip records nothing
        {"url": "file:///tmp/demo-1.0-py3-none-any.whl", "archive_info": {}},
        {"url": "https://github.com/o/demo.git", "vcs_info": {"vcs": "git", "commit_id": "abc"}},
        {"url": "file:///no/such/directory/anymore", "dir_info": {}},  # the clone was deleted
        "not json",
        ["a list"],
    ],
)
def test_anything_else_is_no_source_directory(fake_site: Path, direct_url: object) -> None:
    install(fake_site, "demo-other", direct_url)
    assert installed_source_directory("demo-other") is None


def test_a_distribution_that_is_not_installed_has_no_source_directory() -> None:
    assert installed_source_directory("surely-not-an-installed-distribution") is None


def hoursmith(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
    run = subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), **(env or {})},
        cwd=cwd,
        timeout=60,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_tools_says_which_manifest_it_read_and_why(tmp_path: Path) -> None:
    footer = hoursmith("tools").splitlines()[-1]
    assert footer == (
        f"36 tools (5 destructive) from {ROOT / 'tools.yaml'} "
        "(the tools.yaml of the checkout this command runs from)"
    )
    by_variable = hoursmith("tools", env={"HOURSMITH_MANIFEST": str(MINIMAL)}).splitlines()[-1]
    assert by_variable.startswith("4 tools") and by_variable.endswith(
        f"from {MINIMAL} (named by HOURSMITH_MANIFEST)"
    )
    by_flag = hoursmith(
        "tools", "--manifest", str(ROOT / "tools.yaml"), env={"HOURSMITH_MANIFEST": str(MINIMAL)}
    )
    assert by_flag.splitlines()[-1].endswith("(given with --manifest)")


def test_a_tools_yaml_in_the_current_directory_is_never_picked_up(tmp_path: Path) -> None:
    """Clients launch servers in the user's project folder: a tools.yaml there is not ours."""
    (tmp_path / "tools.yaml").write_text(MINIMAL.read_text(encoding="utf-8"))
    footer = hoursmith("tools", cwd=tmp_path).splitlines()[-1]
    assert footer.startswith("36 tools") and str(tmp_path) not in footer
