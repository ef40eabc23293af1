"""Tool arguments: widened as the manifest declares, checked against the input schema, defaults applied.

The 2.x SDK's low-level server validates nothing, so this is the only gate between what a model
sends and the request we build. A failure names each argument at fault, so the model can fix it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import TYPE_CHECKING, Any

from ..manifest.argument_values import format_checker, normalize
from ..manifest.model import Tool, with_defaults
from ..manifest.workflow_model import Workflow
from .bounded_json import MAX_DEPTH, deeper_than

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


class ArgumentError(Exception):
    """The arguments do not fit the tool; `problems` has one line per argument at fault."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@cache
def _validator(tool: Tool | Workflow) -> Draft202012Validator:
    """Built at a tool's first call (jsonschema stays off start-up), then kept."""
    from ..manifest.bounded_validator import BoundedValidator

    validator: Draft202012Validator = BoundedValidator(tool.input_schema, format_checker=format_checker())
    return validator


def check_arguments(tool: Tool | Workflow, arguments: dict[str, Any] | None) -> dict[str, Any]:
    raw = dict(arguments or {})
    unsendable = [f"argument '{name}': {why}" for name, value in raw.items() if (why := _unsendable(value))]
    if unsendable:
        raise ArgumentError(unsendable)
    # A number for a money string becomes its decimal text; null or "" for a clearable one, a null.
    normalized = normalize(tool, raw)
    given = normalized.values
    errors = sorted(_validator(tool).iter_errors(given), key=lambda e: (list(e.path), e.message))
    if errors:
        raise ArgumentError([_describe(tool, error) for error in errors])
    given.update(dict.fromkeys(normalized.cleared))
    return with_defaults(tool.arguments, given)


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _unsendable(value: Any) -> str | None:
    """Why a value cannot go to the API as JSON, whatever the schema says, or None.

    Python's JSON parser (and the SDK's) reads NaN, Infinity and numbers too large for a double (1e400,
    a 5,000-digit integer: the stdio transport reads it as infinity) and undecodable text (a lone
    surrogate); none of these may reach the wire, where only valid JSON goes."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except ValueError:
        return "NaN and infinity are not JSON numbers (1e400 and other numbers too large read as infinity)"
    except RecursionError:
        return f"nested deeper than {MAX_DEPTH} levels"
    if deeper_than(value, MAX_DEPTH):
        return f"nested deeper than {MAX_DEPTH} levels"
    if not text.isascii() and _LONE_SURROGATE.search(text):
        return "holds text that is not Unicode (a lone surrogate, or bytes that are not UTF-8)"
    return None


def _describe(tool: Tool | Workflow, error: ValidationError) -> str:
    if error.validator == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return f"argument '{missing}' is required"
    if error.validator == "additionalProperties":
        given = error.instance if isinstance(error.instance, dict) else {}
        names = ", ".join(sorted(set(given) - set(tool.input_schema["properties"])))
        accepted = ", ".join(tool.input_schema["properties"]) or "no arguments"
        return f"unknown argument(s) {names}; {tool.name} takes: {accepted}"
    where = ".".join(str(part) for part in error.path)
    if not where:
        return f"arguments: {_clip(error.message)}"
    return f"argument '{where}': {_clip(error.message)}"


def _clip(message: str, limit: int = 300) -> str:
    return message if len(message) <= limit else f"{message[:limit]}…"
