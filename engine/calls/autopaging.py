"""Auto-paging for `paginated: true` tools: one call collects several pages, bounded by `max_items`.

The argument is the engine's, not the API's: it is added to the listed schema of paginated tools and
removed before each page goes through the ordinary tool call (so it is never sent upstream). Each page
reports progress; a cursor that comes back a second time stops the loop with an error instead of
looping for ever on a misbehaving API.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..manifest.model import Argument, Manifest, Tool
from ..manifest.paging import cursor_argument, limit_argument
from ..manifest.workflow_model import RESOLVED
from . import errors
from .arguments import ArgumentError, check_arguments
from .budget import json_size
from .outcome import ToolOutcome, failure, success
from .reporting import CallReporter, LogsOnly
from .tool_call import ToolRunner

MAX_ITEMS = "max_items"
MAX_ITEMS_LIMIT = 1000
# Short on purpose: this text is sent with every paginated tool on every tools/list.
MAX_ITEMS_SCHEMA: dict[str, Any] = {
    "type": "integer",
    "minimum": 1,
    "maximum": MAX_ITEMS_LIMIT,
    "description": "Follow next_cursor and return up to this many items in one call.",
}


# One page: a tool call as the model makes it (ToolRunner.call) or as a workflow step does (.invoke).
FetchPage = Callable[[Tool, dict[str, Any], CallReporter], Awaitable[ToolOutcome]]


def can_autopage(manifest: Manifest, tool: Tool) -> bool:
    return tool.paginated and _argument_for(manifest, tool, "cursor") is not None


def listed_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The tool's input schema with `max_items` added (a copy; the manifest's stays as declared)."""
    properties = dict(schema.get("properties", {}))
    properties.setdefault(MAX_ITEMS, MAX_ITEMS_SCHEMA)
    return {**schema, "properties": properties}


def _argument_for(manifest: Manifest, tool: Tool, role: str) -> Argument | None:
    """The tool's argument carrying the API's cursor (or page number) or limit, if it declares one."""
    pagination = manifest.api.pagination
    if pagination is None:
        return None
    return cursor_argument(pagination, tool) if role == "cursor" else limit_argument(pagination, tool)


