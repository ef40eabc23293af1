"""The MCP clients people use, as `config` knows them: where each keeps its servers, and in what shape.

Each client's format and file location is the one its own documentation gives (as of late 2026):
- Claude Desktop: `mcpServers` in claude_desktop_config.json (macOS, Windows; no Linux build).
- Claude Code: `claude mcp add --scope user ...`, which writes `mcpServers` at the top of ~/.claude.json
  (code.claude.com/docs/en/mcp); entries carry "type": "stdio".
- Cursor: `mcpServers` in ~/.cursor/mcp.json (cursor.com/docs/mcp).
- VS Code: `servers` in the user profile's mcp.json, entries with "type": "stdio", and `inputs` that
  prompt for a secret and keep it out of the file (code.visualstudio.com/docs/copilot/reference/
  mcp-configuration). JSON with comments.
- Zed: `context_servers` in settings.json, entries with flat "command", "args", "env"
  (zed.dev/docs/ai/mcp; file location: zed.dev/docs/configuring-zed). JSON with comments.
- Windsurf: `mcpServers` in ~/.codeium/windsurf/mcp_config.json (docs.windsurf.com/windsurf/cascade/mcp).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Locations = Callable[[str, Mapping[str, str], Path], Path | None]  # (platform, environ, home) -> file


@dataclass(frozen=True)
class Client:
    name: str  # on the command line
    title: str
    servers_key: str  # the top-level object that maps server names to entries
    locations: Locations
    where: tuple[str, ...]  # the file's place on each system, for people
    comments: bool = False  # the client reads JSON with comments (JSONC)
    typed: bool = False  # entries carry "type": "stdio"
    secret_inputs: bool = False  # the client can prompt for a secret (VS Code's `inputs`)

    def config_file(
        self, platform: str = sys.platform, environ: Mapping[str, str] = os.environ, home: Path | None = None
    ) -> Path | None:
        """This system's config file, or None when the client has no known place on it."""
        return self.locations(platform, environ, home or Path.home())

    def entry(self, command: str, args: list[str], env: dict[str, str]) -> dict[str, Any]:
        entry: dict[str, Any] = {"type": "stdio"} if self.typed else {}
        entry.update({"command": command, "args": args})
        if env:
            entry["env"] = env
        return entry


def _appdata(environ: Mapping[str, str], home: Path) -> Path:
    return Path(environ.get("APPDATA") or home / "AppData" / "Roaming")


def _xdg_config(environ: Mapping[str, str], home: Path) -> Path:
    return Path(environ.get("XDG_CONFIG_HOME") or home / ".config")


def _claude_desktop(platform: str, environ: Mapping[str, str], home: Path) -> Path | None:
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Claude" / "claude_desktop_config.json"
    if platform == "win32":
        return _appdata(environ, home) / "Claude" / "claude_desktop_config.json"
    return None


def _vscode(platform: str, environ: Mapping[str, str], home: Path) -> Path | None:
    if platform == "darwin":
        return home / "Library" / "Application Support" / "Code" / "User" / "mcp.json"
    if platform == "win32":
        return _appdata(environ, home) / "Code" / "User" / "mcp.json"
    return _xdg_config(environ, home) / "Code" / "User" / "mcp.json"


def _zed(platform: str, environ: Mapping[str, str], home: Path) -> Path | None:
    if platform == "win32":
        return _appdata(environ, home) / "Zed" / "settings.json"
    if platform == "darwin":
        return home / ".config" / "zed" / "settings.json"
    return _xdg_config(environ, home) / "zed" / "settings.json"


def _in_home(*parts: str) -> Locations:
    return lambda platform, environ, home: home.joinpath(*parts)


CLIENTS: dict[str, Client] = {
    client.name: client
    for client in (
        Client(
            "claude-desktop",
            "Claude Desktop",
            "mcpServers",
            _claude_desktop,
            (
                "macOS: ~/Library/Application Support/Claude/claude_desktop_config.json",
                r"Windows: %APPDATA%\Claude\claude_desktop_config.json",
            ),
        ),
        Client(
            "claude-code",
            "Claude Code",
            "mcpServers",
            _in_home(".claude.json"),
            ("all systems: ~/.claude.json (user scope; what `claude mcp add --scope user` writes)",),
            typed=True,
        ),
        Client(
            "cursor",
            "Cursor",
            "mcpServers",
            _in_home(".cursor", "mcp.json"),
            ("all systems: ~/.cursor/mcp.json",),
        ),
        Client(
            "vscode",
            "VS Code",
            "servers",
            _vscode,
            (
                "macOS: ~/Library/Application Support/Code/User/mcp.json",
                "Linux: ~/.config/Code/User/mcp.json",
                r"Windows: %APPDATA%\Code\User\mcp.json",
            ),
            comments=True,
            typed=True,
            secret_inputs=True,
        ),
        Client(
            "zed",
            "Zed",
            "context_servers",
            _zed,
            ("macOS, Linux: ~/.config/zed/settings.json", r"Windows: %APPDATA%\Zed\settings.json"),
            comments=True,
        ),
        Client(
            "windsurf",
            "Windsurf",
            "mcpServers",
            _in_home(".codeium", "windsurf", "mcp_config.json"),
            ("all systems: ~/.codeium/windsurf/mcp_config.json",),
        ),
    )
}
ALIASES = {"claude": "claude-desktop", "code": "vscode"}
