"""Response shaping: from an upstream success (status, body) to the tool's structured result.

Used both when serving and when `validate` checks a manifest's examples, so an example that passes
is a promise about what the server really returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import jmespath
from jmespath.parser import ParsedResult

from .jmespath_compiled import Compiled, compile_tree
from .model import Pagination, Tool


class ShapeError(Exception):
    """The upstream answer does not have the shape the manifest promises."""


@cache
def compiled(expression: str) -> ParsedResult:
    """Compile a JMESPath expression once per process (raises jmespath's ParseError if invalid)."""
    return jmespath.compile(expression)


@cache
def evaluator(expression: str) -> Compiled:
    """The expression as one Python closure, built once per process (engine/manifest/jmespath_compiled.py)."""
    return compile_tree(compiled(expression).parsed)


def search(expression: str, data: Any) -> Any:
    return evaluator(expression)(data)


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
        items = list(map(evaluator(tool.projection), records)) if tool.projection else records
        return {"items": items, "next_cursor": search(pagination.next_cursor, body)}
    value = search(tool.projection, body) if tool.projection else body
    return value if isinstance(value, dict) else {"result": value}


@dataclass(frozen=True)
class RootReads:
    """What an expression reads of the value it is applied to (not of values nested below it)."""

    fields: frozenset[str]  # keys read directly from it, e.g. {"data"} for data[].{id: id}
    as_list: bool  # it is flattened, indexed or filtered as a list ([], [0], [?...])


# Nodes whose children are all evaluated against the same value as the node itself.
_SAME_VALUE = frozenset(
    {"multi_select_dict", "multi_select_list", "key_val_pair", "function_expression", "comparator",
     "and_expression", "or_expression", "not_expression"}
)  # fmt: skip
# Nodes that evaluate their first child against the value and the others against what it yields.
_LEFT_THEN_NESTED = frozenset(
    {"subexpression", "projection", "value_projection", "filter_projection", "pipe", "index_expression"}
)
_LIST_OPERATIONS = frozenset({"flatten", "index_expression", "filter_projection", "projection", "slice"})


def root_reads(expression: str) -> RootReads:
    """Read statically from the parsed expression: the keys it reads of its input, and whether it
    treats its input as a list. Used by validate to catch a per-record projection that was written
    for the whole list body (data[].{...} on a paginated tool gives null for every record)."""
    fields: set[str] = set()
    as_list = False

    def visit(node: dict[str, Any]) -> None:
        nonlocal as_list
        kind = node.get("type")
        children = node.get("children", [])
        if kind == "field":
            fields.add(str(node["value"]))
        elif kind in _SAME_VALUE:
            for child in children:
                visit(child)
        elif (kind in _LEFT_THEN_NESTED or kind == "flatten") and children:
            first = children[0]
            if kind in _LIST_OPERATIONS and first.get("type") in ("identity", "current"):
                as_list = True
            visit(first)
        # literals, @, expression references (evaluated per element) read nothing of the input itself

    visit(dict(compiled(expression).parsed))
    return RootReads(frozenset(fields), as_list)
