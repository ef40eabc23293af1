"""The `hoursmith-mcp` command: the generic engine's command line, told what Hoursmith calls things."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from .engine import __version__
from .engine.commands.cli import main as engine_main
from .engine.commands.product import Product
from .sandbox_upstream import HoursmithSandbox

_HERE = Path(__file__).resolve().parent


def default_manifest_path() -> Path:
    """The tools.yaml served when no --manifest is given: the wheel's copy, else the checkout's."""
    bundled = _HERE / "tools.yaml"  # placed there by the wheel build (see pyproject.toml)
    return bundled if bundled.is_file() else _HERE.parent / "tools.yaml"


PRODUCT = Product(
    command="hoursmith-mcp",
    description="An MCP server for the Hoursmith REST API, declared in tools.yaml.",
    version=__version__,
    env_prefix="HOURSMITH_",
    default_manifest=default_manifest_path,
    local_upstream=HoursmithSandbox(),
)


def main(argv: Sequence[str] | None = None) -> int:
    return engine_main(argv, PRODUCT)


def entry_point() -> None:
    sys.exit(main())
