"""What a client sees of a manifest: the server's self-description, tools/list, and prompts and
resources when the server offers them, read through a real MCP client connected in-process.

Read through the protocol rather than from the model, so the picture is exactly the one clients get
(auto-paging's max_items, annotations, schemas as listed), and anything the server learns to list
later (prompts, resources) is in it without this module knowing how it is built.
"""

from __future__ import annotations

from typing import Any

from mcp import Client

from ..calls.connection import Connection
from ..calls.redaction import Redactor
from ..manifest.model import Manifest
from .runtime import running_engine

_PLACEHOLDER_TOKEN = "listing-only-no-call-is-made"  # nothing is sent upstream to list


def _dump(model: Any) -> dict[str, Any]:
    return dict(model.model_dump(mode="json", by_alias=True, exclude_none=True))


async def client_view(manifest: Manifest) -> dict[str, Any]:
    """Server info, tools by name, and prompts/resources/resource templates by name or URI if offered."""
    connection = Connection(base_url=manifest.api.base_url, token=_PLACEHOLDER_TOKEN)
    async with (
        running_engine(manifest, connection, Redactor()) as engine,
        Client(engine.server) as client,
    ):
        info = client.server_info
        view: dict[str, Any] = {
            "server": {
                "name": info.name if info else None,
                "title": info.title if info else None,
                "version": info.version if info else None,
                "instructions": client.instructions,
            },
            "tools": {tool.name: _tool(_dump(tool)) for tool in await _all(client.list_tools, "tools")},
        }
        capabilities = client.server_capabilities
        if capabilities is not None and capabilities.prompts is not None:
            prompts = await _all(client.list_prompts, "prompts")
            view["prompts"] = {prompt.name: _prompt(_dump(prompt)) for prompt in prompts}
        if capabilities is not None and capabilities.resources is not None:
            resources = await _all(client.list_resources, "resources")
            view["resources"] = {str(resource.uri): _dump(resource) for resource in resources}
            templates = await _all(client.list_resource_templates, "resource_templates")
            view["resource_templates"] = {t.uri_template: _dump(t) for t in templates}
    return view


async def _all(list_page: Any, field: str) -> list[Any]:
    """Every page of a paginated list request (bounded: a server repeating a cursor stops it)."""
    items: list[Any] = []
    cursor: str | None = None
    seen: set[str] = set()
    while True:
        page = await (list_page(cursor=cursor) if cursor else list_page())
        items.extend(getattr(page, field))
        cursor = page.next_cursor
        if not cursor or cursor in seen:
            return items
        seen.add(cursor)


def _tool(tool: dict[str, Any]) -> dict[str, Any]:
    tool.pop("name", None)  # the key already
    return tool


def _prompt(prompt: dict[str, Any]) -> dict[str, Any]:
    """Prompt arguments by name, so a change names the argument."""
    prompt.pop("name", None)
    if isinstance(prompt.get("arguments"), list):
        prompt["arguments"] = {arg.pop("name"): arg for arg in prompt["arguments"] if "name" in arg}
    return prompt
