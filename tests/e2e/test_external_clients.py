"""A real external client, the MCP Inspector CLI (Node), against `hoursmith-mcp --sandbox`.

.ci/run installs Node 22 and the Inspector into .ci/.cache/node and sets
HOURSMITH_REQUIRE_EXTERNAL_CLIENTS=1, so in CI a missing Inspector fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import assert_no_token

NODE_BIN = Path(__file__).parents[2] / ".ci" / ".cache" / "node" / "node_modules" / ".bin"


def inspector_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOURSMITH_API_")}
    env["PATH"] = f"{NODE_BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def inspector() -> str:
    found = shutil.which("mcp-inspector", path=inspector_env()["PATH"])
    if found is None:
        if os.environ.get("HOURSMITH_REQUIRE_EXTERNAL_CLIENTS") == "1":
            pytest.fail("the MCP Inspector CLI is required here; run .ci/install-node-tools")
        pytest.skip("MCP Inspector CLI not installed (bash .ci/install-node-tools)")
    return found


def run_inspector(
    *args: str, server_args: tuple[str, ...] = ("--sandbox",)
) -> subprocess.CompletedProcess[str]:
    command = [
        inspector(),
        "--cli",
        sys.executable,
        "-m",
        "hoursmith_mcp",
        *server_args,
        "--log-level",
        "debug",
        *args,
    ]
    run = subprocess.run(
        command, capture_output=True, text=True, env=inspector_env(), timeout=120, check=False
    )
    # The canary check: no seeded token in anything the Inspector or the server printed.
    assert_no_token(run.stdout, "the Inspector's stdout")
    assert_no_token(run.stderr, "the Inspector's stderr")
    return run


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_inspector_lists_36_portable_tools(era: str) -> None:
    run = run_inspector("--method", "tools/list", "--strict", "--protocol-era", era)
    assert run.returncode == 0, run.stderr  # exit 6 would mean an unportable schema
    tools = json.loads(run.stdout)["tools"]
    assert len(tools) == 36  # 31 API tools, get_running_timer among them as its workflow, 5 more workflows
    destructive = sorted(t["name"] for t in tools if t["annotations"].get("destructiveHint"))
    assert destructive == [
        "archive_project",
        "archive_task",
        "delete_client",
        "delete_expense",
        "delete_time_entry",
    ]


def test_inspector_sees_only_the_tools_a_member_can_use() -> None:
    run = run_inspector("--method", "tools/list", server_args=("--sandbox", "--sandbox-role", "member"))
    assert run.returncode == 0, run.stderr
    names = {tool["name"] for tool in json.loads(run.stdout)["tools"]}
    assert len(names) == 19 and "list_clients" not in names and "create_time_entry" in names


def test_inspector_calls_a_tool_and_gets_structured_content() -> None:
    run = run_inspector("--method", "tools/call", "--tool-name", "list_clients", "--tool-arg", "limit=2")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["isError"] is False
    assert len(result["structuredContent"]["items"]) == 2
    assert json.loads(result["content"][0]["text"]) == result["structuredContent"]


def test_inspector_sees_the_owner_identity() -> None:
    run = run_inspector("--method", "tools/call", "--tool-name", "get_me")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["structuredContent"]["role"] == "OWNER"


def test_inspector_reports_an_api_refusal_as_a_tool_error() -> None:
    run = run_inspector(
        "--method",
        "tools/call",
        "--tool-name",
        "list_clients",
        server_args=("--sandbox", "--sandbox-role", "member", "--no-role-filter"),
    )
    assert run.returncode == 5  # the Inspector's exit code for an isError result
    result = json.loads(run.stdout)
    assert result["content"][0]["text"].startswith("403 forbidden_scope: ")


def test_inspector_sees_the_free_plan_refused() -> None:
    run = run_inspector(
        "--method", "tools/call", "--tool-name", "get_me", server_args=("--sandbox", "--sandbox-plan", "free")
    )
    assert run.returncode == 5, run.stdout  # a tool error, not a client-side schema failure
    result = json.loads(run.stdout)
    assert result["content"][0]["text"].startswith("402 forbidden_plan: ")
    assert json.loads(result["content"][1]["text"])["error"]["details"]["required_plan"] == "studio"


@pytest.mark.parametrize("era", ["legacy", "modern"])
def test_inspector_lists_the_prompts_and_resources(era: str) -> None:
    prompts = run_inspector("--method", "prompts/list", "--protocol-era", era)
    assert prompts.returncode == 0, prompts.stderr
    listed = json.loads(prompts.stdout)["prompts"]
    assert [p["name"] for p in listed] == ["weekly_review", "log_my_day", "find_unbilled_work"]
    assert all(p["title"] and p["description"] for p in listed)
    resources = run_inspector("--method", "resources/list", "--protocol-era", era)
    assert resources.returncode == 0, resources.stderr
    assert [(r["uri"], r["mimeType"]) for r in json.loads(resources.stdout)["resources"]] == [
        ("hoursmith://me", "application/json"),
        ("hoursmith://projects/active", "application/json"),
    ]


def test_inspector_reads_a_resource_as_the_token_role() -> None:
    run = run_inspector(
        "--method",
        "resources/read",
        "--uri",
        "hoursmith://me",
        server_args=("--sandbox", "--sandbox-role", "member"),
    )
    assert run.returncode == 0, run.stderr
    (content,) = json.loads(run.stdout)["contents"]
    assert content["mimeType"] == "application/json"
    assert json.loads(content["text"])["role"] == "MEMBER"


def test_inspector_gets_a_prompt_with_its_embedded_resource_and_arguments() -> None:
    run = run_inspector(
        "--method", "prompts/get", "--prompt-name", "log_my_day", "--prompt-args", "work=1h call"
    )
    assert run.returncode == 0, run.stderr
    embedded, instructions = json.loads(run.stdout)["messages"]
    assert embedded["content"]["resource"]["uri"] == "hoursmith://projects/active"
    assert json.loads(embedded["content"]["resource"]["text"])["items"]
    assert instructions["content"]["text"].startswith("Log this work in Hoursmith for today: 1h call\n")


def test_inspector_shows_an_unknown_resource_as_a_clear_error() -> None:
    run = run_inspector("--method", "resources/read", "--uri", "hoursmith://nope")
    assert run.returncode == 1
    last_line = run.stderr.strip().splitlines()[-1]  # the Inspector reports a protocol error on stderr
    assert json.loads(last_line)["error"]["message"] == "Unknown resource: hoursmith://nope"
    assert "Traceback" not in run.stderr
