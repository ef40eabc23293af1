"""`config claude|cursor|zed`: the client config snippet, and the file it goes in.

The snippet goes to stdout (so it can be redirected), the file paths to stderr. The token is always a
placeholder: a real token must be typed by the person into their own config, never printed by us.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from ..calls.connection import StartupError
from ..manifest.model import Manifest
from .manifest_choice import ManifestChoice
from .product import Product
from .startup import fail, load_for_serving

CONFIG_FILES: dict[str, list[tuple[str, str]]] = {
    "claude": [
        ("macOS", "~/Library/Application Support/Claude/claude_desktop_config.json"),
        ("Windows", r"%APPDATA%\Claude\claude_desktop_config.json"),
    ],
    "cursor": [("all systems", "~/.cursor/mcp.json")],
    "zed": [("all systems", "~/.config/zed/settings.json")],
}


def executable(command: str) -> str:
    """The absolute path of the command when it can be found (clients do not search a virtualenv)."""
    argv0 = Path(sys.argv[0])
    if argv0.name == command and argv0.exists():
        return str(argv0.resolve())
    return shutil.which(command) or command


def placeholder(manifest: Manifest) -> str:
    return f"{manifest.api.auth.token_prefix or ''}REPLACE_WITH_YOUR_TOKEN"


def snippet(
    client: str, command: str, manifest: Manifest, sandbox: bool, manifest_arg: str | None
) -> dict[str, Any]:
    """The client's entry: the server's name as key, the token variable the manifest names."""
    args = (["--manifest", manifest_arg] if manifest_arg else []) + (["--sandbox"] if sandbox else [])
    env = {} if sandbox else {manifest.api.auth.token_env: placeholder(manifest)}
    key = manifest.server.name
    if client == "zed":
        return {"context_servers": {key: {"command": {"path": command, "args": args, "env": env}}}}
    entry: dict[str, Any] = {"command": command, "args": args}
    if env:
        entry["env"] = env
    return {"mcpServers": {key: entry}}


def run_config(product: Product, client: str, *, sandbox: bool = False, manifest: ManifestChoice) -> int:
    """A manifest named by --manifest or the environment is passed on in the snippet (the client's
    environment will not have the variable); the default one the client finds by itself."""
    try:
        loaded = load_for_serving(product, manifest.path)
    except StartupError as exc:
        return fail(product, str(exc))
    manifest_arg = str(manifest.path.resolve()) if manifest.named else None
    err = sys.stderr
    err.write(f"Merge this into the {client} config file (create it if missing):\n")
    for system, path in CONFIG_FILES[client]:
        expanded = Path(path).expanduser() if path.startswith("~") else None
        err.write(f"  {system}: {path}" + (f"  ({expanded})" if expanded else "") + "\n")
    if not sandbox:
        err.write(f"Replace {placeholder(loaded)} with your API token.\n")
    err.write("Then restart the client: config changes take effect only after a restart.\n\n")
    err.flush()
    sys.stdout.write(
        json.dumps(snippet(client, executable(product.command), loaded, sandbox, manifest_arg), indent=2)
        + "\n"
    )
    return 0
