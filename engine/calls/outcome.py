"""What a tool call ends as: a structured object plus the text a client shows, success or error."""

from __future__ import annotations

import json
from typing import Any

import pydantic_core


class ToolOutcome:
    """`text` is what a client shows; for a success it is the structured result as compact JSON, written
    only when read: a workflow step's or a lookup's result is read by the engine alone, and writing out
    thousands of records nobody reads would be pure cost."""

    __slots__ = ("_text", "is_error", "structured")

    def __init__(self, structured: dict[str, Any], text: str | None, is_error: bool) -> None:
        self.structured = structured
        self._text = text
        self.is_error = is_error

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = compact_json(self.structured)
        return self._text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ToolOutcome):
            return NotImplemented
        return (self.structured, self.text, self.is_error) == (other.structured, other.text, other.is_error)

    __hash__ = None  # type: ignore[assignment]  # mutable contents, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"ToolOutcome(structured={self.structured!r}, is_error={self.is_error!r})"


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON, as json.dumps(value, ensure_ascii=False, separators=(",", ":")) writes it.

    Written by pydantic-core, the serialiser the MCP SDK writes every message with (the SDK's types are
    pydantic models): about 2.6 times faster than the json module on a page of records. Text that UTF-8
    cannot carry (a lone surrogate, which redaction later replaces) is left to the json module."""
    try:
        return pydantic_core.to_json(value)
    except pydantic_core.PydanticSerializationError:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")


def compact_json(value: Any) -> str:
    return json_bytes(value).decode("utf-8", "surrogatepass")


def success(structured: dict[str, Any]) -> ToolOutcome:
    return ToolOutcome(structured, None, False)


def failure(first_line: str, error: dict[str, Any], more: list[str] | None = None) -> ToolOutcome:
    """An isError result whose first line stands alone (clients often show only it)."""
    lines = [first_line, *(more or [])]
    return ToolOutcome({"error": error}, "\n".join(lines), True)
