"""What a product built on the engine tells its command line: names, defaults and its local upstream.

The engine knows an API only through its manifest; everything else a person meets that carries the
product's name (the command, its environment variables, the default manifest, a simulator to try it
without an account) comes from here, filled in by the product layer that owns the console script.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from ..calls.connection import Connection
from .manifest_choice import MANIFEST_VARIABLE, ManifestChoice, choose_manifest


class LocalUpstream(Protocol):
    """A simulator of the API that `--sandbox` serves against, with seeded identities to act as."""

    roles: tuple[str, ...]  # whose seeded token `--sandbox-role` picks; the first is the default
    plans: tuple[str, ...]  # which seeded workspace `--sandbox-plan` picks; the first is the default
    description: str  # one line for --help: what the simulator is

    def start(self, role: str, plan: str) -> AbstractContextManager[Connection]:
        """A running simulator for the block, and the connection that acts as `role` in `plan`."""
        ...

    def attach(self, url: str, role: str, plan: str) -> Connection:
        """A simulator already running at `url` (a loopback URL), acting as `role` in `plan`; raises
        StartupError when nothing there answers like the simulator."""
        ...

    def run_foreground(self, argv: Sequence[str]) -> int:
        """The `sandbox` subcommand: the simulator alone, in the foreground, with its own options."""
        ...


@dataclass(frozen=True)
class Product:
    command: str  # the console script's name, in usage lines and messages ("NAME: message")
    description: str  # the --help summary
    version: str
    env_prefix: str  # prefix of the command's own variables: {prefix}READ_ONLY, {prefix}LOG_LEVEL, ...
    # The manifest served when neither --manifest nor {prefix}MANIFEST names one, and why that one.
    default_manifest: Callable[[], ManifestChoice]
    local_upstream: LocalUpstream | None = None  # None: no --sandbox
    # The installed distribution's name: where pip recorded its source (direct_url.json), which
    # `config` passes to uvx or pipx run when the command runs through one of them.
    distribution: str | None = None

    def env(self, name: str) -> str:
        """The full name of one of the command's environment variables, e.g. env("LOG_LEVEL")."""
        return f"{self.env_prefix}{name}"

    def manifest(self, flag: Path | None) -> ManifestChoice:
        """The manifest a command serves: --manifest, else {prefix}MANIFEST, else the default."""
        return choose_manifest(flag, self.env(MANIFEST_VARIABLE), self.default_manifest)

    @property
    def cache_dir_env(self) -> str:
        return self.env("MCP_CACHE_DIR")
