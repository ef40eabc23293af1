"""Loading a manifest file: YAML with positions, then structure (JSON Schema), then the semantic lint.

Every stage reports all it finds; a later stage runs only when the earlier ones found no error, since
it relies on what they guarantee.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import check_cache
from .model import Manifest, build_manifest
from .problems import ManifestError, Problem


class ManifestUnreadable(Exception):
    """The file could not be read at all (missing, a directory, not UTF-8): a usage error."""


@dataclass(frozen=True)
class CheckedManifest:
    manifest: Manifest | None  # None when there is any error
    problems: list[Problem]  # errors and warnings, in file order
    document: dict[str, Any] | None = None  # the parsed manifest, when it has no error

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def read_manifest_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ManifestUnreadable(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ManifestUnreadable(f"{path}: is a directory, not a manifest file") from None
    except UnicodeDecodeError as exc:
        raise ManifestUnreadable(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise ManifestUnreadable(f"{path}: cannot read: {exc.strerror}") from None


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading allocates hundreds of thousands of small objects and frees none of them: the cyclic
    collector would rescan them again and again (a large manifest loaded 1.6x slower with it)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def check_manifest_text(text: str, file: str) -> CheckedManifest:
    with _gc_paused():
        return _check(text, file)


def _check(text: str, file: str) -> CheckedManifest:
    # Imported here: YAML, jsonschema and the rules stay off start-up when the check cache vouches.
    from .lint import lint
    from .structure import check_structure
    from .workflow_lint import lint_workflows
    from .yaml_source import load_yaml

    try:
        data, source = load_yaml(text, file)
    except ManifestError as exc:
        return CheckedManifest(None, exc.problems)
    problems = check_structure(data, source)
    if problems:
        return CheckedManifest(None, sorted(problems))
    manifest = build_manifest(data, file)
    problems = [
        Problem(file, *source.position(f.path, key=f.key), f.message, f.rule, f.severity)
        for f in (*lint(manifest), *lint_workflows(manifest))
    ]
    has_errors = any(p.severity == "error" for p in problems)
    if has_errors:
        return CheckedManifest(None, sorted(problems))
    return CheckedManifest(manifest, sorted(problems), data)


def check_manifest(path: Path) -> CheckedManifest:
    """Check a manifest file; raises ManifestUnreadable when it cannot be read."""
    return check_manifest_text(read_manifest_text(path), str(path))


def load_manifest(path: Path, *, check_cache_dir: Path | None = None) -> Manifest:
    """The manifest ready to serve; raises ManifestError listing every error, or ManifestUnreadable.

    With `check_cache_dir`, a manifest whose exact text already passed every check (see
    engine/manifest/check_cache.py) is only parsed, not checked again.
    """
    text = read_manifest_text(path)
    key = check_cache.stamp(text) if check_cache_dir else None
    document = check_cache.known_good(check_cache_dir, key) if check_cache_dir and key else None
    if document is not None:
        with _gc_paused():
            return build_manifest(document, str(path))
    checked = check_manifest_text(text, str(path))
    if checked.manifest is None:
        raise ManifestError(checked.errors)
    if check_cache_dir and key and checked.document is not None:
        check_cache.remember(check_cache_dir, key, checked.document)
    return checked.manifest
