"""Prompts and resources end to end: the real server over stdio on the sandbox, role by role, both eras.

A resource's content must be exactly its tool's result, computed here independently from the raw API;
a failure must be a clear MCP error that names what went wrong and carries no token.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import anyio
import httpx
import mcp.types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .conftest import assert_no_token
from .support import ERAS, request_log, result_json, role_token, server_params

pytestmark = pytest.mark.anyio

PROMPTS = ["weekly_review", "log_my_day", "find_unbilled_work"]
RESOURCES = ["hoursmith://me", "hoursmith://projects/active"]


def api(upstream: RunningSandbox, role: str, path: str) -> Any:
    """The raw API's answer, read without the engine: what the resources must agree with."""
    headers = {"Authorization": f"Bearer {role_token(role)}"}
    response = httpx.get(f"{upstream.base_url}{path}", headers=headers, timeout=10)
    response.raise_for_status()
    return response.json()["data"]


async def read_json(client: Client, uri: str) -> dict[str, Any]:
    result = await client.read_resource(uri)
    (content,) = result.contents
    assert isinstance(content, types.TextResourceContents)
    assert (content.uri, content.mime_type) == (uri, "application/json")
    assert_no_token(content.text, f"resource {uri}")
    return dict(json.loads(content.text))


def text_of(message: types.PromptMessage) -> str:
    assert isinstance(message.content, types.TextContent)
    return message.content.text


def embedded(message: types.PromptMessage) -> tuple[str, dict[str, Any]]:
    assert message.role == "user"
    assert isinstance(message.content, types.EmbeddedResource)
    resource = message.content.resource
    assert isinstance(resource, types.TextResourceContents) and resource.mime_type == "application/json"
    return resource.uri, json.loads(resource.text)


async def refused(call: Any, code: int) -> types.ErrorData:
    with pytest.raises(MCPError) as caught:
        await call
    error = caught.value.error
    assert error.code == code, error
    assert_no_token(f"{error.message} {error.data}", "an MCP error")
    return error


