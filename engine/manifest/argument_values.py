"""What a model may send beyond an argument's one-type schema, as the manifest declares it.

Portable schemas carry exactly one type (no type arrays, no anyOf), so two things APIs commonly
accept cannot be said in them; an argument declares them and the engine does the widening:
- `accept_number`: a string argument (money, rates) also takes a JSON number, which becomes the
  decimal text it was written as. A JSON number reaches us as a float; its repr is the shortest text
  that reads back as the same float, so 19.99 stays "19.99" (never 19.989999999999998...).
- `clearable`: an optional body argument the model clears with null or "": the API receives null.
The call path and `validate`'s example check both go through `normalize`, so they cannot disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import TYPE_CHECKING, Any

from .model import Tool
from .workflow_model import Workflow

if TYPE_CHECKING:
    from jsonschema import FormatChecker


@dataclass(frozen=True)
class Normalized:
    values: dict[str, Any]  # what is checked against the tool's input schema
    cleared: tuple[str, ...]  # arguments to send as null; they are left out of the schema check


def decimal_text(value: Any) -> Any:
    """A JSON number as its decimal text; anything else (booleans included) unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, int):
        return str(value)
    if not math.isfinite(value):
        return value  # the schema check refuses it, naming the argument
    return format(Decimal(repr(value)), "f")


def normalize(tool: Tool | Workflow, given: dict[str, Any]) -> Normalized:
    values = dict(given)
    cleared: list[str] = []
    for arg in tool.arguments:
        if arg.name not in values:
            continue
        if arg.clearable and values[arg.name] in (None, ""):
            del values[arg.name]
            cleared.append(arg.name)
        elif arg.accept_number:
            values[arg.name] = decimal_text(values[arg.name])
    return Normalized(values, tuple(cleared))


@cache
def format_checker() -> FormatChecker:
    """The formats argument values are held to (by calls, and by `validate` on examples)."""
    from jsonschema import FormatChecker  # here, not at the top: it stays off start-up

    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def is_date_time(value: object) -> bool:
        # jsonschema checks date-time only with an extra package; APIs take ISO-8601 with a zone.
        return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None

    return checker
