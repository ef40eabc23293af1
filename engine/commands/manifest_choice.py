"""Which manifest a command serves when none is named on its command line, and why.

In order: `--manifest`; the product's {prefix}MANIFEST variable; then the product's own default (see
the product layer), typically the tools.yaml of the directory the package was installed from (so a
person who ran `pip install .` in a clone and edits tools.yaml there sees the edit), else the copy
bundled with the package. Never a tools.yaml of the current directory: clients launch servers in the
user's project folder, and whatever lies there is not ours to serve. The reason travels with the path so
the banner, `tools` and `doctor` can say which file is served and why.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname


@dataclass(frozen=True)
class ManifestChoice:
    path: Path
    origin: str  # why this file, in a few words: "given with --manifest", "named by ACME_MANIFEST"...
    named: bool = False  # named by the person (flag or variable), not found by default


MANIFEST_VARIABLE = "MANIFEST"  # after the product's prefix, e.g. ACME_MANIFEST


def choose_manifest(
    flag: Path | None,
    env_variable: str,
    default: Callable[[], ManifestChoice],
    environ: Mapping[str, str] = os.environ,
) -> ManifestChoice:
    if flag is not None:
        return ManifestChoice(flag, "given with --manifest", named=True)
    named = environ.get(env_variable, "").strip()
    if named:
        return ManifestChoice(Path(named).expanduser(), f"named by {env_variable}", named=True)
    return default()


def installed_source_directory(distribution: str) -> Path | None:
    """The local directory the distribution was installed from (pip records it in direct_url.json),
    or None: installed from an index, an archive or a VCS URL, or not installed at all."""
    try:
        recorded = metadata.distribution(distribution).read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not recorded:
        return None
    try:
        direct_url = json.loads(recorded)
    except ValueError:
        return None
    if not isinstance(direct_url, dict) or "dir_info" not in direct_url:
        return None  # an archive (archive_info) or a repository (vcs_info)
    url = urlparse(str(direct_url.get("url", "")))
    if url.scheme != "file":
        return None
    directory = Path(url2pathname(url.path))
    return directory if directory.is_dir() else None
