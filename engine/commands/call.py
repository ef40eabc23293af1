"""`call TOOL`: one tool call from the shell, through the same engine path as serving.

Exit 0 with the structured result as JSON on stdout; 1 when the tool answered with an error (its text
on stderr); 2 on a usage or configuration error. Stdout is free here: this is not the stdio server.
"""

from __future__ import annotations

import difflib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from ..calls.connection import Connection, StartupError
from ..calls.outcome import ToolOutcome
from ..calls.redaction import Redactor
from ..calls.tool_call import SilentReporter
from ..manifest.model import Manifest, Tool
from ..manifest.workflow_model import Workflow
from ..serving.filtering import FilterSettings, select_tools
from ..serving.runtime import running_engine
from .product import Product
from .startup import UpstreamChoice, fail, load_with_logging, upstream_connection


@dataclass(frozen=True)
class CallOptions:
    product: Product
    tool: str
    pairs: tuple[str, ...]
    json_arguments: str | None
    manifest: Path
    upstream: UpstreamChoice
    log_level: str
    filters: FilterSettings


class UsageError(Exception):
    pass


def parse_value(raw: str, schema: dict[str, Any] | None) -> Any:
    """JSON when it parses (5, true, null, [..]), else the text; a string-typed argument stays text."""
    if schema is not None and schema.get("type") == "string":
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def parse_arguments(
    tool: Tool | Workflow, pairs: tuple[str, ...], json_arguments: str | None
) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    if json_arguments is not None:
        try:
            loaded = json.loads(json_arguments)
        except ValueError as exc:
            raise UsageError(f"--json is not valid JSON: {exc}") from None
        if not isinstance(loaded, dict):
            raise UsageError("--json must be a JSON object, e.g. --json '{\"limit\": 5}'")
        arguments.update(loaded)
    properties = tool.input_schema.get("properties", {})
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--arg {pair!r} is not NAME=VALUE")
        arguments[name] = parse_value(raw, properties.get(name))
    return arguments


def choose_tool(manifest: Manifest, name: str, filters: FilterSettings, command: str) -> Tool | Workflow:
    served = {tool.name: tool for tool in select_tools(manifest, filters).tools}
    if name in served:
        return served[name]
    if any(tool.name == name for tool in manifest.listing):
        raise UsageError(f"tool {name!r} is hidden by the filters ({filters.describe()})")
    close = difflib.get_close_matches(name, [tool.name for tool in manifest.listing], n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else f"; see `{command} tools`"
    raise UsageError(f"unknown tool {name!r}{hint}")


async def call_once(
    manifest: Manifest,
    connection: Connection,
    redactor: Redactor,
    filters: FilterSettings,
    tool: Tool | Workflow,
    arguments: dict[str, Any],
) -> ToolOutcome:
    async with running_engine(manifest, connection, redactor, filters) as engine:
        return await engine.state.catalog.run(tool, arguments, SilentReporter())


def run_call(options: CallOptions) -> int:
    product = options.product
    try:
        manifest, redactor = load_with_logging(product, options.manifest, options.log_level)
        tool = choose_tool(manifest, options.tool, options.filters, product.command)
        arguments = parse_arguments(tool, options.pairs, options.json_arguments)
        with upstream_connection(product, manifest, options.upstream) as connection:
            if connection.token is not None:
                redactor.add_secret(connection.token)
            outcome = anyio.run(call_once, manifest, connection, redactor, options.filters, tool, arguments)
    except (StartupError, UsageError) as exc:
        return fail(product, str(exc))
    except KeyboardInterrupt:
        return 130
    if outcome.is_error:
        sys.stderr.write(f"{outcome.text}\n")
        return 1
    sys.stdout.write(json.dumps(outcome.structured, indent=2, ensure_ascii=False) + "\n")
    return 0
