"""Each semantic and structural rule has its own small broken manifest under tests/manifests/broken/.

A broken file ends with `# expect: LINE:COL RULE | text` lines: the errors it must produce, exactly
(no fewer, no more), each at that place and with that text in its message.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hoursmith_mcp.engine.manifest.loader import check_manifest

MANIFESTS = Path(__file__).parent / "manifests"
BROKEN = sorted((MANIFESTS / "broken").glob("*.yaml"))
_EXPECT = re.compile(r"^# expect: (\d+):(\d+) (\S+) \| (.+)$")


def expectations(path: Path) -> list[tuple[int, int, str, str]]:
    found = []
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _EXPECT.match(line)
        if match:
            found.append((int(match[1]), int(match[2]), match[3], match[4]))
    return found


def test_minimal_manifest_is_valid() -> None:
    checked = check_manifest(MANIFESTS / "minimal.yaml")
    assert checked.problems == []
    assert checked.manifest is not None
    assert [tool.name for tool in checked.manifest.tools] == [
        "list_things",
        "get_thing",
        "create_thing",
        "delete_thing",
    ]


def test_there_is_a_broken_manifest_for_every_rule() -> None:
    from hoursmith_mcp.engine.manifest.lint import RULES
    from hoursmith_mcp.engine.manifest.workflow_lint import WORKFLOW_RULES

    rules_covered = {rule for path in BROKEN for _, _, rule, _ in expectations(path)}
    lint_rules = {
        "unique-name", "name-length", "placeholder", "path-required", "jmespath", "schema-valid",
        "portable-schema", "widening", "argument-collision", "delete", "get", "idempotency", "pagination",
        "toolset", "base-url", "output-schema", "example", "paginated-projection", "auth-header",
        "check", "pattern", "identity", "roles",
    }  # fmt: skip
    prompt_and_resource_rules = {
        "prompt", "prompt-placeholder", "prompt-tool", "prompt-embed",
        "resource", "resource-tool", "resource-arguments",
    }  # fmt: skip
    workflow_rules = {
        "step-ref", "step-tool", "step-id", "function", "lookup", "time-zone", "clock", "fixed",
        "supersede", "workflow", "aggregate",
    }  # fmt: skip
    # A new rule needs its own broken manifest and a name in one of these sets.
    assert len(RULES) == 22 + len(prompt_and_resource_rules)
    assert len(WORKFLOW_RULES) == 11
    covered = lint_rules | prompt_and_resource_rules | workflow_rules
    assert covered | {"schema", "yaml", "duplicate-key"} <= rules_covered


@pytest.mark.parametrize("path", BROKEN, ids=[p.stem for p in BROKEN])
def test_broken_manifest_reports_its_problem_where_it_is(path: Path) -> None:
    expected = expectations(path)
    assert expected, f"{path.name} declares no '# expect:' line"
    checked = check_manifest(path)
    assert checked.manifest is None
    errors = checked.errors
    assert [(p.line, p.column, p.rule) for p in errors] == [
        (line, col, rule) for line, col, rule, _ in expected
    ]
    for problem, (_, _, _, text) in zip(errors, expected, strict=True):
        assert text in problem.message
        assert str(problem).startswith(f"{path}:{problem.line}:{problem.column}: ")


def test_a_tool_without_examples_is_a_warning_not_an_error(tmp_path: Path) -> None:
    text = (MANIFESTS / "minimal.yaml").read_text(encoding="utf-8")
    head, _, _ = text.partition("    examples:\n      - arguments: {limit: 1}")
    rest = text.split("  - name: get_thing", 1)[1]
    manifest = tmp_path / "no-example.yaml"
    manifest.write_text(head + "  - name: get_thing" + rest, encoding="utf-8")
    checked = check_manifest(manifest)
    assert checked.manifest is not None
    assert [(p.severity, p.rule) for p in checked.problems] == [("warning", "example")]
    assert "list_things: no example" in checked.problems[0].message


def test_every_problem_of_a_file_is_reported_in_one_run(tmp_path: Path) -> None:
    broken = (MANIFESTS / "minimal.yaml").read_text(encoding="utf-8")
    broken = broken.replace(
        "path: /things/{thing_id}", "path: /things/{id}"
    )  # two tools lose their placeholder
    broken = broken.replace('projection: "{id: id, name: name}"', 'projection: "{id: id"')
    manifest = tmp_path / "many.yaml"
    manifest.write_text(broken, encoding="utf-8")
    rules = sorted(p.rule for p in check_manifest(manifest).errors)
    assert rules.count("placeholder") == 4  # two {id} without argument, two thing_id without placeholder
    assert "jmespath" in rules


def test_with_identity_a_tool_without_roles_is_a_warning_so_nobody_forgets(tmp_path: Path) -> None:
    text = (Path(__file__).parents[1] / "tools.yaml").read_text(encoding="utf-8")
    forgotten = text.replace("    roles: *staff\n", "", 1)  # the first staff-only tool after list_clients
    assert forgotten != text
    manifest = tmp_path / "tools.yaml"
    manifest.write_text(forgotten, encoding="utf-8")
    checked = check_manifest(manifest)
    assert checked.manifest is not None  # still valid: the tool is listed for every role meanwhile
    warnings = [p for p in checked.problems if p.rule == "roles"]
    assert len(warnings) == 1 and warnings[0].severity == "warning"
    assert warnings[0].message == (
        "get_client: no roles; with api.identity every tool says which roles can use it "
        "(it is listed for every role meanwhile)"
    )


def test_tools_yaml_declares_roles_for_every_tool() -> None:
    checked = check_manifest(Path(__file__).parents[1] / "tools.yaml")
    assert checked.manifest is not None and checked.manifest.api.identity is not None
    assert all(tool.roles for tool in checked.manifest.tools)
    assert not [p for p in checked.problems if p.rule == "roles"]
