"""Hypothesis strategies for the portable JSON Schema subset tools.yaml uses (no extra dependency)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from hoursmith_mcp.engine.manifest.model import Tool

JSON_SCALARS = (
    st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.floats(allow_nan=False) | st.text()
)
ANY_JSON = st.recursive(
    JSON_SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)


def for_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(schema.get("minimum", -(10**6)), schema.get("maximum", 10**6))
    if kind == "number":
        return st.floats(schema.get("minimum", -1e6), schema.get("maximum", 1e6), allow_nan=False)
    if kind == "array":
        return st.lists(for_schema(schema.get("items", {})), max_size=3)
    if kind == "string":
        if "pattern" in schema:
            return st.from_regex(schema["pattern"], fullmatch=True)
        if schema.get("format") == "date":
            return st.dates().map(lambda d: d.isoformat())
        if schema.get("format") == "date-time":
            return st.datetimes(timezones=st.just(__import__("datetime").UTC)).map(lambda d: d.isoformat())
        if schema.get("format") == "email":
            return st.emails()
        return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 40), 40))
    return ANY_JSON


def valid_arguments(tool: Tool) -> st.SearchStrategy[dict[str, Any]]:
    required = {arg.name: for_schema(arg.schema) for arg in tool.arguments if arg.required}
    optional = {arg.name: for_schema(arg.schema) for arg in tool.arguments if not arg.required}
    return st.fixed_dictionaries(required, optional=optional)


def any_arguments(tool: Tool) -> st.SearchStrategy[dict[str, Any]]:
    """Objects that may or may not fit: known names with any JSON, and unknown names."""
    names = [arg.name for arg in tool.arguments] + ["bogus", ""]
    return st.dictionaries(st.sampled_from(names) | st.text(max_size=8), ANY_JSON, max_size=5)
