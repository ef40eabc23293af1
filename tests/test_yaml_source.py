"""The YAML reader keeps positions, refuses duplicate keys and stays JSON-like."""

from __future__ import annotations

import pytest

from hoursmith_mcp.engine.manifest.problems import ManifestError
from hoursmith_mcp.engine.manifest.yaml_source import load_yaml


def test_positions_of_values_and_keys_are_one_based() -> None:
    data, source = load_yaml("server:\n  name: demo\n", "m.yaml")
    assert data == {"server": {"name": "demo"}}
    assert source.position(("server", "name")) == (2, 9)
    assert source.position(("server", "name"), key=True) == (2, 3)
    assert source.position(("server", "missing", "deeper")) == (2, 3)  # nearest known ancestor


def test_dates_stay_strings_and_keys_keep_their_text() -> None:
    data, _ = load_yaml("due: 2026-03-02\nhints:\n  401: check the token\n", "m.yaml")
    assert data == {"due": "2026-03-02", "hints": {"401": "check the token"}}


def test_merge_keys_work_and_explicit_keys_win() -> None:
    data, _ = load_yaml("base: &b {a: 1, b: 2}\nuse:\n  <<: *b\n  b: 3\n", "m.yaml")
    assert data["use"] == {"a": 1, "b": 3}


def test_every_duplicate_key_is_reported() -> None:
    with pytest.raises(ManifestError) as caught:
        load_yaml("a: 1\nb: 2\na: 3\nc: {x: 1, x: 2}\n", "m.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "m.yaml:3:1: duplicate key 'a' (first defined on line 1) [duplicate-key]",
        "m.yaml:4:11: duplicate key 'x' (first defined on line 4) [duplicate-key]",
    ]


def test_recursive_alias_is_an_error_not_a_hang() -> None:
    with pytest.raises(ManifestError, match="recursive YAML alias"):
        load_yaml("a: &x [*x]\n", "m.yaml")


def test_alias_bomb_is_bounded() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for level in "bcdefgh":
        previous = chr(ord(level) - 1)
        bomb += (
            f"{level}: &{level} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}, "
            f"*{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
        )
    with pytest.raises(ManifestError, match=r"aliases \(\*name\) expand this document by more than"):
        load_yaml(bomb, "m.yaml")


def test_syntax_error_names_line_and_column() -> None:
    with pytest.raises(ManifestError) as caught:
        load_yaml("a:\n  b: [1, 2\n", "m.yaml")
    (problem,) = caught.value.problems
    assert (problem.file, problem.rule) == ("m.yaml", "yaml")
    assert problem.line == 3
    assert "YAML syntax error" in problem.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("server: !foo bar\n", "1:9: cannot read this value"),
        ("server: !!python/name:os.system x\n", "1:9: cannot read this value"),
        ("server: !!int abc\n", "1:9: cannot read this value"),
        ("version: " + "9" * 5000 + "\n", "1:10: cannot read this value"),
        ("x: !!binary aGVsbG8=\n", "1:4: tag:yaml.org,2002:binary values are not JSON"),
        ("x: !!timestamp 2026-01-01\n", "1:4: tag:yaml.org,2002:timestamp values are not JSON"),
    ],
)
def test_values_json_cannot_hold_are_located_problems_not_tracebacks(text: str, expected: str) -> None:
    with pytest.raises(ManifestError) as caught:
        load_yaml(text, "m.yaml")
    (problem,) = caught.value.problems
    assert str(problem).startswith(f"m.yaml:{expected}")
