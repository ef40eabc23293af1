"""README's "Writing workflow tools" stays true: its open_client workflow, added to a copy of tools.yaml
and nothing else, validates and is served over stdio; and when its second step fails, the error says
which step and shows the client the first step already made."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from mcp import Client

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import check_manifest
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import error_of, request_log, result_json, role_token, server_params

ROOT = Path(__file__).parents[2]
pytestmark = pytest.mark.anyio


def readme_workflow() -> str:
    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Writing workflow tools", 1)[1]
    match = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert match, "the Writing workflow tools section has no yaml block"
    return match.group(1)


def manifest_with_open_client(tmp_path: Path) -> Path:
    text = default_manifest_path().read_text(encoding="utf-8")
    assert "\nworkflows:\n" in text
    path = tmp_path / "tools.yaml"
    path.write_text(text.replace("\nworkflows:\n", "\nworkflows:\n" + readme_workflow(), 1), encoding="utf-8")
    return path


async def test_a_workflow_added_to_a_copy_of_the_manifest_is_validated_and_served(
    upstream: RunningSandbox, fresh: httpx.Client, tmp_path: Path
) -> None:
    path = manifest_with_open_client(tmp_path)
    checked = check_manifest(path)
    assert checked.problems == [], checked.problems
    assert checked.manifest is not None
    workflow = next(w for w in checked.manifest.workflows if w.name == "open_client")
    assert not workflow.read_only and not workflow.destructive and not workflow.idempotent

    params = server_params(upstream, role_token("MANAGER"), "--manifest", str(path))
    async with Client(params, mode="legacy") as client:  # type: ignore[arg-type]
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert listed["open_client"].input_schema["required"] == ["name", "project"]
        made = result_json(
            await client.call_tool(
                "open_client", {"name": "Kestrel Labs", "project": "Discovery", "rate": "120"}
            )
        )
        fault = {
            "method": "POST",
            "path": "/api/v1/projects",
            "status": 403,
            "message": "projects are frozen",
        }
        assert fresh.post("/_sandbox/faults", json=fault).status_code == 201
        half = await client.call_tool("open_client", {"name": "Osprey Ltd", "project": "Audit"})

    headers = {"Authorization": f"Bearer {role_token('MANAGER')}"}
    with httpx.Client(base_url=upstream.base_url, headers=headers, timeout=10) as api:
        project = api.get(f"/projects/{made['project_id']}").json()["data"]
        assert (project["name"], project["clientId"], project["hourlyRate"]) == (
            "Discovery",
            made["client_id"],
            "120.00",
        )
        error = error_of(half)
        (changed,) = error["changed"]
        assert (error["status"], error["code"], error["step"], error["tool"]) == (
            403, "forbidden_scope", "project", "create_project"
        )  # fmt: skip
        assert changed["step"] == "client" and changed["tool"] == "create_client"
        kept = api.get(f"/clients/{changed['result']['id']}").json()["data"]  # made, shown, not undone
        assert kept["name"] == "Osprey Ltd"
    text = half.content[0].text  # type: ignore[union-attr]
    assert text.startswith("open_client: step 'project' (create_project) failed: 403 forbidden_scope")
    assert f"step 'client' (create_client) -> id {changed['result']['id']}" in text
    keys = [e["headers"].get("idempotency-key") for e in request_log(fresh) if e["method"] == "POST"]
    assert len(keys) == len(set(keys)) == 4  # one key per write


def test_validate_catches_a_broken_edit_of_the_readme_workflow(tmp_path: Path) -> None:
    path = manifest_with_open_client(tmp_path)
    text = path.read_text(encoding="utf-8").replace(
        "client_id: client.id, name: args.project", "client_id: clint.id, name: args.projekt", 1
    )
    path.write_text(text, encoding="utf-8")
    problems = [(p.rule, p.message) for p in check_manifest(path).errors]
    assert [rule for rule, _ in problems] == ["step-ref", "step-ref"]
    assert "'clint' is neither a step nor args" in problems[0][1] + problems[1][1]
    assert "argument 'projekt' is not declared" in problems[0][1] + problems[1][1]
