"""Resources as MCP serves them: their listings, and `resources/read` as a call of the backing tool.

A resource's content is exactly its tool's result as JSON, produced by the same call a client makes
with `tools/call` (argument checks, permissions, errors, redaction, budget): what a resource offers
stays reachable as a tool, for the many clients that never read resources. A read that fails is an
MCP error whose message is the tool error's first line and hint, with the error object as its data.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

import mcp.types as types
from mcp.shared.exceptions import MCPError

from ..calls.outcome import ToolOutcome
from ..manifest.model import Resource

MIME_TYPE = "application/json"


def resource_definition(resource: Resource) -> types.Resource:
    return types.Resource(
        uri=resource.uri,
        name=resource.name,
        title=resource.title,
        description=resource.description,
        mime_type=MIME_TYPE,
    )


def template_definition(resource: Resource) -> types.ResourceTemplate:
    return types.ResourceTemplate(
        uri_template=resource.uri,
        name=resource.name,
        title=resource.title,
        description=resource.description,
        mime_type=MIME_TYPE,
    )


@dataclass(frozen=True)
class ResourceRead:
    """What reading one URI means: which resource, and the arguments its tool is called with."""

    resource: Resource
    arguments: dict[str, Any]


def resolve(resources: Iterable[Resource], uri: str) -> ResourceRead:
    """The read `uri` asks for: a plain resource first, else the first template it instantiates.

    Raises MCPError(INVALID_PARAMS) for a URI no served resource answers to."""
    candidates = list(resources)
    ordered = [r for r in candidates if not r.is_template] + [r for r in candidates if r.is_template]
    for resource in ordered:
        raw = resource.match(uri)
        if raw is None:
            continue
        # Template values arrive percent-encoded; the tool call encodes them again for the API's path.
        variables = {name: unquote(value) for name, value in raw.items()}
        return ResourceRead(resource, {**resource.arguments, **variables})
    raise MCPError(types.INVALID_PARAMS, f"Unknown resource: {uri}", data={"uri": uri})


def contents(uri: str, outcome: ToolOutcome) -> types.TextResourceContents:
    return types.TextResourceContents(uri=uri, mime_type=MIME_TYPE, text=outcome.text)


def read_failure(uri: str, read: ResourceRead, outcome: ToolOutcome) -> MCPError:
    """The tool's error as an MCP error: its first line and hint in the message, the object in data."""
    error = outcome.structured.get("error", {})
    summary = outcome.text.splitlines()[0] if outcome.text else "the tool failed"
    hint = error.get("hint") if isinstance(error, dict) else None
    message = f"reading {uri} failed: {read.resource.tool}: {summary}" + (f" ({hint})" if hint else "")
    data = {"uri": uri, "tool": read.resource.tool, "error": error}
    return MCPError(_error_code(error), message, data=data)


def _error_code(error: Any) -> int:
    """Not found, or a URI value the tool refuses, is the request's fault; anything else is not."""
    if isinstance(error, dict) and (error.get("status") == 404 or error.get("code") == "invalid_arguments"):
        return types.INVALID_PARAMS
    return types.INTERNAL_ERROR
