"""The `checks:` of a tool: the live calls `check-live` makes, and the "$TOOL:EXPRESSION" references
by which a check takes an id from another tool's live result (so checks work on any upstream)."""

from __future__ import annotations

import re
from typing import Any

REFERENCE = re.compile(r"^\$([a-z][a-z0-9_]*):(.+)$", re.DOTALL)


def reference(value: Any) -> tuple[str, str] | None:
    """(tool, JMESPath) when `value` is a "$TOOL:EXPRESSION" reference, else None."""
    if not isinstance(value, str):
        return None
    match = REFERENCE.match(value)
    return (match[1], match[2]) if match else None
