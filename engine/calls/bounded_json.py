"""JSON from outside (an API's answer, a client's message), read within what the engine can hold.

Python's parser takes anything: nesting until the interpreter's recursion limit, `NaN` and `Infinity`,
`1e400` (read as infinity), integers of thousands of digits. What is parsed here is later validated,
projected, serialised by pydantic (which gives up past ~250 levels) and sent on as JSON, so the limits
are set once, here: MAX_DEPTH levels of nesting, integers of at most MAX_INT_DIGITS digits.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 100  # levels of arrays/objects; pydantic cannot serialise much past 250
MAX_INT_DIGITS = 400  # more than any double holds (1e308); CPython refuses past 4,300 anyway

_CONTAINERS = (dict, list)


class JsonRejected(ValueError):
    """Not JSON, or JSON outside the bounds; the message completes "the body is ...", e.g. "not JSON"
    or "JSON nested deeper than 100 levels"."""


class JsonTooDeep(JsonRejected):
    """JSON nested deeper than MAX_DEPTH (its top level may still be read: see envelope_only)."""


def _reject_constant(name: str) -> Any:
    raise JsonRejected(f"not JSON ({name} is not a JSON number)")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise JsonRejected(f"JSON with a number out of range for a double ({text[:24]})")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JsonRejected(f"JSON with an integer of more than {MAX_INT_DIGITS} digits")
    return int(text)


def _lenient_int(text: str) -> int | float:
    """A client's integer too long to hold becomes infinity, which the argument check refuses by name."""
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return -math.inf if text.startswith("-") else math.inf
    return int(text)


def deeper_than(value: Any, limit: int) -> bool:
    """Whether `value` nests arrays/objects more than `limit` levels deep (iterative: no recursion)."""
    if type(value) not in _CONTAINERS:
        return False
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        for child in node.values() if type(node) is dict else node:
            if type(child) in _CONTAINERS:
                stack.append((child, depth + 1))
    return False


def _parse(text: str, **hooks: Any) -> Any:
    try:
        value = json.loads(text, **hooks)
    except RecursionError:
        raise JsonTooDeep(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    except JsonRejected:
        raise
    except ValueError:
        raise JsonRejected("not JSON") from None
    # Few brackets cannot nest deep: skip the walk for most small documents.
    if text.count("[") + text.count("{") > MAX_DEPTH and deeper_than(value, MAX_DEPTH):
        raise JsonTooDeep(f"JSON nested deeper than {MAX_DEPTH} levels")
    return value


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def loads_strict(text: str) -> Any:
    """An API's answer: standard JSON only (no NaN/Infinity), every number representable, bounded depth,
    and only text UTF-8 can carry: an escaped lone surrogate ("\\udc80") becomes U+FFFD."""
    value = _parse(text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_bounded_int)
    # Rare: a pair of escapes for one emoji, or a lone half. The backslash test is memchr-fast; the
    # pattern's search costs about six instructions a character of the whole answer.
    if "\\" in text and _SURROGATE_ESCAPE.search(text):
        serialised = json.dumps(value, ensure_ascii=False)
        if _LONE_SURROGATE.search(serialised):
            value = json.loads(_LONE_SURROGATE.sub("\ufffd", serialised))
    return value


def loads_lenient(text: str) -> Any:
    """A client's message: bounded depth; numbers a double cannot hold become NaN/infinity instead of
    failing the whole message, so the request can still be answered, naming the argument at fault."""
    return _parse(text, parse_int=_lenient_int)


_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]', re.DOTALL)


def envelope_only(text: str) -> Any:
    """The top level of a message too deep to parse, with every nested value replaced by null.

    Enough to read the `id` and `method` of a request whose params are hostile, so it can still be
    answered. Raises JsonRejected if even that is not JSON."""
    pieces: list[str] = []
    depth = 0
    kept_until = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in ("[", "{"):
            depth += 1
            if depth == 2:
                pieces.append(text[kept_until : match.start()])
        elif token in ("]", "}"):
            depth -= 1
            if depth == 1:
                pieces.append("null")
                kept_until = match.end()
    pieces.append(text[kept_until:])
    return _parse("".join(pieces), parse_int=_lenient_int)
