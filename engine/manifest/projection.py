"""Response shaping: from an upstream success (status, body) to the tool's structured result.

Used both when serving and when `validate` checks a manifest's examples, so an example that passes
is a promise about what the server really returns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jmespath
from jmespath.exceptions import JMESPathError
from jmespath.parser import ParsedResult

from .jmespath_compiled import Compiled, compile_tree
from .model import Argument, Pagination, Tool
from .paging import cursor_argument, limit_argument, next_link_target


class ShapeError(Exception):
    """The upstream answer does not have the shape the manifest promises."""


@cache
def compiled(expression: str) -> ParsedResult:
    """Compile a JMESPath expression once per process (raises JMESPathError if invalid)."""
    try:
        return jmespath.compile(expression)
    except RecursionError:  # jmespath's parser recurses once per nesting level: ((((…)))) or !!!!…
        raise JMESPathError("the expression nests too deeply to parse") from None


@cache
def evaluator(expression: str) -> Compiled:
    """The expression as one Python closure, built once per process (engine/manifest/jmespath_compiled.py)."""
    tree = compiled(expression).parsed
    try:
        return compile_tree(tree)
    except RecursionError:  # a long chain (a | b | c ...) nests as deeply as it is long
        raise JMESPathError("the expression nests too deeply to compile") from None


def search(expression: str, data: Any) -> Any:
    return evaluator(expression)(data)


def shape_success(
    tool: Tool,
    pagination: Pagination | None,
    status: int,
    body: Any,
    arguments: Mapping[str, Any],
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The structured result: always a JSON object (lists as {items, next_cursor}).

    `arguments` are the ones the call was made with; `headers` the answer's (lower-case names)."""
    if body is None:
        # An empty answer (204): say what was done, naming the record by its path arguments.
        named = {arg.name: arguments.get(arg.name) for arg in tool.arguments_in("path")}
        return {"ok": True, "status": status, **named}
    if tool.paginated:
        if pagination is None:
            raise ShapeError("the manifest has no api.pagination for a paginated tool")
        records = search(pagination.items, body)
        if not isinstance(records, list):
            raise ShapeError(f"the API's list answer has no list at {pagination.items!r}")
        items = list(map(evaluator(tool.projection), records)) if tool.projection else records
        following = next_position(pagination, tool, records, body, headers or {}, arguments)
        return {"items": items, "next_cursor": following}
    value = search(tool.projection, body) if tool.projection else body
    return value if isinstance(value, dict) else {"result": value}


def next_position(
    pagination: Pagination,
    tool: Tool,
    records: list[Any],
    body: Any,
    headers: Mapping[str, str],
    arguments: Mapping[str, Any],
) -> Any:
    """What the cursor argument takes to read the page after this one; None on the last page.

    By api.pagination.style: cursor, the body names it; page, the page number sent goes up by one
    while has_more holds (without it: while a page comes back full); link, the cursor_param value of
    the Link header's rel="next" URL. Only that value is taken: the URL itself is never followed."""
    if pagination.style == "cursor":
        assert pagination.next_cursor is not None  # the schema requires it for this style
        return search(pagination.next_cursor, body)
    argument = cursor_argument(pagination, tool)
    if pagination.style == "link":
        target = next_link_target(headers.get("link"))
        values = parse_qs(urlsplit(target).query).get(pagination.cursor_param) if target else None
        return _typed(values[0], argument) if values else None
    current = arguments.get(argument.name) if argument else None
    page = current if isinstance(current, int) and not isinstance(current, bool) else _first_page(argument)
    if pagination.has_more is not None:
        more = bool(search(pagination.has_more, body))
    else:
        limit = limit_argument(pagination, tool)
        sent = arguments.get(limit.name) if limit else None
        more = len(records) >= sent if isinstance(sent, int) and sent > 0 else bool(records)
    return page + 1 if more else None


def _first_page(argument: Argument | None) -> int:
    """The page an absent page argument means: its default, else its schema's minimum, else 1."""
    if argument is not None:
        for value in (argument.default if argument.has_default else None, argument.schema.get("minimum")):
            if isinstance(value, int) and not isinstance(value, bool):
                return value
    return 1


def _typed(value: str, argument: Argument | None) -> Any:
    """A page number from a URL is text; an integer-typed page argument takes it as a number."""
    if argument is not None and argument.schema.get("type") == "integer" and value.isdigit():
        return int(value)
    return value


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
