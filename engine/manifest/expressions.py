"""JMESPath as workflows use it: the engine's extra functions, a fast path for plain field paths, and
the walks over an expression that lint needs (which roots it reads, which functions it calls).

The extra functions do what JMESPath cannot and models do badly: exact arithmetic on durations and
money (Decimal, never floats summed), and times shown in the user's time zone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import jmespath
from jmespath import functions

from .projection import compiled

Getter = Callable[[Any], Any]

_CENT = Decimal("0.01")
_SECONDS_PER_HOUR = Decimal(3600)


def to_decimal(value: Any) -> Decimal | None:
    """An integer, or a decimal string such as "120.00"; anything else (floats included) is None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
        return number if number.is_finite() else None
    return None


def truthy(value: Any) -> bool:
    """JMESPath truthiness: false, null, "", [] and {} are false (0 is true)."""
    if value is None or value is False:
        return False
    return len(value) > 0 if isinstance(value, str | list | dict) else True


def _parse_instant(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class WorkflowFunctions(functions.Functions):
    """JMESPath's functions plus the engine's; `local_time` reads the clock's time zone."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__()
        self._zone = zone

    @functions.signature({"types": ["number", "null"]})
    def _func_hours(self, seconds: Any) -> float | None:
        """Hours from exact seconds, rounded half up to 2 decimals: 5400 -> 1.5."""
        number = to_decimal(seconds)
        if number is None:
            return None
        return float((number / _SECONDS_PER_HOUR).quantize(_CENT, ROUND_HALF_UP))

    @functions.signature({"types": ["number", "null"]})
    def _func_duration_text(self, seconds: Any) -> str | None:
        """5100 -> "1h 25m"; under a minute, seconds: "45s"."""
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            return None
        if seconds < 60:
            return f"{seconds}s"
        hours, minutes = divmod(seconds // 60, 60)
        return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m"

    @functions.signature({"types": ["number", "null"]}, {"types": ["string", "number", "null"]})
    def _func_amount(self, seconds: Any, hourly_rate: Any) -> str | None:
        """Money for a duration at an hourly rate, exactly, rounded half up to cents: "180.00"."""
        time, rate = to_decimal(seconds), to_decimal(hourly_rate)
        if time is None or rate is None:
            return None
        return str((time * rate / _SECONDS_PER_HOUR).quantize(_CENT, ROUND_HALF_UP))

    @functions.signature({"types": ["string", "null"]})
    def _func_local_time(self, timestamp: Any) -> str | None:
        """An ISO-8601 instant shown in the clock's time zone, with its offset."""
        moment = _parse_instant(timestamp) if isinstance(timestamp, str) else None
        return moment.astimezone(self._zone).isoformat(timespec="seconds") if moment else None

    @functions.signature({"types": ["object", "array", "null"]})
    def _func_without_nulls(self, value: Any) -> Any:
        """An object without its null members (each object of an array, likewise)."""
        if isinstance(value, list):
            return [self._func_without_nulls(item) if isinstance(item, dict) else item for item in value]
        if isinstance(value, dict):
            return {key: item for key, item in value.items() if item is not None}
        return value


ENGINE_FUNCTIONS = frozenset(
    name.removeprefix("_func_") for name in vars(WorkflowFunctions) if name.startswith("_func_")
)
BUILTIN_FUNCTIONS = frozenset(
    name.removeprefix("_func_") for name in dir(functions.Functions) if name.startswith("_func_")
)


@cache
def options_for(zone: ZoneInfo) -> jmespath.Options:
    return jmespath.Options(custom_functions=WorkflowFunctions(zone))


def evaluate(expression: str, data: Any, options: jmespath.Options) -> Any:
    return getter(expression, options)(data)


@cache
def getter(expression: str, options: jmespath.Options) -> Getter:
    """A function of the data; plain field paths (`a`, `a.b.c`) skip the JMESPath interpreter, which
    is what keeps aggregating thousands of records cheap."""
    parsed = compiled(expression)
    path = field_path(parsed.parsed)
    if path is None:
        return lambda data: parsed.search(data, options=options)
    if len(path) == 1:
        (key,) = path
        return lambda data: data.get(key) if isinstance(data, dict) else None
    return lambda data: follow(data, path)


def field_path(node: Mapping[str, Any]) -> tuple[str, ...] | None:
    """`a.b.c` as ("a", "b", "c"); None for anything but a plain path of field names."""
    if node["type"] == "field":
        return (node["value"],)
    if node["type"] == "subexpression":
        parts: tuple[str, ...] = ()
        for child in node["children"]:
            sub = field_path(child)
            if sub is None:
                return None
            parts += sub
        return parts
    return None


def follow(data: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


# --- walks for lint -------------------------------------------------------------------------------

# Node types whose children all see the same current value as the node itself.
_SAME_SCOPE = frozenset(
    {"or_expression", "and_expression", "not_expression", "comparator", "multi_select_dict",
     "multi_select_list", "key_val_pair", "function_expression"}
)  # fmt: skip
# Node types whose first child sees the current value and the others what it produced.
_LEFT_SCOPE = frozenset(
    {"subexpression", "index_expression", "projection", "value_projection", "filter_projection",
     "flatten", "pipe"}
)  # fmt: skip


def root_paths(expression: str) -> Iterator[tuple[str, ...]]:
    """The field paths an expression reads from its root value (`args.project` -> ("args", "project")),
    leaving out what is read from list elements or intermediate results."""
    yield from _roots(compiled(expression).parsed)


def _roots(node: Mapping[str, Any]) -> Iterator[tuple[str, ...]]:
    kind = node["type"]
    if kind == "field":
        yield (node["value"],)
    elif kind == "subexpression":
        path = field_path(node)
        if path is not None:
            yield path
        else:
            yield from _roots(node["children"][0])
    elif kind in _LEFT_SCOPE:
        yield from _roots(node["children"][0])
    elif kind in _SAME_SCOPE:
        for child in node["children"]:
            if child["type"] != "expref":  # &expr is applied to each element, not to the root
                yield from _roots(child)


def function_calls(expression: str) -> Iterator[tuple[str, int]]:
    """(name, argument count) of every function an expression calls."""
    stack = [compiled(expression).parsed]
    while stack:
        node = stack.pop()
        if node["type"] == "function_expression":
            yield node["value"], len(node["children"])
        stack.extend(node.get("children", []))


def function_problem(name: str, count: int, *, engine_functions: bool) -> str | None:
    """Why calling `name` with `count` arguments fails at run time, or None."""
    known = BUILTIN_FUNCTIONS | (ENGINE_FUNCTIONS if engine_functions else frozenset())
    if name not in known:
        where = "" if engine_functions else " (the engine's functions are for workflows only)"
        return f"unknown function {name}(){where}"
    table = WorkflowFunctions.FUNCTION_TABLE if engine_functions else functions.Functions.FUNCTION_TABLE
    signature = table[name]["signature"]
    variadic = bool(signature) and signature[-1].get("variadic", False)
    wanted = len(signature)
    if count < wanted or (count > wanted and not variadic):
        return f"{name}() takes {wanted} argument{'s' if wanted != 1 else ''}, not {count}"
    return None
