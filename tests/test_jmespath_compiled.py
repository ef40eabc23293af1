"""The compiled JMESPath closures give jmespath's own results, for every expression and value.

Checked against `jmespath.search` on: every expression tools.yaml holds, a hand-picked list reaching every
node kind, and generated expressions, each on generated JSON whose keys are the ones the expression
names (so fields are found as well as missed). Results are compared with their types (True is not 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jmespath
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.manifest.projection import evaluator, shape_success

ROOT = Path(__file__).resolve().parent.parent
KEYS = ["a", "b", "c", "id", "data", "name", "entryDate", "x y"]

HAND_PICKED = [
    "a",
    "a.b.c",
    '"x y"',
    "@",
    "a[0]",
    "a[-1].b",
    "a[1:3]",
    "a[::-1]",
    "a[*]",
    "a[*].b",
    "a[*].{id: id, n: name}",
    "a[].b",
    "a[]",
    "a[][]",
    "*.b",
    "*",
    "a.*.c",
    "{id: id, name: name, nested: a.b, first: data[0], lit: `3`}",
    "{id: id, id: name}",
    "[id, name, a.b]",
    "a || b",
    "a && b",
    "!a",
    "a | b",
    "data[*] | [0]",
    "`null`",
    '`[1, true, "s"]`',
    "data[?a == `1`].b",
    "data[?a > `1`]",
    "length(data)",
    "a.[b, c]",
    "a.{b: b}",
    "data[*].{id: id, tags: c[*].name}",
    '{a: a || `"none"`, b: !b}',
]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=False)
    | st.sampled_from(["", "s", "1"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5),
    max_leaves=25,
)


def same(left: Any, right: Any) -> bool:
    """Equal with types: 1 == True in Python, but not in a JSON answer."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


def manifest_expressions() -> list[str]:
    manifest = load_manifest(ROOT / "tools.yaml")
    found = {tool.projection for tool in manifest.tools if tool.projection}
    api = manifest.api
    found |= {api.errors.code, api.errors.message, *(e for e in (api.errors.fields, api.errors.details) if e)}
    if api.pagination:
        found |= {api.pagination.items, api.pagination.next_cursor}
    return sorted(found)


def check(expression: str, value: Any) -> None:
    try:
        expected: Any = jmespath.search(expression, value)
    except jmespath.exceptions.JMESPathError as exc:
        with pytest.raises(type(exc)):
            evaluator(expression)(value)
        return
    assert same(evaluator(expression)(value), expected), (expression, value)


def test_tools_yaml_has_expressions_to_check() -> None:
    assert len(manifest_expressions()) >= 15


@pytest.mark.parametrize("expression", manifest_expressions() + HAND_PICKED)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=json_values)
def test_same_result_as_jmespath(expression: str, value: Any) -> None:
    check(expression, value)


@pytest.mark.parametrize("expression", manifest_expressions())
def test_tools_yaml_projections_on_matching_records(expression: str) -> None:
    """Records that hold every field the expression names (generated data mostly misses them)."""
    names = [token.strip("{}[],*.") for token in expression.replace(":", " ").split()]
    record = {name: f"value of {name}" for name in names if name.isidentifier()}
    check(expression, record)
    check(expression, {"data": record, "error": record, "pagination": {"nextCursor": "c"}})
    check(expression, {"data": [record, None, record]})


fields = st.sampled_from(KEYS[:5]).map(lambda k: k)


def _combine(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(inner, fields).map(lambda t: f"{t[0]}.{t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} | {t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} || {t[1]}"),
        st.tuples(inner, inner).map(lambda t: f"{t[0]} && {t[1]}"),
        inner.map(lambda e: f"{e}[*]"),
        inner.map(lambda e: f"{e}[]"),
        inner.map(lambda e: f"({e})[0]"),
        inner.map(lambda e: f"!({e})"),
        st.tuples(inner, fields).map(lambda t: f"{t[0]}[*].{t[1]}"),
        st.lists(st.tuples(fields, inner), min_size=1, max_size=3).map(
            lambda pairs: "{" + ", ".join(f"{k}: {e}" for k, e in pairs) + "}"
        ),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    )


expressions = st.recursive(fields | st.just("@"), _combine, max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(expression=expressions, value=json_values)
def test_generated_expressions_same_result_as_jmespath(expression: str, value: Any) -> None:
    check(expression, value)


def test_shape_success_projects_each_record_as_jmespath_does() -> None:
    manifest = load_manifest(ROOT / "tools.yaml")
    tool = manifest.tool("list_time_entries")
    assert tool is not None and tool.projection and manifest.api.pagination
    records = [
        {"id": f"e{i}", "entryDate": "2026-03-02", "durationSeconds": 60 * i, "note": None, "extra": i}
        for i in range(200)
    ]
    body = {"data": [*records, None, "not a record"], "pagination": {"nextCursor": "n1", "limit": 200}}
    result = shape_success(tool, manifest.api.pagination, 200, body, {})
    expected = [jmespath.search(tool.projection, record) for record in body["data"]]
    assert same(result["items"], expected)
    assert result["next_cursor"] == "n1"
