"""Response shaping: from an upstream success (status, body) to the tool's structured result.

Used both when serving and when `validate` checks a manifest's examples, so an example that passes
is a promise about what the server really returns.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jmespath
from jmespath.parser import ParsedResult

from .model import Pagination, Tool


class ShapeError(Exception):
    """The upstream answer does not have the shape the manifest promises."""


@cache
def compiled(expression: str) -> ParsedResult:
    """Compile a JMESPath expression once per process (raises jmespath's ParseError if invalid)."""
    return jmespath.compile(expression)


def search(expression: str, data: Any) -> Any:
    return compiled(expression).search(data)


def shape_success(
    tool: Tool, pagination: Pagination | None, status: int, body: Any, path_arguments: dict[str, Any]
) -> dict[str, Any]:
    """The structured result: always a JSON object (lists as {items, next_cursor})."""
    if body is None:
        # An empty answer (204): say what was done, naming the record by its path arguments.
        return {"ok": True, "status": status, **path_arguments}
    if tool.paginated:
        if pagination is None:
            raise ShapeError("the manifest has no api.pagination for a paginated tool")
        records = search(pagination.items, body)
        if not isinstance(records, list):
            raise ShapeError(f"the API's list answer has no list at {pagination.items!r}")
        items = [search(tool.projection, record) for record in records] if tool.projection else records
        return {"items": items, "next_cursor": search(pagination.next_cursor, body)}
    value = search(tool.projection, body) if tool.projection else body
    return value if isinstance(value, dict) else {"result": value}
