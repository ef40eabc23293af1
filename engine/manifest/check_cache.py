"""Remembers manifests that passed every check, so serving does not re-run `validate` at each start.

Clients start the server on demand, often at every launch: the full check (schema, lint, examples)
costs more than the rest of start-up together. A stamp names the manifest's exact text together with
the checker that judged it (schema, engine version, and the files whose rules decide validity), so an
edit to either one makes the manifest be checked again. The entry holds the parsed document as JSON,
so a vouched-for start needs neither the checks nor the YAML parser. `validate` never uses the cache.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from pathlib import Path
from typing import Any

from .. import __version__
from .schema_file import manifest_schema_path

_ENGINE = Path(__file__).resolve().parent.parent
_CHECKER_LIBRARIES = ("jsonschema", "jmespath", "yaml")  # their rules decide validity too


def default_dir(owner: str) -> Path:
    """Where `owner` (the command serving manifests) keeps its entries: the user's cache folder."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / owner / "checked"


def stamp(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8"))
    digest.update(__version__.encode())
    try:
        digest.update(manifest_schema_path().read_bytes())
        checker_files = sorted(_ENGINE.rglob("*.py"))  # the whole engine: any module may take part
        for library in _CHECKER_LIBRARIES:
            spec = importlib.util.find_spec(library)  # finds, does not import
            if spec is None or spec.origin is None:
                raise OSError(f"{library} not found")
            checker_files.append(Path(spec.origin))
        for path in checker_files:
            info = path.stat()
            digest.update(f"{path}:{info.st_size}:{info.st_mtime_ns}".encode())
    except OSError:
        digest.update(os.urandom(16))  # cannot tell what judged it: never match
    return digest.hexdigest()


def known_good(directory: Path, key: str) -> dict[str, Any] | None:
    """The document that passed every check under this stamp, or None."""
    try:
        data = json.loads((directory / key).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def remember(directory: Path, key: str, document: dict[str, Any]) -> None:
    """Best effort: a read-only or missing home only means the next start checks again."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        partial = directory / f"{key}.{os.getpid()}.tmp"
        partial.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
        partial.replace(directory / key)  # atomic: a concurrent start never reads half an entry
    except (OSError, TypeError, ValueError):  # unwritable, or a document JSON cannot hold: check next time
        pass
