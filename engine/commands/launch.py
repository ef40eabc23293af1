"""How an MCP client should launch this command: a stable command line, never a temporary path.

Clients start the server themselves, often with a PATH that does not include a virtualenv, so the
config names the executable by its absolute path. Two launchers run a command from a throw-away
environment in their cache, whose path changes or disappears: `uvx` (uv's cache, `archive-v0`) and
`pipx run` (pipx's `.cache`). Run through one of those, the client is given that launcher's command
line instead, with the same source the package came from (pip's direct_url.json record).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class Launch:
    command: str
    args: tuple[str, ...] = ()
    note: str = ""  # said to the person: how this command line was chosen, or a warning


def launch_command(
    command: str,
    distribution: str | None,
    prefix: str = sys.prefix,
    argv0: str = sys.argv[0],
    environ: Mapping[str, str] = os.environ,
) -> Launch:
    parts = Path(prefix).parts
    if "archive-v0" in parts:  # uvx: an environment in uv's cache
        uvx = shutil.which("uvx", path=environ.get("PATH")) or _beside(environ.get("UV"), "uvx") or "uvx"
        source = _source(distribution)
        args: tuple[str, ...] = ("--from", source, command) if source else (command,)
        return Launch(uvx, args, "you ran it through uvx, whose environments are temporary")
    if "pipx" in parts and ".cache" in parts:  # pipx run: an environment in pipx's cache
        pipx = shutil.which("pipx", path=environ.get("PATH")) or "pipx"
        source = _source(distribution)
        args = ("run", "--spec", source, command) if source else ("run", command)
        return Launch(pipx, args, "you ran it through pipx run, whose environments are temporary")
    path = _installed_executable(command, prefix, argv0, environ)
    if path is None:
        return Launch(command, (), f"{command} was not found by path: the client must find it on its PATH")
    if _is_inside(path, Path(tempfile.gettempdir())):
        return Launch(
            str(path), (), f"warning: {path} is in a temporary directory; install {command} somewhere lasting"
        )
    return Launch(str(path))


def _installed_executable(command: str, prefix: str, argv0: str, environ: Mapping[str, str]) -> Path | None:
    """The console script: the one running now, else the one in this environment, else on PATH."""
    started = Path(argv0)
    if started.stem == command and started.exists():
        return started.absolute()  # symlinks kept: a tool manager's link is its stable name
    scripts = Path(prefix) / ("Scripts" if sys.platform == "win32" else "bin")
    for name in (command, f"{command}.exe"):
        if (scripts / name).is_file():
            return scripts / name
    found = shutil.which(command, path=environ.get("PATH"))
    return Path(found).absolute() if found else None


def _beside(program: str | None, name: str) -> str | None:
    if not program:
        return None
    sibling = Path(program).with_name(name + Path(program).suffix)
    return str(sibling) if sibling.exists() else None


def _source(distribution: str | None) -> str | None:
    """Where the running distribution was installed from, as a requirement a launcher accepts: a
    local directory or archive, or a VCS URL; None when it came from an index (by name)."""
    if not distribution:
        return None
    try:
        recorded = metadata.distribution(distribution).read_text("direct_url.json")
        direct_url = json.loads(recorded) if recorded else None
    except (metadata.PackageNotFoundError, ValueError):
        return None
    if not isinstance(direct_url, dict) or not isinstance(direct_url.get("url"), str):
        return None
    url: str = direct_url["url"]
    vcs = direct_url.get("vcs_info")
    if isinstance(vcs, dict):
        revision = vcs.get("requested_revision") or vcs.get("commit_id")
        return f"{vcs.get('vcs', 'git')}+{url}" + (f"@{revision}" if revision else "")
    if url.startswith("file://"):
        from urllib.parse import urlparse
        from urllib.request import url2pathname

        return url2pathname(urlparse(url).path)
    return url


def _is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True
