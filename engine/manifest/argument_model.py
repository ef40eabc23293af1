"""Tool arguments, as API tools and workflows share them: where a value goes, its schema, and what the
engine reads into it first (a name looked up as an id, a day word as a date) or pins (a fixed value).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

DocPath = tuple[str | int, ...]  # a value's path in the manifest document


Location = Literal["path", "query", "body"]
# How the engine reads an argument's words before checking them (engine/manifest/calendar.py):
# a day ("yesterday") as a date or as the first/last instant of that day in the user's time zone,
# "now" as the current instant, or a period ("last_week") as {from, to} dates (workflows only).
ClockKind = Literal["date", "start_of_day", "end_of_day", "now", "period"]


@dataclass(frozen=True)
class Lookup:
    """An argument that also takes a name: resolved to an id through a list tool's search filter."""

    tool: str  # a paginated list tool
    search: str  # its argument that takes the text
    id_pattern: str  # a value matching this is already an id: used as is, no lookup
    match: tuple[str, ...]  # record fields compared with the text (the first is the name shown)
    id_field: str  # the record field that holds the id to use
    scope: dict[str, str]  # list tool argument -> this tool's argument that narrows the search
    where: DocPath


@dataclass(frozen=True, eq=False)
class Argument:
    name: str
    location: Location | None  # None: a workflow argument, placed by its steps
    schema: dict[str, Any]
    description: str | None
    required: bool
    required_declared: bool | None  # as written; None when left out
    api_name: str
    has_default: bool
    default: Any
    where: DocPath
    clearable: bool = False  # null or "" clears it: the API receives null (argument_values.py)
    accept_number: bool = False  # a JSON number is taken as its decimal text (argument_values.py)
    lookup: Lookup | None = None
    clock: ClockKind | None = None
    has_fixed: bool = False  # pinned: never listed, always sent with `fixed`
    fixed: Any = None

    def property_schema(self) -> dict[str, Any]:
        """The argument as the model sees it: its schema plus description and default."""
        prop = dict(self.schema)
        if self.description:
            prop["description"] = self.description
        if self.has_default:
            prop["default"] = self.default
        return prop


def listed_input_schema(arguments: tuple[Argument, ...]) -> dict[str, Any]:
    """One JSON Schema object over the arguments the model gives (pinned ones are not listed)."""
    listed = [arg for arg in arguments if not arg.has_fixed]
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {arg.name: arg.property_schema() for arg in listed},
    }
    required = [arg.name for arg in listed if arg.required]
    if required:  # an empty list says nothing and costs context on every turn
        schema["required"] = required
    schema["additionalProperties"] = False  # unknown arguments are refused by name, not ignored
    return schema


def with_defaults(arguments: tuple[Argument, ...], given: dict[str, Any]) -> dict[str, Any]:
    """The given values, plus each absent argument's default and every pinned (fixed) value."""
    complete = dict(given)
    for arg in arguments:
        if arg.has_fixed:
            complete[arg.name] = arg.fixed
        elif arg.has_default and arg.name not in complete:
            complete[arg.name] = arg.default
    return complete


def build_arguments(specs: dict[str, Any], where: DocPath) -> tuple[Argument, ...]:
    return tuple(_argument(name, spec, (*where, name)) for name, spec in specs.items())


def _argument(name: str, spec: dict[str, Any], where: DocPath) -> Argument:
    location = spec.get("in")  # absent on workflow arguments
    return Argument(
        name=name,
        location=location,
        schema=spec["schema"],
        description=spec.get("description"),
        required=location == "path" or spec.get("required", False),
        required_declared=spec.get("required"),
        api_name=spec.get("api_name", name),
        has_default="default" in spec,
        default=spec.get("default"),
        where=where,
        clearable=spec.get("clearable", False),
        accept_number=spec.get("accept_number", False),
        lookup=_lookup(spec["lookup"], (*where, "lookup")) if "lookup" in spec else None,
        clock=spec.get("clock"),
        has_fixed="fixed" in spec,
        fixed=spec.get("fixed"),
    )


def _lookup(spec: dict[str, Any], where: DocPath) -> Lookup:
    return Lookup(
        tool=spec["tool"],
        search=spec.get("search", "search"),
        id_pattern=spec["id_pattern"],
        match=tuple(spec.get("match", ["name"])),
        id_field=spec.get("id", "id"),
        scope=dict(spec.get("scope", {})),
        where=where,
    )
