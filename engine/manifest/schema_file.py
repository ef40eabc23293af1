"""Where the manifest's JSON Schema is: inside an installed engine, or at the top of a source checkout."""

from __future__ import annotations

from pathlib import Path

_ENGINE_DIR = Path(__file__).resolve().parent.parent
_BUNDLED = _ENGINE_DIR / "bundled" / "manifest.schema.json"  # placed there by the wheel build
_CHECKOUT = _ENGINE_DIR.parent / "schemas" / "manifest.schema.json"


def manifest_schema_path() -> Path:
    """The JSON Schema that is the single authority on the manifest's structure."""
    return _BUNDLED if _BUNDLED.is_file() else _CHECKOUT
