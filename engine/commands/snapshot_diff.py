"""The differences between two snapshots of what clients see, in words that name the tool (or prompt,
resource) and the argument: "tool list_clients: argument 'limit' changed: maximum 200 -> 100"."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_KINDS = {
    "tools": "tool",
    "prompts": "prompt",
    "resources": "resource",
    "resource_templates": "resource template",
}


@dataclass(frozen=True)
class Change:
    section: str  # "server", "tools", "prompts", ...
    name: str | None  # the tool's (prompt's, resource's) name; None for the server
    text: str


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    changes = [
        Change("server", None, f"server {text}")
        for text in _differences(old.get("server"), new.get("server"))
    ]
    for section, kind in _KINDS.items():
        before, after = old.get(section) or {}, new.get(section) or {}
        for name in before:
            if name not in after:
                changes.append(Change(section, name, f"{kind} {name}: removed"))
        for name, entry in after.items():
            if name not in before:
                changes.append(Change(section, name, f"{kind} {name}: added"))
            elif before[name] != entry:
                changes += [Change(section, name, f"{kind} {name}: {t}") for t in _entry(before[name], entry)]
    return changes


def _entry(old: dict[str, Any], new: dict[str, Any]) -> Iterator[str]:
    """A tool's (or prompt's) changes, with arguments named one by one."""
    old_args, new_args = _arguments(old), _arguments(new)
    for name in old_args:
        if name not in new_args:
            yield f"argument {name!r} removed"
    for name, spec in new_args.items():
        if name not in old_args:
            yield f"argument {name!r} added: {_short(spec)}"
        elif old_args[name] != spec:
            for text in _differences(old_args[name], spec):
                yield f"argument {name!r} changed: {text}"
    old_required, new_required = _required(old), _required(new)
    for name in sorted(new_required - old_required):
        yield f"argument {name!r} is now required"
    for name in sorted(old_required - new_required):
        yield f"argument {name!r} is no longer required"
    rest_old = {k: v for k, v in old.items() if k not in ("inputSchema", "arguments")}
    rest_new = {k: v for k, v in new.items() if k not in ("inputSchema", "arguments")}
    yield from _differences(rest_old, rest_new)
    schema_old = {
        k: v for k, v in (old.get("inputSchema") or {}).items() if k not in ("properties", "required")
    }
    schema_new = {
        k: v for k, v in (new.get("inputSchema") or {}).items() if k not in ("properties", "required")
    }
    yield from (f"inputSchema {text}" for text in _differences(schema_old, schema_new))


def _arguments(entry: dict[str, Any]) -> dict[str, Any]:
    if "inputSchema" in entry:
        return dict((entry["inputSchema"] or {}).get("properties") or {})
    arguments = entry.get("arguments")
    return {
        name: {k: v for k, v in spec.items() if k != "required"} for name, spec in (arguments or {}).items()
    }


def _required(entry: dict[str, Any]) -> set[str]:
    if "inputSchema" in entry:
        return set((entry["inputSchema"] or {}).get("required") or [])
    return {name for name, spec in (entry.get("arguments") or {}).items() if spec.get("required")}


def _differences(old: Any, new: Any, trail: str = "") -> Iterator[str]:
    """Leaf by leaf: `annotations.destructiveHint: false -> true`, `description changed`."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            here = f"{trail}.{key}" if trail else str(key)
            if key not in new:
                yield f"{here} removed (was {_short(old[key])})"
            elif key not in old:
                yield f"{here} added: {_short(new[key])}"
            elif old[key] != new[key]:
                yield from _differences(old[key], new[key], here)
        return
    if old == new:
        return
    where = trail or "value"
    if isinstance(old, str) and isinstance(new, str) and max(len(old), len(new)) > 60:
        yield f"{where} changed"
        return
    yield f"{where}: {_short(old)} -> {_short(new)}"


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= limit else text[: limit - 1] + "…"
