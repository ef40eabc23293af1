"""Setting one member of a JSON-with-comments text changes that member and nothing else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoursmith_mcp.engine.commands.jsonc import JsoncError, loads, set_member

KEYS = st.text(alphabet="abcdefgh_ /*\\\"'é", min_size=1, max_size=6)
SCALARS = st.none() | st.booleans() | st.integers(-(10**6), 10**6) | st.text(max_size=8)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


def commented(document: dict[str, Any], indent: int) -> str:
    """The document as a person's file: a header comment, comments between members, trailing commas."""
    lines = json.dumps(document, indent=indent, ensure_ascii=False).split("\n")
    out = ["// settings, by hand", "/* more */"]
    for line in lines:
        stripped = line.rstrip()
        out.append(stripped)
        if stripped.endswith(("{", "[")):
            out.append(" " * indent + "// a comment")
    return "\n".join(out) + "\n"


@settings(max_examples=200, deadline=None)
@given(
    document=st.dictionaries(KEYS, VALUES, max_size=4),
    path=st.lists(KEYS, min_size=1, max_size=3),
    value=VALUES,
    indent=st.sampled_from([2, 4]),
)
def test_set_member_changes_that_member_and_keeps_the_rest(
    document: dict[str, Any], path: list[str], value: Any, indent: int
) -> None:
    text = commented(document, indent)
    expected = json.loads(json.dumps(document))
    node = expected
    for key in path[:-1]:
        if not isinstance(node.get(key, {}), dict):
            with pytest.raises(JsoncError):
                set_member(text, tuple(path), value)
            return
        node = node.setdefault(key, {})
    node[path[-1]] = value
    edited = set_member(text, tuple(path), value)
    assert loads(edited) == expected
    kept = [line for line in text.split("\n") if line.strip().startswith(("//", "/*"))]
    assert [line for line in edited.splitlines() if line.strip().startswith(("//", "/*"))][
        : len(kept)
    ] or not kept
    for comment in kept:
        assert comment in edited


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "1:2: the file ends before its JSON is complete"),
        ('{"a" 1}', "1:6: expected : after the key 'a'"),
        ("{/* never closed", "1:2: a /* comment is never closed"),
        ('{"a": tru}', "1:7: expected a JSON value"),
        ('{"a": "x\\q"}', "1:7: a string is not closed or has a bad escape"),
        ("{a: 1}", "1:2: expected a quoted key or }"),
    ],
)
def test_a_broken_file_is_refused_at_its_place(text: str, message: str) -> None:
    with pytest.raises(JsoncError) as caught:
        loads(text)
    assert str(caught.value).startswith(message)


def test_a_one_line_object_gets_the_member_on_a_line_of_its_own() -> None:
    assert set_member('{"a": 1}', ("b",), 2) == '{\n  "b": 2,\n  "a": 1}'
    assert set_member("", ("s", "x"), True) == '{\n  "s": {\n    "x": true\n  }\n}\n'
