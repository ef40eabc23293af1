"""The `hoursmith-mcp` command: the generic engine's command line, told what Hoursmith calls things."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from .engine import __version__
from .engine.commands.cli import main as engine_main
from .engine.commands.manifest_choice import ManifestChoice, installed_source_directory
from .engine.commands.product import Product
from .sandbox_upstream import HoursmithSandbox

_HERE = Path(__file__).resolve().parent


DISTRIBUTION = "hoursmith-mcp"


def default_manifest_path() -> Path:
    """The product's own tools.yaml: the wheel's copy, else the checkout's."""
    bundled = _HERE / "tools.yaml"  # placed there by the wheel build (see pyproject.toml)
    return bundled if bundled.is_file() else _HERE.parent / "tools.yaml"


def default_manifest() -> ManifestChoice:
    """What a person editing tools.yaml expects: after `pip install .` in a clone, the clone's
    tools.yaml (pip recorded where it installed from); in a checkout, the checkout's; else the copy
    bundled with the package."""
    own = default_manifest_path()
    if own.parent != _HERE:
        return ManifestChoice(own, "the tools.yaml of the checkout this command runs from")
    source = installed_source_directory(DISTRIBUTION)
    if source is not None and (source / own.name).is_file():
        return ManifestChoice(
            source / own.name, f"the {own.name} of {source}, which this package was installed from"
        )
    return ManifestChoice(own, "the copy bundled with the package")


PRODUCT = Product(
    command="hoursmith-mcp",
    description="An MCP server for the Hoursmith REST API, declared in tools.yaml.",
    version=__version__,
    env_prefix="HOURSMITH_",
    default_manifest=default_manifest,
    local_upstream=HoursmithSandbox(),
    distribution=DISTRIBUTION,
)


def main(argv: Sequence[str] | None = None) -> int:
    return engine_main(argv, PRODUCT)


def entry_point() -> None:
    sys.exit(main())
