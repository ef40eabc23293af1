"""What a tool call ends as: a structured object plus the text a client shows, success or error."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ToolOutcome:
    structured: dict[str, Any]
    text: str
    is_error: bool


def success(structured: dict[str, Any]) -> ToolOutcome:
    # Compact JSON: the same object as structuredContent, for clients that read only text.
    return ToolOutcome(structured, json.dumps(structured, ensure_ascii=False, separators=(",", ":")), False)


def failure(first_line: str, error: dict[str, Any], more: list[str] | None = None) -> ToolOutcome:
    """An isError result whose first line stands alone (clients often show only it)."""
    lines = [first_line, *(more or [])]
    return ToolOutcome({"error": error}, "\n".join(lines), True)
