"""The floor: the bare low-level `mcp` Server with the same tools, read from a JSON file, passing answers on.

Run as `python bench/floor_server.py FLOOR.json` (the bench writes the file from tools.yaml at run time:
the definitions our server lists, and where each tool's arguments go). It does what the SDK needs and
nothing else, so the difference to our server is the engine's own cost:
- tools/list answers the definitions, parsed once at start-up;
- `noop` (not listed) returns a constant: the SDK's own message handling, no HTTP;
- any other tool makes its HTTP request (path, query and body arguments by their API names) with one
  shared httpx client, imported on first use so the cold start stays bare, and answers the API's JSON
  as it came: the text block and structuredContent, no checks, no projection.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any
from urllib.parse import quote

import anyio
import mcp.types as types
from mcp.server import Server, ServerRequestContext
from mcp.server.stdio import stdio_server

_client: Any = None


def _http() -> Any:
    global _client
    if _client is None:
        import httpx

        _client = httpx.AsyncClient(
            base_url=os.environ["HOURSMITH_API_URL"].rstrip("/"),
            headers={"Authorization": f"Bearer {os.environ.get('HOURSMITH_API_TOKEN', '')}"},
            timeout=30,
        )
    return _client


async def _send(route: dict[str, Any], arguments: dict[str, Any]) -> Any:
    path, query, body = route["path"], {}, {}
    for name, value in arguments.items():
        location, api_name = route["arguments"].get(name, ("query", name))
        if location == "path":
            path = path.replace("{" + name + "}", quote(str(value), safe=""))
        elif location == "query":
            query[api_name] = value
        else:
            body[api_name] = value
    response = await _http().request(route["method"], path, params=query, json=body or None)
    return response.json() if response.content else None


def build(tools: list[types.Tool], routes: dict[str, dict[str, Any]]) -> Server[Any]:
    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        return types.ListToolsResult(tools=tools)

    async def call_tool(
        ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
    ) -> types.CallToolResult:
        if params.name == "noop":
            return types.CallToolResult(content=[types.TextContent(type="text", text='{"ok":true}')])
        body = await _send(routes[params.name], params.arguments or {})
        text = json.dumps(body, separators=(",", ":"))
        structured = body if isinstance(body, dict) else {"result": body}
        return types.CallToolResult(
            content=[types.TextContent(type="text", text=text)], structured_content=structured
        )

    return Server("floor", version="1", on_list_tools=list_tools, on_call_tool=call_tool)


async def serve(tools: list[types.Tool], routes: dict[str, dict[str, Any]]) -> None:
    server = build(tools, routes)
    async with stdio_server() as (reader, writer):
        await server.run(reader, writer, server.create_initialization_options())


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as file:
        spec = json.load(file)
    anyio.run(serve, [types.Tool.model_validate(item) for item in spec["tools"]], spec["routes"])


if __name__ == "__main__":
    main()
