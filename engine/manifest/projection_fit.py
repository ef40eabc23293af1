"""Whether a projection still fits a real answer: the fields it names exist in it.

A renamed upstream field does not make JMESPath fail, it makes it answer null, so a projection that no
longer fits passes silently. Here the expression's plain field paths (`a`, `a.b`, and those inside a
`{key: a.b}` hash) are looked up in the answer: a field that is absent (not merely null) is reported.
Anything else (functions, filters, projections) is not judged.
"""

from __future__ import annotations

from typing import Any

from .projection import compiled


def missing_fields(expression: str, data: Any) -> list[str]:
    """The dotted field paths of `expression` that `data` lacks, e.g. ["data.fullName"]."""
    tree: dict[str, Any] = dict(compiled(expression).parsed)
    return _missing(tree, data, "")


def _missing(node: dict[str, Any], data: Any, trail: str) -> list[str]:
    kind = node.get("type")
    if kind == "field":
        name = str(node["value"])
        return [] if not isinstance(data, dict) or name in data else [f"{trail}{name}"]
    if kind == "subexpression":
        left, right = node["children"]
        missing = _missing(left, data, trail)
        if missing or left.get("type") not in ("field", "subexpression"):
            return missing
        inner = _value(left, data)
        return _missing(right, inner, f"{trail}{_path(left)}.") if isinstance(inner, dict) else []
    if kind == "multi_select_dict":
        return [found for pair in node["children"] for found in _missing(pair["children"][0], data, trail)]
    return []


def _path(node: dict[str, Any]) -> str:
    if node.get("type") == "field":
        return str(node["value"])
    return ".".join(_path(child) for child in node["children"])


def _value(node: dict[str, Any], data: Any) -> Any:
    if node.get("type") == "field":
        return data.get(node["value"]) if isinstance(data, dict) else None
    left, right = node["children"]
    return _value(right, _value(left, data))
