"""Context budget: the bytes a model pays for, the tools/list answer and a 50-record list result."""

from __future__ import annotations

import json
import re
from contextlib import AsyncExitStack
from typing import Any

import httpx

from bench import fixtures as fx
from bench.report import Row, Section
from bench.rpc import StdioPeer, python_env
from bench.settings import Settings

LIST_TARGET = 20_000
PROJECTION_TARGET = 0.35


def compact(data: Any) -> int:
    return len(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8"))


def fully_described(tool: dict[str, Any]) -> bool:
    """A title, a description, an input schema whose properties are typed, and every hint that means
    something for it (the spec gives destructiveHint and idempotentHint meaning only when not read-only)."""
    annotations = tool.get("annotations", {})
    hints: tuple[str, ...] = ("readOnlyHint", "openWorldHint")
    if not annotations.get("readOnlyHint"):
        hints += ("destructiveHint", "idempotentHint")
    schema = tool.get("inputSchema", {})
    properties = schema.get("properties", {})
    return (
        bool(tool.get("title"))
        and bool(tool.get("description"))
        and schema.get("type") == "object"
        and all(
            isinstance(p, dict) and ("type" in p or "enum" in p or "anyOf" in p) for p in properties.values()
        )
        and all(h in annotations for h in hints)
    )


async def run(cfg: Settings) -> Section:
    section = Section("Context budget (bytes on the wire; tokens estimated as bytes/4)")
    definitions = fx.floor_spec(cfg.workdir)
    with fx.sandbox() as url:
        env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": url})
        async with AsyncExitStack() as stack:
            ours = await StdioPeer.spawn(fx.ours_argv(), env)
            stack.push_async_callback(ours.close)
            floor = await StdioPeer.spawn(fx.floor_argv(definitions), env)
            stack.push_async_callback(floor.close)
            await ours.handshake()
            await floor.handshake()
            listing, floor_listing = await ours.request("tools/list"), await floor.request("tools/list")
            answer = await ours.call_tool("list_time_entries", {"limit": 50})
        headers = {"Authorization": f"Bearer {fx.TOKEN}", "Accept": "application/json"}
        raw = httpx.get(f"{url}/time-entries", params={"limit": 50}, headers=headers, timeout=30)
        raw.raise_for_status()
    tools = listing.result["tools"]
    described = sum(fully_described(t) for t in tools)
    section.add(
        Row(
            f"tools/list answer, {len(tools)} tools",
            f"{listing.size:,} B (~{listing.size // 4:,} tok)",
            f"{floor_listing.size:,} B",
            f"{listing.size / LIST_TARGET:.0%} of budget",
            f"<= {LIST_TARGET:,} B",
            listing.size <= LIST_TARGET and described == len(tools),
        )
    )
    section.add(
        Row(
            "  tools fully described",
            f"{described}/{len(tools)}",
            "",
            "title, description, typed args, the hints that apply",
        )
    )
    result = answer.result
    records = len(result["structuredContent"]["items"])
    projected = compact(result["structuredContent"])
    ratio = projected / len(raw.content)
    section.add(
        Row(
            f"list_time_entries, {records} records: projected result",
            f"{projected:,} B (~{projected // 4:,} tok)",
            f"{len(raw.content):,} B raw",
            f"{ratio:.0%} of raw body",
            f"<= {PROJECTION_TARGET:.0%}",
            ratio <= PROJECTION_TARGET,
        )
    )
    text = sum(len(c["text"].encode()) for c in result["content"] if c.get("type") == "text")
    section.add(
        Row("  text block / whole tools/call answer", f"{text:,} B / {answer.size:,} B", "", "context")
    )
    section.notes.append(
        "The raw body is the sandbox's answer to the same GET /time-entries?limit=50; the projected result "
        "is structuredContent as compact JSON. The answer carries the same JSON twice (the text block and "
        "structuredContent), as the 2025-era protocol asks."
    )
    if section.missed:
        explain(section, tools)
        explain_projection(section, result["structuredContent"]["items"], raw.json()["data"])
    return section


def explain_projection(section: Section, items: list[dict[str, Any]], records: list[dict[str, Any]]) -> None:
    """What each field of the projected records costs (key and value, summed over the records)."""
    per_key: dict[str, int] = {}
    for item in items:
        for key, value in item.items():
            per_key[key] = per_key.get(key, 0) + compact({key: value}) - 1
    kept = {k for i in items for k in i}
    dropped = sorted({k for r in records for k in r if re.sub("([A-Z])", r"_\1", k).lower() not in kept})
    section.notes += [
        f"Where the projected list_time_entries bytes go (per field, over {len(items)} records; fields the "
        f"projection already drops: {', '.join(dropped) or 'none'}):",
        "",
        "```",
        *(f"{size:8,} B  {key}" for key, size in sorted(per_key.items(), key=lambda kv: -kv[1])),
        "```",
    ]


def explain(section: Section, tools: list[dict[str, Any]]) -> None:
    """Where the tools/list bytes go, by part of the definition and by tool."""
    parts = ("name", "title", "description", "inputSchema", "outputSchema", "annotations")
    by_part = {part: sum(compact(t[part]) for t in tools if part in t) for part in parts}
    arg_descriptions = sum(
        compact(p.get("description", ""))
        for t in tools
        for p in t.get("inputSchema", {}).get("properties", {}).values()
        if isinstance(p, dict) and "description" in p
    )
    titles_in_annotations = sum(
        compact(t["annotations"]["title"]) + 10 for t in tools if "title" in t.get("annotations", {})
    )
    keywords: dict[str, int] = {}
    for tool in tools:
        schema_keywords(tool.get("inputSchema", {}), keywords)
    largest = sorted(((compact(t), t["name"]) for t in tools), reverse=True)[:5]
    section.notes += [
        "Where the tools/list bytes go (compact JSON of each part, summed over the tools):",
        "",
        "```",
        *(f"{size:8,} B  {part}" for part, size in by_part.items()),
        f"{arg_descriptions:8,} B  of which argument descriptions inside inputSchema",
        f"{titles_in_annotations:8,} B  annotations.title repeating the tool's title",
        *(f"{size:8,} B  largest tool: {name}" for size, name in largest),
        "```",
        "",
        "inputSchema bytes by JSON Schema keyword (key and value; `(property names)` are the keys of "
        "`properties`):",
        "",
        "```",
        *(f"{size:8,} B  {key}" for key, size in sorted(keywords.items(), key=lambda kv: -kv[1])[:10]),
        "```",
    ]


def schema_keywords(schema: Any, totals: dict[str, int]) -> None:
    if not isinstance(schema, dict):
        return
    for key, value in schema.items():
        if key == "properties" and isinstance(value, dict):
            totals["(property names)"] = totals.get("(property names)", 0) + sum(
                compact(n) + 1 for n in value
            )
            for sub in value.values():
                schema_keywords(sub, totals)
        elif key == "items":
            schema_keywords(value, totals)
        else:
            totals[key] = totals.get(key, 0) + compact({key: value}) - 2
