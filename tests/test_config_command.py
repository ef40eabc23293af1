"""`config CLIENT` for the clients people use, printed and written (--write), as a person runs it.

Every run gets a HOME of its own, so --write goes to a throw-away copy of each client's file; a real
token is in the environment of every run and must never show in anything printed or written by us.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hoursmith_mcp.engine.commands import jsonc
from hoursmith_mcp.engine.commands.launch import launch_command

SECRET = "hsk_live_0123456789ab_SECRETsecretSECRETsecretSECRET01"
CLIENT_FILES = {
    "claude-code": ".claude.json",
    "cursor": ".cursor/mcp.json",
    "vscode": ".config/Code/User/mcp.json",
    "zed": ".config/zed/settings.json",
    "windsurf": ".codeium/windsurf/mcp_config.json",
}
SERVERS_KEY = {
    "claude-desktop": "mcpServers",
    "claude-code": "mcpServers",
    "cursor": "mcpServers",
    "vscode": "servers",
    "zed": "context_servers",
    "windsurf": "mcpServers",
}


def hoursmith(home: Path, *args: str, token: str = SECRET) -> subprocess.CompletedProcess[str]:
    run = subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", *args],
        capture_output=True,
        text=True,
        env={
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(home),
            "HOURSMITH_API_TOKEN": token,
        },
        timeout=60,
        check=False,
    )
    assert "SECRET" not in run.stdout + run.stderr
    return run


@pytest.mark.parametrize("client", list(SERVERS_KEY))
def test_each_client_gets_its_own_format_with_a_placeholder_never_the_token(
    client: str, tmp_path: Path
) -> None:
    run = hoursmith(tmp_path, "config", client)
    assert run.returncode == 0, run.stderr
    snippet = json.loads(run.stdout)
    entry = snippet[SERVERS_KEY[client]]["hoursmith"]
    assert Path(entry["command"]).name == "hoursmith-mcp" and Path(entry["command"]).is_absolute()
    assert entry["args"] == []
    token = entry["env"]["HOURSMITH_API_TOKEN"]
    if client == "vscode":  # VS Code prompts for the secret and keeps it out of the file
        assert token == "${input:hoursmith-api-token}"
        assert snippet["inputs"] == [
            {
                "type": "promptString",
                "id": "hoursmith-api-token",
                "description": "Hoursmith API token (starts with hsk_)",
                "password": True,
            }
        ]
    else:
        assert token == "hsk_REPLACE_WITH_YOUR_TOKEN"
        assert "Replace hsk_REPLACE_WITH_YOUR_TOKEN with your API token." in run.stderr
    assert (entry.get("type") == "stdio") == (client in ("vscode", "claude-code"))
    assert "restart" in run.stderr


def test_zed_gets_the_current_flat_format() -> None:
    run = hoursmith(Path("/nonexistent-home"), "config", "zed", "--sandbox")
    entry = json.loads(run.stdout)["context_servers"]["hoursmith"]
    assert set(entry) == {"command", "args"} and entry["args"] == ["--sandbox"]
    assert isinstance(entry["command"], str)  # not Zed's old {"path": ..., "args": ...} object


def test_claude_code_also_gets_its_cli_command(tmp_path: Path) -> None:
    run = hoursmith(tmp_path, "config", "claude-code", "--sandbox")
    line = next(line for line in run.stderr.splitlines() if line.startswith("Or run: "))
    assert line.startswith("Or run: claude mcp add --scope user --transport stdio hoursmith -- /")
    assert line.endswith("hoursmith-mcp --sandbox")


@pytest.mark.parametrize("client", list(CLIENT_FILES))
def test_write_creates_the_clients_file_private_to_its_owner(client: str, tmp_path: Path) -> None:
    run = hoursmith(tmp_path, "config", client, "--write")
    assert run.returncode == 0, run.stderr
    path = tmp_path / CLIENT_FILES[client]
    written = json.loads(path.read_text(encoding="utf-8"))
    assert list(written[SERVERS_KEY[client]]) == ["hoursmith"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # it will hold a token
    assert f"Added the 'hoursmith' server in {path}." in run.stderr
    assert SECRET not in path.read_text(encoding="utf-8")


ZED_SETTINGS = """// Zed settings
//
// For information on how to configure Zed, see the Zed
// documentation: https://zed.dev/docs/configuring-zed
{
  "theme": "One Dark", // my theme
  /* fonts */
  "buffer_font_size": 15,
  "context_servers": {
    "other": {"command": "other-mcp", "args": []}, // keep me
  },
}
"""


def test_write_into_zed_settings_keeps_every_comment_and_setting(tmp_path: Path) -> None:
    path = tmp_path / ".config" / "zed" / "settings.json"
    path.parent.mkdir(parents=True)
    path.write_text(ZED_SETTINGS, encoding="utf-8")
    path.chmod(0o640)
    run = hoursmith(tmp_path, "config", "zed", "--write", "--sandbox")
    assert run.returncode == 0, run.stderr
    text = path.read_text(encoding="utf-8")
    # Everything that was there is still there, byte for byte, around the one inserted entry.
    for line in ZED_SETTINGS.splitlines():
        assert line in text.splitlines()
    assert jsonc.loads(text) == {
        "theme": "One Dark",
        "buffer_font_size": 15,
        "context_servers": {
            "hoursmith": {
                "command": jsonc.loads(text)["context_servers"]["hoursmith"]["command"],
                "args": ["--sandbox"],
            },
            "other": {"command": "other-mcp", "args": []},
        },
    }
    assert stat.S_IMODE(path.stat().st_mode) == 0o640  # its mode kept
    backups = list(path.parent.glob("settings.json.hoursmith-mcp-*.bak"))
    assert [b.read_text(encoding="utf-8") for b in backups] == [ZED_SETTINGS]
    again = hoursmith(tmp_path, "config", "zed", "--write", "--sandbox")
    assert "already has this 'hoursmith' entry; nothing to do" in again.stderr
    assert len(list(path.parent.glob("*.bak"))) == 1


def test_rewriting_an_entry_keeps_its_real_token_and_the_clients_own_keys(tmp_path: Path) -> None:
    path = tmp_path / ".codeium" / "windsurf" / "mcp_config.json"
    path.parent.mkdir(parents=True)
    before = {
        "mcpServers": {
            "hoursmith": {
                "command": "/old/venv/bin/hoursmith-mcp",
                "args": [],
                "disabled": False,
                "env": {"HOURSMITH_API_TOKEN": SECRET, "HOURSMITH_READ_ONLY": "1"},
            }
        }
    }
    path.write_text(json.dumps(before, indent=2), encoding="utf-8")
    run = hoursmith(tmp_path, "config", "windsurf", "--write")
    assert run.returncode == 0, run.stderr
    entry = json.loads(path.read_text(encoding="utf-8"))["mcpServers"]["hoursmith"]
    assert entry["command"] != "/old/venv/bin/hoursmith-mcp"
    assert entry["disabled"] is False
    assert entry["env"] == {"HOURSMITH_API_TOKEN": SECRET, "HOURSMITH_READ_ONLY": "1"}
    assert "Updated the 'hoursmith' server" in run.stderr and "was kept" in run.stderr
    # Switching to the sandbox keeps the real token for switching back; the placeholder never lands.
    hoursmith(tmp_path, "config", "windsurf", "--write", "--sandbox")
    entry = json.loads(path.read_text(encoding="utf-8"))["mcpServers"]["hoursmith"]
    assert entry["args"] == ["--sandbox"] and entry["env"]["HOURSMITH_API_TOKEN"] == SECRET


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (
            '{\n  "mcpServers": {\n    "a": {"command": "x",}\n  \n',
            "5:1: the file ends before its JSON is complete",
        ),
        ('{"mcpServers": {"a": 1}} trailing', "1:26"),
        ('{"mcpServers": []}', "'mcpServers' is not an object"),
        ("[1, 2]", "the file's top level is not an object"),
        ('{"a": 1, "a": 2}', "1:10: the key 'a' appears twice"),
    ],
)
def test_a_file_that_cannot_be_edited_safely_is_refused_and_left_untouched(
    tmp_path: Path, content: str, where: str
) -> None:
    path = tmp_path / ".cursor" / "mcp.json"
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    run = hoursmith(tmp_path, "config", "cursor", "--write")
    assert run.returncode == 2
    assert run.stderr.startswith(f"hoursmith-mcp: {path}:")
    assert where in run.stderr and "left untouched" in run.stderr
    assert path.read_text(encoding="utf-8") == content
    assert list(path.parent.iterdir()) == [path]  # no backup, no temporary file left behind


def test_claude_desktop_has_no_linux_file_but_any_file_can_be_named(tmp_path: Path) -> None:
    if sys.platform in ("darwin", "win32"):
        pytest.skip("Claude Desktop has a config file here")
    run = hoursmith(tmp_path, "config", "claude", "--write")
    assert run.returncode == 2 and "no config file on this system; name one with --file PATH" in run.stderr
    named = tmp_path / "claude_desktop_config.json"
    run = hoursmith(tmp_path, "config", "claude", "--write", "--file", str(named))
    assert run.returncode == 0, run.stderr
    assert "hoursmith" in json.loads(named.read_text(encoding="utf-8"))["mcpServers"]


def test_the_placeholder_is_refused_at_start_up_with_what_to_do(tmp_path: Path) -> None:
    run = hoursmith(tmp_path, token="hsk_REPLACE_WITH_YOUR_TOKEN")
    assert run.returncode == 2
    assert run.stderr.strip() == (
        "hoursmith-mcp: HOURSMITH_API_TOKEN is still the placeholder from the config snippet: replace it "
        "with your API token in the MCP client's config, then restart the client"
    )


def test_a_command_run_through_uvx_is_launched_through_uvx_never_from_uvs_cache(tmp_path: Path) -> None:
    cache = tmp_path / "uv-cache" / "archive-v0" / "QLQ4GT6QSH9pWleI"
    uv = tmp_path / "bin" / "uv"
    uv.parent.mkdir(parents=True)
    for tool in ("uv", "uvx"):
        (uv.parent / tool).write_text("#!/bin/sh\n")
    environ = {"PATH": "/usr/bin", "UV": str(uv)}
    launch = launch_command("hoursmith-mcp", None, str(cache), str(cache / "bin" / "hoursmith-mcp"), environ)
    assert (launch.command, launch.args) == (str(uv.parent / "uvx"), ("hoursmith-mcp",))
    assert "uvx" in launch.note


def test_a_command_run_through_pipx_run_is_launched_through_pipx(tmp_path: Path) -> None:
    cache = tmp_path / ".local" / "pipx" / ".cache" / "4a5b6c"
    launch = launch_command(
        "hoursmith-mcp", None, str(cache), str(cache / "bin" / "hoursmith-mcp"), {"PATH": ""}
    )
    assert (launch.command, launch.args) == ("pipx", ("run", "hoursmith-mcp"))
