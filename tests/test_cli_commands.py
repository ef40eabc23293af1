"""The commands for people: `tools`, `call` and `config`, run as a person runs them (a subprocess)."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import pytest

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.commands.call import parse_arguments
from hoursmith_mcp.engine.manifest.loader import load_manifest

MANIFEST = load_manifest(default_manifest_path())


def hoursmith(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", *args],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **(env or {})},
        timeout=60,
        check=False,
    )


def test_call_get_me_on_the_sandbox_prints_the_owner_identity() -> None:
    run = hoursmith("call", "get_me", "--sandbox")
    assert run.returncode == 0, run.stderr
    me = json.loads(run.stdout)
    assert me["role"] == "OWNER" and me["org_name"] == "Brightline Studio" and me["plan"] == "studio"


def test_call_takes_arguments_as_pairs_and_json() -> None:
    run = hoursmith("call", "list_clients", "--sandbox", "--json", '{"sort": "name"}', "--arg", "limit=2")
    assert run.returncode == 0, run.stderr
    page = json.loads(run.stdout)
    assert len(page["items"]) == 2 and page["next_cursor"]
    names = [item["name"] for item in page["items"]]
    assert names == sorted(names)


def test_call_exits_1_on_a_tool_error_with_its_text_on_stderr() -> None:
    run = hoursmith("call", "list_clients", "--sandbox", "--sandbox-role", "member")
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.startswith("403 forbidden_scope: ")


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("call", "get_mee", "--sandbox"), ["unknown tool 'get_mee'", "get_me"]),
        (("call", "create_client", "--sandbox", "--read-only"), ["hidden by the filters", "read-only"]),
        (("call", "get_me", "--sandbox", "--arg", "oops"), ["NAME=VALUE"]),
        (("call", "get_me", "--sandbox", "--json", "[1]"), ["JSON object"]),
        (("call", "get_me"), ["HOURSMITH_API_TOKEN is not set"]),
    ],
)
def test_call_usage_errors_exit_2_with_one_line(args: tuple[str, ...], words: list[str]) -> None:
    run = hoursmith(*args)
    assert run.returncode == 2 and run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    for word in words:
        assert word in run.stderr


def test_arg_values_follow_the_schema_type() -> None:
    tool = MANIFEST.tool("list_clients")
    assert tool is not None
    parsed = parse_arguments(tool, ("limit=5", "search=123", "cursor=true", "max_items=20"), None)
    assert parsed == {"limit": 5, "search": "123", "cursor": "true", "max_items": 20}


def test_tools_prints_a_table_and_previews_the_filters() -> None:
    everything = hoursmith("tools")
    assert everything.returncode == 0, everything.stderr
    header, *rows = [line for line in everything.stdout.splitlines() if line.strip()][:-1]
    assert header.split() == ["NAME", "METHOD", "PATH", "READ-ONLY", "DESTRUCTIVE", "TOOLSETS"]
    assert len(rows) == 36  # the 31 API tools, get_running_timer among them as its workflow, and 5 more
    archive = next(row.split() for row in rows if row.startswith("archive_project "))
    assert archive == ["archive_project", "POST", "/projects/{project_id}/archive", "no", "yes", "projects"]
    summary = next(row.split() for row in rows if row.startswith("time_summary "))
    assert summary[:2] == ["time_summary", "workflow:"] and summary[-3:] == ["yes", "no", "workflows"]
    safe = hoursmith("tools", "--no-destructive", "--toolsets", "time,nope")
    assert safe.returncode == 0
    assert "5 of 36 tools (0 destructive)" in safe.stdout
    assert "unknown toolset 'nope'" in safe.stderr


def test_config_for_another_manifest_names_its_server_and_token_variable() -> None:
    other = os.path.join(os.path.dirname(__file__), "manifests", "minimal.yaml")
    run = hoursmith("config", "zed", "--manifest", other)
    assert run.returncode == 0, run.stderr
    entry = json.loads(run.stdout)["context_servers"]["demo"]
    assert entry["args"] == ["--manifest", os.path.abspath(other)]
    assert entry["env"] == {"DEMO_TOKEN": "REPLACE_WITH_YOUR_TOKEN"}


def test_tools_name_shows_one_tool_as_a_client_sees_it() -> None:
    run = hoursmith("tools", "list_projects")
    assert run.returncode == 0, run.stderr
    text = run.stdout
    assert text.startswith("list_projects — List projects\n")
    assert "Calls:        GET /projects" in text
    assert "Toolsets:     projects" in text
    assert "Annotations:  readOnlyHint=true" in text
    rows = {line.split()[0]: line for line in text.splitlines() if line.startswith("  ") and line[2] != " "}
    assert "one of ACTIVE, COMPLETED, ARCHIVED; optional" in rows["status"]
    assert "integer 1..200; optional" in rows["limit"]
    assert "integer 1..1000; optional" in rows["max_items"]  # auto-paging's argument, as listed
    assert "Example" in text and "$ hoursmith-mcp call list_projects" in text


def test_tools_name_shows_required_arguments_defaults_and_a_runnable_example() -> None:
    run = hoursmith("tools", "create_time_entry")
    assert run.returncode == 0, run.stderr
    rows = [line for line in run.stdout.splitlines() if line.startswith("  project_id ")]
    assert rows and "required" in rows[0]
    assert "destructiveHint=false" in run.stdout and "idempotentHint=false" in run.stdout
    example = next(line for line in run.stdout.splitlines() if line.startswith("  $ "))
    tool = MANIFEST.tool("create_time_entry")
    assert tool is not None
    # The printed command, split as a shell would, gives back exactly the example's arguments.
    command, call, name, *rest = shlex.split(example.removeprefix("  $ "))
    assert (command, call, name) == ("hoursmith-mcp", "call", "create_time_entry")
    assert rest[::2] == ["--arg"] * (len(rest) // 2)
    assert parse_arguments(tool, tuple(rest[1::2]), None) == tool.examples[0].arguments
    for name in ("project_id", "entry_date"):
        prop = tool.input_schema["properties"][name]
        assert prop.get("description", "")[:30] in run.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("tools", "get_mee"), ["unknown tool 'get_mee'", "did you mean get_me"]),
        (("tools", "delete_client", "--no-destructive"), ["'delete_client' is hidden by the filters"]),
    ],
)
def test_tools_name_usage_errors_exit_2_with_one_line(args: tuple[str, ...], words: list[str]) -> None:
    run = hoursmith(*args)
    assert run.returncode == 2 and run.stdout == ""
    assert len(run.stderr.strip().splitlines()) == 1
    for word in words:
        assert word in run.stderr


def test_every_tool_has_a_card_with_every_argument_and_a_runnable_example() -> None:
    from hoursmith_mcp.engine.commands.tool_card import tool_card

    for tool in MANIFEST.tools:
        card = tool_card(MANIFEST, tool, [], "hoursmith-mcp")
        assert card.startswith(tool.name)
        for name in tool.input_schema["properties"]:
            assert f"\n  {name} " in card, (tool.name, name)
        example = next((line for line in card.splitlines() if line.startswith("  $ ")), None)
        if tool.examples:
            assert example is not None, tool.name
            pairs = tuple(shlex.split(example.removeprefix("  $ "))[4::2])
            assert parse_arguments(tool, pairs, None) == tool.examples[0].arguments, tool.name


def test_tools_role_previews_what_a_role_is_served() -> None:
    member = hoursmith("tools", "--role", "MEMBER")
    assert member.returncode == 0, member.stderr
    assert "19 of 36 tools (1 destructive)" in member.stdout
    names = {line.split()[0] for line in member.stdout.splitlines()[1:] if line and line[0] != " "}
    assert "list_clients" not in names and "create_time_entry" in names
    assert "36 tools" in hoursmith("tools", "--role", "MEMBER", "--no-role-filter").stdout
    typo = hoursmith("tools", "--role", "member")
    assert (
        "role 'member' is not one the tools name (ADMIN, MANAGER, MEMBER, OWNER) (did you mean 'MEMBER'?)"
        in (typo.stderr)
    )