def _bad_max_items(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return f"argument '{MAX_ITEMS}' must be an integer from 1 to {MAX_ITEMS_LIMIT}"
    if not 1 <= value <= MAX_ITEMS_LIMIT:
        return f"argument '{MAX_ITEMS}' must be from 1 to {MAX_ITEMS_LIMIT}; got {value}"
    return None


async def collect_pages(
    runner: ToolRunner,
    manifest: Manifest,
    tool: Tool,
    arguments: dict[str, Any],
    reporter: CallReporter,
) -> ToolOutcome:
    """Pages of `tool` until `max_items` items or the last page; `{items, next_cursor}` like one page."""
    max_items = arguments.get(MAX_ITEMS)
    problem = _bad_max_items(max_items)
    if problem:
        return failure(f"{tool.name}: {problem}", {"code": "invalid_arguments", "message": problem})
    assert isinstance(max_items, int)
    base = {k: v for k, v in arguments.items() if k != MAX_ITEMS}
    budget = manifest.api.limits.max_result_bytes - _NOTE_ALLOWANCE
    if not any((arg.clock or arg.lookup) and base.get(arg.name) is not None for arg in tool.arguments):
        return await page_through(runner.call, manifest, tool, base, reporter, max_items, budget)
    # Words and names are read once, not again for every page; the pages then carry ids and dates.
    try:
        checked = check_arguments(tool, base)
    except ArgumentError as exc:
        return runner.redacted(errors.argument_problems(tool.name, exc.problems))
    prepared = await runner.resolve(tool.name, tool.arguments, checked, runner.clock.calendar(), reporter)
    if isinstance(prepared, ToolOutcome):
        return runner.redacted(prepared)
    listed = tool.input_schema["properties"]
    page_args = {k: v for k, v in prepared.arguments.items() if k in listed}
    outcome = await page_through(runner.call, manifest, tool, page_args, reporter, max_items, budget)
    if prepared.echo and not outcome.is_error:
        outcome = success({**outcome.structured, RESOLVED: prepared.echo})
    return outcome


async def page_through(
    fetch: FetchPage,
    manifest: Manifest,
    tool: Tool,
    base: dict[str, Any],
    reporter: CallReporter,
    max_items: int,
    budget: int | None,
) -> ToolOutcome:
    """Follows next_cursor until `max_items` items, the last page, or (when `budget` is given) the
    result budget; answers `{items, next_cursor}`, next_cursor set when more remain."""
    cursor_arg = _argument_for(manifest, tool, "cursor")
    limit_arg = _argument_for(manifest, tool, "limit")
    if cursor_arg is None:
        message = "this tool declares no cursor argument, so it cannot be auto-paged"
        return failure(f"{tool.name}: {message}", {"code": "invalid_arguments", "message": message})
    # A cursor names a place in the list whatever the page size; a page number means a place only
    # with the same page size, so numbered pages keep the caller's limit (or the API's default).
    numbered = manifest.api.pagination is not None and manifest.api.pagination.style != "cursor"
    page_limit = None if numbered else _page_limit(limit_arg, base)
    items: list[Any] = []
    cursor = base.get(cursor_arg.name)
    seen = {cursor} if cursor is not None else set()
    pages = 0
    used = json_size({"items": [], "next_cursor": None})
    while True:
        page_cursor = cursor
        page_args = dict(base)
        if cursor is not None:
            page_args[cursor_arg.name] = cursor
        if limit_arg is not None and page_limit is not None:
            # Never ask for more than still fits, so the returned cursor resumes exactly after the last item.
            page_args[limit_arg.name] = min(page_limit, max_items - len(items))
        outcome = await fetch(tool, page_args, LogsOnly(reporter))
        if outcome.is_error:
            return outcome if pages == 0 else _after_pages(outcome, pages, len(items))
        page_items = outcome.structured.get("items") or []
        if budget is not None:
            page_bytes = sum(json_size(item) + 1 for item in page_items)
            if items and used + page_bytes > budget:
                # Stop before this page, and hand back the cursor that fetched it: nothing is skipped.
                return success(_stopped(items, page_cursor, "the result budget is full"))
            used += page_bytes
        if numbered and items and len(items) + len(page_items) > max_items:
            # A numbered page cannot be resumed half-way: stop before it, as for the budget.
            return success(
                _stopped(items, page_cursor, f"max_items ({max_items}) falls inside the next page")
            )
        pages += 1
        items.extend(page_items)
        cursor = outcome.structured.get("next_cursor")
        await reporter.progress(min(len(items), max_items), max_items, f"page {pages}: {len(items)} items")
        if "truncated" in outcome.structured:
            # The page itself was cut to fit: its own note says how to read the rest of it.
            note = dict(outcome.structured["truncated"])
            note["page_cursor"] = page_cursor
            note["message"] = f"{note.get('message', '')} Its cursor is page_cursor.".strip()
            return success({"items": items, "next_cursor": None, "truncated": note})
        if cursor is not None and not _is_position(cursor, numbered):
            message = f"the API returned a cursor that is not a string ({type(cursor).__name__})"
            return failure(f"{tool.name}: {message}", {"code": "unexpected_response", "message": message})
        if cursor is None or len(items) >= max_items or pages >= max_items:
            return success({"items": items, "next_cursor": cursor})
        if cursor in seen:
            message = f"the API returned cursor {cursor!r} again after page {pages}: paging stopped"
            return failure(
                f"{tool.name}: {message} ({len(items)} items collected, not returned)",
                {"code": "cursor_not_advancing", "message": message, "pages": pages},
            )
        seen.add(cursor)


def _is_position(value: Any, numbered: bool) -> bool:
    """A cursor is text; a page number may also be an integer."""
    if isinstance(value, str):
        return True
    return numbered and isinstance(value, int) and not isinstance(value, bool)


_NOTE_ALLOWANCE = 600  # room for the note a stopped collection carries


def _stopped(items: list[Any], resume_cursor: Any, why: str) -> dict[str, Any]:
    return {
        "items": items,
        "next_cursor": resume_cursor,
        "truncated": {
            "returned": len(items),
            "message": f"Stopped after {len(items)} items because {why}; call again with "
            "cursor=next_cursor to continue without gaps.",
        },
    }


def _page_limit(limit_arg: Argument | None, arguments: dict[str, Any]) -> int | None:
    """The page size: the caller's own limit, else the largest the tool's schema allows."""
    if limit_arg is None:
        return None
    given = arguments.get(limit_arg.name)
    if isinstance(given, int) and not isinstance(given, bool):
        return given
    maximum = limit_arg.schema.get("maximum")
    return maximum if isinstance(maximum, int) else None


def _after_pages(outcome: ToolOutcome, pages: int, count: int) -> ToolOutcome:
    note = f"(auto-paging stopped at page {pages + 1}; {count} items from earlier pages not returned)"
    return ToolOutcome(outcome.structured, f"{outcome.text}\n{note}", True)
