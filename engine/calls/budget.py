"""The result budget: no tool result floods the model's context, and none is cut silently.

A list result over budget keeps as many whole records as fit and says how to page through the rest
without gaps; any other result over budget becomes an error that says how to narrow the request.
"""

from __future__ import annotations

from typing import Any

from ..manifest.model import Tool
from .outcome import json_bytes


class ResultTooLarge(Exception):
    pass


def json_size(value: Any) -> int:
    return len(json_bytes(value))


def fit_to_budget(tool: Tool, result: dict[str, Any], budget: int) -> dict[str, Any]:
    """`result` cut to fit in `budget` bytes of JSON; raises ResultTooLarge when it cannot be cut."""
    size = json_size(result)
    if size <= budget:
        return result
    items = result.get("items")
    if not (tool.paginated and isinstance(items, list) and items):
        raise ResultTooLarge(
            f"the result is {size:,} bytes, over the {budget:,}-byte budget; narrow the request "
            "(more specific arguments or filters)"
        )
    note_allowance = 600  # room for the note and the other keys
    room = budget - note_allowance
    kept = 0
    used = 2  # the brackets of the list
    for item in items:
        used += json_size(item) + 1
        if used > room:
            break
        kept += 1
    if kept == 0:
        raise ResultTooLarge(
            f"a single record is over the {budget:,}-byte budget ({json_size(items[0]):,} bytes); "
            "use the get tool for one record, or a narrower query"
        )
    return {
        **{key: value for key, value in result.items() if key not in ("items", "next_cursor")},
        "items": items[:kept],
        # The API's cursor points after the whole page: following it would skip the records cut here.
        "next_cursor": None,
        "truncated": {
            "returned": kept,
            "page_items": len(items),
            "message": (
                f"Only the first {kept} of the {len(items)} records of this page fit in the result "
                f"budget. To see every record without gaps, call again with the same arguments and "
                f"limit={kept}, then follow next_cursor."
            ),
        },
    }