@pytest.mark.parametrize("era", ERAS)
@pytest.mark.parametrize("role", ["OWNER", "MANAGER", "MEMBER"])
async def test_every_role_lists_reads_and_gets_what_the_api_lets_it_see(
    upstream: RunningSandbox, fresh: httpx.Client, role: str, era: str
) -> None:
    async with Client(server_params(upstream, role_token(role)), mode=era) as client:  # type: ignore[arg-type]
        capabilities = client.server_capabilities
        assert capabilities is not None and capabilities.prompts and capabilities.resources
        assert capabilities.prompts.list_changed and capabilities.resources.list_changed  # hot reload

        assert [p.name for p in (await client.list_prompts()).prompts] == PROMPTS
        listed = (await client.list_resources()).resources
        assert [(r.uri, r.mime_type) for r in listed] == [(uri, "application/json") for uri in RESOURCES]
        assert (await client.list_resource_templates()).resource_templates == []

        # Who am I: the API's /me, as get_me projects it.
        me = await read_json(client, "hoursmith://me")
        raw_me = api(upstream, role, "/me")
        assert (me["role"], me["org_id"], sorted(me["project_ids"])) == (
            role,
            raw_me["orgId"],
            sorted(raw_me["projectIds"]),
        )
        assert me == result_json(await client.call_tool("get_me", {}))

        # Active projects: exactly the API's, in its order; Members see only theirs and no rates.
        active = await read_json(client, "hoursmith://projects/active")
        raw = api(upstream, role, "/projects?status=ACTIVE&sort=name&limit=200")
        assert [(p["id"], p["name"], p["client_id"]) for p in active["items"]] == [
            (p["id"], p["name"], p["clientId"]) for p in raw
        ]
        assert active["items"] and all(p["status"] == "ACTIVE" for p in active["items"])
        if role == "MEMBER":
            assert {p["id"] for p in active["items"]} <= set(me["project_ids"])
            assert all(p["hourly_rate"] is None for p in active["items"])
        else:
            assert any(p["hourly_rate"] is not None for p in active["items"])
        same_call = {"status": "ACTIVE", "sort": "name", "limit": 200}
        assert active == result_json(await client.call_tool("list_projects", same_call))

        # Prompts: the embedded resources first (read as this role), then the filled-in text.
        (review,) = (await client.get_prompt("weekly_review")).messages
        assert text_of(review).startswith("Review the time tracked in Hoursmith for last week.\n")
        assert "time_summary" in text_of(review)

        day = await client.get_prompt("log_my_day", {"work": "2h Acme wireframes", "day": "yesterday"})
        assert [embedded(m) for m in day.messages[:1]] == [("hoursmith://projects/active", active)]
        assert text_of(day.messages[1]).startswith(
            "Log this work in Hoursmith for yesterday: 2h Acme wireframes\n"
        )
        assert "day=yesterday" in text_of(day.messages[1])

        (unbilled,) = (
            await client.get_prompt("find_unbilled_work", {"client": "Acme Corp", "period": ""})
        ).messages
        assert "for Acme Corp, all time." in text_of(unbilled)  # a blank value takes the default

        # Doing what the prompts say works for this role, in the calls they name.
        for group_by in ("project", "day", "member"):
            summary = result_json(
                await client.call_tool("time_summary", {"period": "last_week", "group_by": group_by})
            )
            assert summary["group_by"] == group_by
        project = active["items"][0]["name"]  # an exact name, as log_my_day asks
        logged = await client.call_tool(
            "log_time", {"project": project, "day": "yesterday", "duration": "2h", "note": "log my day"}
        )
        assert result_json(logged)["logged"]["project"] == project
        by_name = await client.call_tool("unbilled_time", {"client": "Acme Robotics"})
        if role == "MEMBER":  # as the prompt warns: no client lookup by name, so ask for every client
            assert "403 forbidden_scope" in by_name.content[0].text  # type: ignore[union-attr]
            rows = result_json(await client.call_tool("unbilled_time", {}))["projects"]
            assert rows and all("amount" not in row for row in rows)  # no money for Members
        else:
            assert [c["client"] for c in result_json(by_name)["clients"]] == ["Acme Robotics"]

        # Failures are protocol errors that say what was wrong.
        error = await refused(client.get_prompt("weekly_reveiw"), types.INVALID_PARAMS)
        assert error.message == "Unknown prompt: weekly_reveiw"
        error = await refused(client.get_prompt("log_my_day", {"day": "today"}), types.INVALID_PARAMS)
        assert "missing required argument 'work'" in error.message
        error = await refused(
            client.get_prompt("log_my_day", {"work": "1h", "days": "x"}), types.INVALID_PARAMS
        )
        assert "unknown argument 'days'" in error.message
        error = await refused(client.read_resource("hoursmith://projects/archived"), types.INVALID_PARAMS)
        assert error.message == "Unknown resource: hoursmith://projects/archived"


CLIENT_RESOURCES = """
  - uri: hoursmith://clients
    name: clients
    description: Every client.
    tool: list_clients
    arguments: {limit: 200}
  - uri: hoursmith://clients/{client_id}
    name: client
    description: One client by id.
    tool: get_client
"""
CLIENT_PROMPT = """
  - name: client_brief
    description: Brief me on one client.
    arguments:
      client_id: {description: The client's id., required: true}
    tools: [list_invoices]
    embed: ["hoursmith://clients/{client_id}"]
    messages:
      - text: "Brief me on this client; list_invoices with client_id={client_id} shows what was billed."
"""


def manifest_with_client_offerings(tmp_path: Path) -> Path:
    """A copy of tools.yaml with one more prompt and two more resources: editing tools.yaml is enough."""
    path = tmp_path / "tools.yaml"
    text = default_manifest_path().read_text(encoding="utf-8")
    text = text.replace("\nresources:\n", "\nresources:" + CLIENT_RESOURCES, 1)
    text = text.replace("\nprompts:\n", "\nprompts:" + CLIENT_PROMPT, 1)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("era", ERAS)
