"""What a tool call ends as: a structured object plus the text a client shows, success or error."""

from __future__ import annotations

import json
from typing import Any


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
            self._text = json.dumps(self.structured, ensure_ascii=False, separators=(",", ":"))
        return self._text

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ToolOutcome):
            return NotImplemented
        return (self.structured, self.text, self.is_error) == (other.structured, other.text, other.is_error)

    __hash__ = None  # type: ignore[assignment]  # mutable contents, like the dataclass it replaces

    def __repr__(self) -> str:
        return f"ToolOutcome(structured={self.structured!r}, is_error={self.is_error!r})"


def success(structured: dict[str, Any]) -> ToolOutcome:
    return ToolOutcome(structured, None, False)


def failure(first_line: str, error: dict[str, Any], more: list[str] | None = None) -> ToolOutcome:
    """An isError result whose first line stands alone (clients often show only it)."""
    lines = [first_line, *(more or [])]
    return ToolOutcome({"error": error}, "\n".join(lines), True)
