"""Hostile manifests: whatever a manifest holds, checking it is a list of located problems, never a
traceback, and costs time and memory in proportion to the file: nesting, alias expansion (scalars
included), numbers JSON cannot hold, JMESPath nesting, and regular expressions that backtrack."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hoursmith_mcp.engine.calls.arguments import ArgumentError, check_arguments
from hoursmith_mcp.engine.manifest.loader import CheckedManifest, check_manifest_text
from hoursmith_mcp.engine.manifest.patterns import MAX_PATTERN_SUBJECT, pattern_problem

MINIMAL = (Path(__file__).parent / "manifests" / "minimal.yaml").read_text(encoding="utf-8")
FILE = "hostile.yaml"


def checked(text: str) -> CheckedManifest:
    return check_manifest_text(text, FILE)


def errors_of(text: str) -> list[str]:
    return [str(problem) for problem in checked(text).errors]


def with_instructions(value: str) -> str:
    return MINIMAL.replace("instructions: A tiny demo API.", f"instructions: {value}")


def with_schema(schema: str) -> str:
    """The create_thing tool's `name` argument with this schema."""
    return MINIMAL.replace(
        "name: {in: body, required: true, schema: {type: string}}",
        f"name: {{in: body, required: true, schema: {schema}}}",
    )


def many_tools(count: int, description: str) -> str:
    """A valid manifest of `count` GET tools, each described by `description` (an alias, say)."""
    tools = "".join(
        f"  - name: t{index}\n    description: {description}\n    method: GET\n    path: /t{index}\n"
        "    destructive: false\n    arguments: {}\n"
        "    examples: [{arguments: {}, response: {}, result: {}}]\n"
        for index in range(count)
    )
    return (
        "version: 1\nserver: {name: demo, version: '1'}\n"
        "api:\n  base_url: https://api.example.com\n  auth: {scheme: bearer, token_env: T}\n"
        f"  errors: {{code: error.code, message: error.message}}\ntools:\n{tools}"
    )


def anchored_first(text: str, alias: str, definition: str) -> str:
    """The first use of `*alias` replaced by the anchor's definition."""
    return text.replace(f"*{alias}", f"&{alias} {definition}", 1)


BLOCK_NESTING = "\n".join(f"{'  ' * level}k{level}:" for level in range(300)) + " x\n"


@pytest.mark.parametrize(
    "text",
    [
        with_instructions("[" * 1000 + "]" * 1000),  # 1 KB of brackets (libyaml's own limit is 1,000)
        with_instructions("[" * 500 + "]" * 500),
        MINIMAL.replace(
            "response: {data: {id: t1, name: One, orgId: o1}}", "response: " + "[" * 200 + "]" * 200
        ),
        with_schema("{type: string, x: " + "{a: " * 120 + "1" + "}" * 120 + "}"),
        "[" * 1000 + "]" * 1000,
        BLOCK_NESTING,
    ],
    ids=["1KB-of-brackets", "500-deep", "deep-example", "deep-schema", "bare-brackets", "deep-blocks"],
)
def test_deep_nesting_is_a_located_problem(text: str) -> None:
    errors = errors_of(text)
    assert errors, "accepted"
    assert any(
        "nested deeper than 64 levels" in error or "exceeded maximum nesting depth" in error
        for error in errors
    )
    for error in errors:
        file, line, column, _ = error.split(":", 3)
        assert file == FILE and int(line) >= 1 and int(column) >= 1