async def test_a_prompt_and_resources_added_to_a_copy_are_served_as_each_role_may(
    upstream: RunningSandbox, tmp_path: Path, era: str
) -> None:
    manifest = manifest_with_client_offerings(tmp_path)
    client_id = seed.CLIENT_WITH_ACTIVE_PROJECT_ID
    owner = server_params(upstream, role_token("OWNER"), "--manifest", str(manifest))
    async with Client(owner, mode=era) as client:  # type: ignore[arg-type]
        assert [p.name for p in (await client.list_prompts()).prompts] == ["client_brief", *PROMPTS]
        templates = (await client.list_resource_templates()).resource_templates
        assert [t.uri_template for t in templates] == ["hoursmith://clients/{client_id}"]
        clients = await read_json(client, "hoursmith://clients")
        assert len(clients["items"]) == len(api(upstream, "OWNER", "/clients?limit=200"))
        one = await read_json(client, f"hoursmith://clients/{client_id}")
        assert one == result_json(await client.call_tool("get_client", {"client_id": client_id}))
        brief = await client.get_prompt("client_brief", {"client_id": client_id})
        assert embedded(brief.messages[0]) == (f"hoursmith://clients/{client_id}", one)
        assert f"client_id={client_id} shows" in text_of(brief.messages[1])
        # The API's 404 for a template instance is the request's fault: INVALID_PARAMS, with the answer.
        missing = "00000000-0000-4000-8000-000000000000"
        error = await refused(client.read_resource(f"hoursmith://clients/{missing}"), types.INVALID_PARAMS)
        assert error.message.startswith(
            f"reading hoursmith://clients/{missing} failed: get_client: 404 not_found"
        )
        assert error.data["error"]["status"] == 404

    member = server_params(upstream, role_token("MEMBER"), "--manifest", str(manifest))
    async with Client(member, mode=era) as client:  # type: ignore[arg-type]
        # A Member's server lists neither the client resources nor the prompt that embeds one: their
        # tools are ones a Member can never use (tools[].roles), and there is no way around that.
        assert [r.uri for r in (await client.list_resources()).resources] == RESOURCES
        assert [p.name for p in (await client.list_prompts()).prompts] == PROMPTS
        error = await refused(client.read_resource("hoursmith://clients"), types.INVALID_PARAMS)
        assert error.message == "Unknown resource: hoursmith://clients"
    member_every_tool = server_params(
        upstream, role_token("MEMBER"), "--manifest", str(manifest), "--no-role-filter"
    )
    async with Client(member_every_tool, mode=era) as client:  # type: ignore[arg-type]
        # Listed alike with the role filter off: the API decides, and its refusal is passed on.
        assert len((await client.list_resources()).resources) == 3
        error = await refused(client.read_resource("hoursmith://clients"), types.INTERNAL_ERROR)
        assert error.message == (
            "reading hoursmith://clients failed: list_clients: 403 forbidden_scope: the MEMBER role may not "
            "access clients (This token's role may not do this: ask an Owner, Admin or Manager to do it.)"
        )
        assert error.data == {
            "uri": "hoursmith://clients",
            "tool": "list_clients",
            "error": {
                "status": 403,
                "code": "forbidden_scope",
                "message": "the MEMBER role may not access clients",
                "hint": "This token's role may not do this: ask an Owner, Admin or Manager to do it.",
            },
        }
        error = await refused(
            client.get_prompt("client_brief", {"client_id": client_id}), types.INTERNAL_ERROR
        )
        assert "403 forbidden_scope" in error.message
        assert not (await client.call_tool("get_me", {})).is_error  # the server carries on


async def test_filters_hide_resources_with_their_tools_and_prompts_with_what_they_need(
    upstream: RunningSandbox,
) -> None:
    params = server_params(upstream, role_token("OWNER"), "--read-only")
    async with Client(params, mode="legacy") as client:  # type: ignore[arg-type]
        assert [p.name for p in (await client.list_prompts()).prompts] == [
            "weekly_review",
            "find_unbilled_work",
        ]
        await refused(client.get_prompt("log_my_day", {"work": "1h"}), types.INVALID_PARAMS)
        assert [r.uri for r in (await client.list_resources()).resources] == RESOURCES

    params = server_params(upstream, role_token("OWNER"), "--toolsets", "workflows,identity")
    async with Client(params, mode="auto") as client:  # type: ignore[arg-type]
        assert [r.uri for r in (await client.list_resources()).resources] == ["hoursmith://me"]
        error = await refused(client.read_resource("hoursmith://projects/active"), types.INVALID_PARAMS)
        assert error.message == "Unknown resource: hoursmith://projects/active"  # no way around the filter
        prompts = [p.name for p in (await client.list_prompts()).prompts]
        assert prompts == ["weekly_review", "find_unbilled_work"]  # log_my_day embeds the active projects


NEW_RESOURCE = """
  - uri: hoursmith://organization
    name: organization
    description: The workspace.
    tool: get_organization
"""
NEW_PROMPT = """
  - name: hello
    description: Say hello.
    messages:
      - text: Hello.
"""


