"""Before a request is built: clock words read in the user's time zone, and names looked up as ids.

A lookup never guesses. A value shaped like an id (the lookup's `id_pattern`) is used as is, with no
call. Otherwise the lookup's list tool is searched with the text: one record whose name equals it
(ignoring case), or else exactly one whose name contains it, gives its id; none or several is a tool
error that lists the candidates with their ids, and nothing further is sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Protocol

from ..manifest.calendar import Calendar, CalendarError
from ..manifest.model import Argument, Lookup, Manifest, Tool
from ..manifest.workflow_plan import resolve_clock_arguments
from . import errors
from .outcome import ToolOutcome
from .reporting import CallReporter, LogsOnly

_CANDIDATES_SHOWN = 10


class ListRunner(Protocol):
    async def invoke(self, tool: Tool, arguments: dict[str, Any], reporter: CallReporter) -> ToolOutcome: ...


@dataclass(frozen=True)
class Resolved:
    arguments: dict[str, Any]  # what the request or the steps use
    echo: dict[str, Any]  # what was read from words and names, for the result to show


async def resolve_arguments(
    runner: ListRunner,
    manifest: Manifest,
    owner: str,
    arguments: tuple[Argument, ...],
    values: dict[str, Any],
    calendar: Calendar,
    reporter: CallReporter,
) -> Resolved | ToolOutcome:
    """The arguments with words and names resolved, or the error outcome to answer with."""
    try:
        resolved, echo = resolve_clock_arguments(arguments, values, calendar)
    except CalendarError as exc:
        return errors.argument_problems(owner, [str(exc)])
    for arg in _in_scope_order(arguments):
        value = resolved.get(arg.name)
        if arg.lookup is None or not isinstance(value, str) or not value.strip():
            continue  # nothing to look up: a blank is the API's (or the request builder's) to refuse
        if re.search(arg.lookup.id_pattern, value):
            continue
        found = await _look_up(runner, manifest, owner, arg, arg.lookup, value, resolved, reporter)
        if isinstance(found, ToolOutcome):
            return found
        resolved[arg.name] = found["id"]
        echo[arg.name] = found
    return Resolved(resolved, echo)


def _in_scope_order(arguments: tuple[Argument, ...]) -> list[Argument]:
    """An argument after those its lookup is scoped by (a task after its project); lint refuses cycles."""
    ordered: list[Argument] = []
    by_name = {arg.name: arg for arg in arguments}

    def visit(arg: Argument, trail: frozenset[str]) -> None:
        if arg in ordered or arg.name in trail:
            return
        for source in arg.lookup.scope.values() if arg.lookup else ():
            if source in by_name:
                visit(by_name[source], trail | {arg.name})
        ordered.append(arg)

    for arg in arguments:
        visit(arg, frozenset())
    return ordered


async def _look_up(
    runner: ListRunner,
    manifest: Manifest,
    owner: str,
    arg: Argument,
    lookup: Lookup,
    text: str,
    resolved: dict[str, Any],
    reporter: CallReporter,
) -> dict[str, Any] | ToolOutcome:
    tool = manifest.tool(lookup.tool)
    assert tool is not None  # lint guarantees a paginated list tool
    query: dict[str, Any] = {lookup.search: text.strip()}
    for target, source in lookup.scope.items():
        if resolved.get(source) is not None:
            query[target] = resolved[source]
    limit = _largest_page(manifest, tool)
    if limit is not None:
        query[limit[0]] = limit[1]
    await reporter.log("debug", f"{owner}: looking up {arg.name} {text!r} with {tool.name}")
    outcome = await runner.invoke(tool, query, LogsOnly(reporter))
    if outcome.is_error:
        return errors.lookup_failed(owner, arg.name, text, tool.name, outcome)
    records = [r for r in outcome.structured.get("items") or [] if isinstance(r, dict)]
    wanted = text.strip().casefold()
    exact = [r for r in records if any(name.casefold() == wanted for name in _names(r, lookup))]
    partial = [r for r in records if any(wanted in name.casefold() for name in _names(r, lookup))]
    chosen = exact or partial
    if len(chosen) == 1:
        return _candidate(chosen[0], lookup)
    more = outcome.structured.get("next_cursor") is not None
    candidates = [_candidate(r, lookup) for r in (chosen or records)[:_CANDIDATES_SHOWN]]
    return errors.name_not_resolved(owner, arg.name, text, candidates, several=bool(chosen), more=more)


def _names(record: dict[str, Any], lookup: Lookup) -> list[str]:
    return [value for field in lookup.match if isinstance(value := record.get(field), str)]


def _candidate(record: dict[str, Any], lookup: Lookup) -> dict[str, Any]:
    return {"id": record.get(lookup.id_field), "name": record.get(lookup.match[0])}


def _largest_page(manifest: Manifest, tool: Tool) -> tuple[str, int] | None:
    """The tool's page-size argument and the largest size its schema allows: one page, as full as it gets."""
    pagination = manifest.api.pagination
    if pagination is None:
        return None
    limit = next((a for a in tool.arguments_in("query") if a.api_name == pagination.limit_param), None)
    maximum = limit.schema.get("maximum") if limit else None
    return (limit.name, maximum) if limit and isinstance(maximum, int) else None
