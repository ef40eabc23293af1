"""The floor: the bare low-level `mcp` Server with the same tool definitions, hard-coded from a JSON file.

Run as `python bench/floor_server.py TOOLS.json` (the bench writes the file from tools.yaml at run time).
It does what the SDK needs and nothing else, so the difference to our server is the engine's own cost:
- tools/list answers the definitions, parsed once at start-up;
- `noop` (not listed) returns a constant: the SDK's own message handling, no HTTP;
- any other tool makes the same GET as our get_client (`/clients/{client_id}`) with one shared httpx
  client, imported on first use so the cold start stays bare.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import anyio
import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

_client: Any = None


async def _get(path: str) -> Any:
    global _client
    if _client is None:
        import httpx

        _client = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {os.environ.get('HOURSMITH_API_TOKEN', '')}"}, timeout=30
        )
    response = await _client.get(os.environ["HOURSMITH_API_URL"].rstrip("/") + path)
    return response.json()


def build(tools: list[types.Tool]) -> Server[Any]:
    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        if params.name == "noop":
            return types.CallToolResult(content=[types.TextContent(type="text", text='{"ok":true}')])
        body = await _get(f"/clients/{(params.arguments or {}).get('client_id', '')}")
        text = json.dumps(body, separators=(",", ":"))
        structured = body if isinstance(body, dict) else {"result": body}
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)], structured_content=structured
        )

    return Server("floor", version="1", on_list_tools=list_tools, on_call_tool=call_tool)


async def serve(tools: list[types.Tool]) -> None:
    server = build(tools)
    async with stdio_server() as (reader, writer):
        await server.run(reader, writer, server.create_initialization_options())


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        tools = [types.Tool.model_validate(item) for item in json.load(file)]
    anyio.run(serve, tools)


if __name__ == "__main__":
    main()