def edited(text: str) -> str:
    text = text.replace("\nresources:\n", "\nresources:" + NEW_RESOURCE, 1)
    return text.replace("\nprompts:\n", "\nprompts:" + NEW_PROMPT, 1)


async def test_a_reload_sends_prompts_and_resources_list_changed_to_a_2025_client(
    upstream: RunningSandbox, tmp_path: Path
) -> None:
    manifest = tmp_path / "tools.yaml"
    shutil.copyfile(default_manifest_path(), manifest)
    heard: list[str] = []

    async def on_message(message: Any) -> None:
        method = getattr(getattr(message, "root", message), "method", None)
        if isinstance(method, str) and method.endswith("/list_changed"):
            heard.append(method)

    params = server_params(upstream, role_token("OWNER"), "--manifest", str(manifest), "--watch")
    async with Client(params, mode="legacy", message_handler=on_message) as client:  # type: ignore[arg-type]
        await anyio.sleep(0.6)  # the watcher took its first look
        manifest.write_text(edited(manifest.read_text(encoding="utf-8")), encoding="utf-8")
        with anyio.fail_after(10):
            while len(heard) < 3:
                await anyio.sleep(0.05)
        assert sorted(heard) == [
            "notifications/prompts/list_changed",
            "notifications/resources/list_changed",
            "notifications/tools/list_changed",
        ]
        assert "hello" in [p.name for p in (await client.list_prompts()).prompts]
        organization = await read_json(client, "hoursmith://organization")
        assert organization == result_json(await client.call_tool("get_organization", {}))


async def test_a_reload_reaches_a_2026_client_on_its_listen_stream(
    upstream: RunningSandbox, tmp_path: Path
) -> None:
    manifest = tmp_path / "tools.yaml"
    shutil.copyfile(default_manifest_path(), manifest)
    params = server_params(upstream, role_token("OWNER"), "--manifest", str(manifest), "--watch")
    async with Client(params, mode="auto") as client:  # type: ignore[arg-type]
        events: list[str] = []
        async with client.listen(prompts_list_changed=True, resources_list_changed=True) as subscription:
            await anyio.sleep(0.6)
            manifest.write_text(edited(manifest.read_text(encoding="utf-8")), encoding="utf-8")
            with anyio.fail_after(10):
                async for event in subscription:
                    events.append(type(event).__name__)
                    if len(events) == 2:
                        break
        assert sorted(events) == ["PromptsListChanged", "ResourcesListChanged"]
        assert "hoursmith://organization" in [r.uri for r in (await client.list_resources()).resources]


async def test_hostile_template_values_stay_inside_their_segment_and_no_token_is_echoed(
    upstream: RunningSandbox, fresh: httpx.Client, tmp_path: Path
) -> None:
    token = role_token("OWNER")
    params = server_params(upstream, token, "--manifest", str(manifest_with_client_offerings(tmp_path)))
    async with Client(params, mode="legacy") as client:  # type: ignore[arg-type]
        error = await refused(client.read_resource("hoursmith://clients/.."), types.INVALID_PARAMS)
        assert "argument 'client_id' must not be '.' or '..'" in error.message
        error = await refused(client.read_resource("hoursmith://clients/..%2F..%2Fme"), types.INVALID_PARAMS)
        assert "404 not_found" in error.message
        # A client that puts the token itself into a URI never gets it echoed back.
        error = await refused(client.read_resource(f"hoursmith://clients/{token}"), types.INVALID_PARAMS)
        assert "404 not_found" in error.message and "[REDACTED]" in error.message
        error = await refused(
            client.get_prompt("client_brief", {"client_id": f"{token}/x"}), types.INVALID_PARAMS
        )
        assert error.message.startswith("Unknown resource: hoursmith://clients/")
        error = await refused(client.call_tool(token, {}), types.INVALID_PARAMS)
        assert error.message == "Unknown tool: [REDACTED]"
    # The log shows paths decoded; the API's 404 above (not /me's 200) shows "../../me" stayed one
    # segment of /clients/{id}. The bare ".." was refused before any request was sent.
    # (The first is the server's own /me at start, which learns the token's role.)
    paths = [entry["path"] for entry in request_log(fresh)]
    assert paths == ["/api/v1/me", "/api/v1/clients/../../me", f"/api/v1/clients/{token}"]
