"""`hoursmith-mcp config claude|cursor|zed`: the client config snippet, and the file it goes in.

The snippet goes to stdout (so it can be redirected), the file paths to stderr. The token is always a
placeholder: a real token must be typed by the person into their own config, never printed by us.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

TOKEN_PLACEHOLDER = "hsk_live_REPLACE_WITH_YOUR_TOKEN"
SERVER_KEY = "hoursmith"
EXECUTABLE = "hoursmith-mcp"

CONFIG_FILES: dict[str, list[tuple[str, str]]] = {
    "claude": [
        ("macOS", "~/Library/Application Support/Claude/claude_desktop_config.json"),
        ("Windows", r"%APPDATA%\Claude\claude_desktop_config.json"),
    ],
    "cursor": [("all systems", "~/.cursor/mcp.json")],
    "zed": [("all systems", "~/.config/zed/settings.json")],
}


def executable() -> str:
    """The absolute path of `hoursmith-mcp` when it can be found (clients do not search a virtualenv)."""
    argv0 = Path(sys.argv[0])
    if argv0.name == EXECUTABLE and argv0.exists():
        return str(argv0.resolve())
    return shutil.which(EXECUTABLE) or EXECUTABLE


def snippet(client: str, command: str, sandbox: bool) -> dict[str, Any]:
    args = ["--sandbox"] if sandbox else []
    env = {} if sandbox else {"HOURSMITH_API_TOKEN": TOKEN_PLACEHOLDER}
    if client == "zed":
        return {"context_servers": {SERVER_KEY: {"command": {"path": command, "args": args, "env": env}}}}
    entry: dict[str, Any] = {"command": command, "args": args}
    if env:
        entry["env"] = env
    return {"mcpServers": {SERVER_KEY: entry}}


def run_config(client: str, *, sandbox: bool = False) -> int:
    err = sys.stderr
    err.write(f"Merge this into the {client} config file (create it if missing):\n")
    for system, path in CONFIG_FILES[client]:
        expanded = Path(path).expanduser() if path.startswith("~") else None
        err.write(f"  {system}: {path}" + (f"  ({expanded})" if expanded else "") + "\n")
    if not sandbox:
        err.write(f"Replace {TOKEN_PLACEHOLDER} with your API token (Hoursmith: Settings -> API).\n")
    err.write("Then restart the client: config changes take effect only after a restart.\n\n")
    err.flush()
    sys.stdout.write(json.dumps(snippet(client, executable(), sandbox), indent=2) + "\n")
    return 0