def test_validate_serve_and_call_say_it_without_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text(with_instructions("[" * 900 + "]" * 900), encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", ""), "DEMO_TOKEN": "x" * 20}
    for args, code in (
        (["validate", str(path)], 1),
        (["--manifest", str(path)], 2),
        (["tools", "--manifest", str(path)], 2),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "hoursmith_mcp", *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        output = run.stdout + run.stderr
        assert run.returncode == code, output
        assert "Traceback" not in output and "RecursionError" not in output
        assert f"{path}:7:" in output and "nested deeper than 64 levels" in output


def peak_rss_of_validate(path: Path) -> tuple[int, str]:
    """The peak RSS (KiB) of `validate PATH`, measured by a parent of its own (no other children)."""
    probe = (
        "import resource, subprocess, sys\n"
        "command = [sys.executable, '-m', 'hoursmith_mcp', 'validate', sys.argv[1]]\n"
        "run = subprocess.run(command, capture_output=True, text=True)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "print(run.stdout + run.stderr)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=300, check=True
    )
    peak, _, output = run.stdout.partition("\n")
    return int(peak), output


def test_aliases_of_a_large_scalar_are_refused_before_they_cost_memory(tmp_path: Path) -> None:
    """A valid manifest whose 1,000 tools alias one 100 KB description: 100 MB once expanded."""
    text = anchored_first(many_tools(1000, "*big"), "big", "x" * 100_000)
    path = tmp_path / "aliases.yaml"
    path.write_text(text, encoding="utf-8")
    assert len(text) < 400_000
    problems = errors_of(text)
    assert len(problems) == 1 and "aliases (*name) expand this document by more than" in problems[0]
    peak_kib, output = peak_rss_of_validate(path)
    print(
        f"\nvalidate of a {len(text):,}-byte file whose aliases expand to 100 MB: peak RSS {peak_kib:,} KiB"
    )
    assert "aliases (*name) expand" in output
    assert peak_kib < 150 * 1024  # the interpreter and jsonschema, not the expansion


def test_ordinary_aliases_are_unaffected() -> None:
    text = anchored_first(many_tools(50, "*shared"), "shared", "Shared words.")
    assert checked(text).manifest is not None, errors_of(text)


def merging(copies: int) -> str:
    """An argument whose properties merge (`<<`) another's 2,000 properties `copies` times."""
    keys = ", ".join(f"k{index}: {{type: string}}" for index in range(2000))
    merged = "[" + ", ".join(["*many"] * copies) + "]"
    return with_schema(f"{{type: object, properties: &many {{{keys}}}}}").replace(
        "      color_code:",
        f"      other: {{in: body, schema: {{type: object, properties: {{<<: {merged}}}}}}}\n"
        "      color_code:",
    )


def test_a_merge_key_bomb_is_counted_before_it_is_expanded() -> None:
    assert not any("aliases (*name)" in error for error in errors_of(merging(1)))
    assert any("aliases (*name) expand" in error for error in errors_of(merging(3000)))


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (".inf", "not a JSON number"),
        ("-.Inf", "not a JSON number"),
        (".nan", "not a JSON number"),
        ("1.0e+400", "not a JSON number"),
        ("1" + "0" * 500, "more than 400 digits"),
    ],
)
def test_numbers_json_cannot_hold_are_located_problems(value: str, reason: str) -> None:
    errors = errors_of(with_schema(f"{{type: string, maxLength: {value}}}"))
    assert any(reason in error and error.startswith(f"{FILE}:") for error in errors), errors


@pytest.mark.parametrize(
    "expression", ["(" * 600 + "data" + ")" * 600, "data" + " | data" * 2000], ids=["parentheses", "pipes"]
)
def test_a_jmespath_expression_nested_too_deeply_is_a_located_problem(expression: str) -> None:
    text = MINIMAL.replace('projection: "data.{id: id, name: name}"', f'projection: "{expression}"', 1)
    errors = errors_of(text)
    assert any("[jmespath]" in error and "nests too deeply" in error for error in errors), errors


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("^(a+)+$", "repeats a repetition"),
        ("^(a|aa)+$", "repeats an alternation"),
        ("^(\\\\d{1,9})+$", "repeats a repetition"),
        ("^(a)\\\\1$", "backreference"),
        ("\\\\d+\\\\d+", "without a leading ^"),
        ("^\\\\d+\\\\d+\\\\d+$", "3 unbounded repetitions in a row"),
        ("(", "not a valid regular expression"),
    ],
)
def test_a_pattern_that_may_backtrack_for_long_is_refused(pattern: str, reason: str) -> None:
    errors = errors_of(with_schema(f'{{type: string, pattern: "{pattern}"}}'))
    assert any("[pattern]" in error and reason in error for error in errors), errors


def test_pattern_properties_are_refused() -> None:
    errors = errors_of(with_schema("{type: object, patternProperties: {'^a': {type: string}}}"))
    assert any("patternProperties is not supported" in error for error in errors), errors


def test_a_backtracking_default_does_not_hang_validate() -> None:
    """The default is checked against its schema before the pattern rule speaks: it must not run."""
    text = with_schema('{type: string, pattern: "^(a+)+$"}').replace(
        "name: {in: body, required: true,", f"name: {{in: body, default: {'a' * 40}!,"
    )
    errors = errors_of(text)
    assert any("repeats a repetition" in error for error in errors), errors


def test_patterns_tools_yaml_and_ordinary_manifests_use_are_accepted() -> None:
    accepted = [
        "^\\d+(\\.\\d{1,4})?$",
        "^[A-Za-z]{3}$",
        "^\\d{4}-\\d{2}-\\d{2}",
        "^(\\d{1,3}\\.){3}\\d{1,3}$",
        "^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$",
        "^(?:[a-z]|[0-9])+$",
        "^([^@\\s]+@[^@\\s]+\\.[^@\\s]+)?$",  # tools.yaml's email: '@' separates the runs
        "^\\w+\\s\\w+\\s\\w+$",
    ]
    for pattern in accepted:
        assert pattern_problem(pattern) is None, pattern


def test_a_pattern_is_run_on_at_most_the_subject_limit() -> None:
    manifest = checked(with_schema('{type: string, pattern: "^[A-Za-z]+$"}')).manifest
    assert manifest is not None
    tool = manifest.tool("create_thing")
    assert tool is not None
    assert check_arguments(tool, {"name": "a" * MAX_PATTERN_SUBJECT})["name"]
    with pytest.raises(ArgumentError) as refused:
        check_arguments(tool, {"name": "a" * (MAX_PATTERN_SUBJECT + 1)})
    assert refused.value.problems == [
        f"argument 'name': is {MAX_PATTERN_SUBJECT + 1:,} characters long; text is checked against a "
        f"pattern up to {MAX_PATTERN_SUBJECT:,} characters"
    ]
    json.dumps(refused.value.problems)
