"""`tools NAME`: one tool as a client sees it, for a person at a shell.

Its title and description, where it calls, each argument (type, required, default, description) from
the input schema exactly as listed to clients (auto-paging's `max_items` included), its annotations,
and its first example as a `call` command line with the result it gives.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from ..calls import autopaging
from ..manifest.model import Manifest, Tool
from ..manifest.workflow_model import Workflow
from ..serving.server import tool_definition


def describe_type(schema: dict[str, Any]) -> str:
    """A schema in a few words: `string (date)`, `integer 1..200`, `one of A, B`, `array of string`."""
    if "enum" in schema:
        return "one of " + ", ".join(str(value) for value in schema["enum"])
    kind = str(schema.get("type", "any"))
    if kind == "array":
        items = schema.get("items")
        return f"array of {describe_type(items)}" if isinstance(items, dict) else "array"
    if "format" in schema:
        kind += f" ({schema['format']})"
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None or high is not None:
        kind += f" {'' if low is None else low}..{'' if high is None else high}"
    low, high = schema.get("minLength"), schema.get("maxLength")
    if high is not None:
        kind += f", {low or 0}..{high} characters"
    if "pattern" in schema:
        kind += f", matching {schema['pattern']}"
    return kind


def tool_card(manifest: Manifest, tool: Tool | Workflow, toolsets: list[str], command: str) -> str:
    listed = tool_definition(tool, isinstance(tool, Tool) and autopaging.can_autopage(manifest, tool))
    lines = [f"{tool.name}" + (f" — {tool.title}" if tool.title else ""), ""]
    lines += [tool.description.strip(), ""]
    if isinstance(tool, Tool):
        lines.append(f"Calls:        {tool.method} {tool.path}")
    else:
        steps = ", ".join(f"{step.id} ({step.tool})" for step in tool.call_steps())
        lines.append(f"Steps:        {steps}")
    if toolsets:
        lines.append(f"Toolsets:     {', '.join(toolsets)}")
    hints = listed.annotations.model_dump(by_alias=True, exclude_none=True) if listed.annotations else {}
    lines.append("Annotations:  " + (", ".join(f"{k}={json.dumps(v)}" for k, v in hints.items()) or "none"))
    lines += ["", "Arguments:" if listed.input_schema.get("properties") else "Arguments:    none"]
    lines += _argument_rows(listed.input_schema)
    if tool.examples:
        example = tool.examples[0]
        lines += ["", "Example" + (f" ({example.name})" if example.name else "") + ":"]
        lines.append("  $ " + _call_line(command, tool, example.arguments))
        lines += [
            "  " + line for line in json.dumps(example.result, indent=2, ensure_ascii=False).splitlines()
        ]
    return "\n".join(lines) + "\n"


def _argument_rows(schema: dict[str, Any]) -> list[str]:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    rows = []
    for name, prop in properties.items():
        facts = [describe_type(prop), "required" if name in required else "optional"]
        if "default" in prop:
            facts.append(f"default {json.dumps(prop['default'], ensure_ascii=False)}")
        rows.append((name, "; ".join(facts), str(prop.get("description", "")).strip()))
    width = max((len(name) for name, _, _ in rows), default=0)
    lines: list[str] = []
    for name, summary, description in rows:
        lines.append(f"  {name.ljust(width)}  {summary}")
        if description:
            lines.append(f"  {' ' * width}  {description}")
    return lines


def _call_line(command: str, tool: Tool | Workflow, arguments: dict[str, Any]) -> str:
    """The example as a `call` command: strings as --arg NAME=VALUE, anything else as JSON."""
    parts = [command, "call", tool.name]
    for name, value in arguments.items():
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        parts += ["--arg", f"{name}={text}"]
    return shlex.join(parts)
