"""Where the bundled manifest and its JSON Schema are, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent.parent  # the engine package
_BUNDLED_DIR = _PACKAGE_DIR / "bundled"  # filled by the wheel build (see pyproject.toml)
_CHECKOUT_DIR = _PACKAGE_DIR.parent  # the repository root, when running from source


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return candidates[-1]


def default_manifest_path() -> Path:
    """The tools.yaml served when no --manifest is given."""
    return _first_existing(_BUNDLED_DIR / "tools.yaml", _CHECKOUT_DIR / "tools.yaml")


def manifest_schema_path() -> Path:
    """The JSON Schema that is the single authority on the manifest's structure."""
    return _first_existing(
        _BUNDLED_DIR / "manifest.schema.json", _CHECKOUT_DIR / "schemas" / "manifest.schema.json"
    )
