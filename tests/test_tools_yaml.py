"""The bundled tools.yaml: valid for a stock JSON Schema validator (what editors and other tools use),
and complete as the contract asks."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from hoursmith_mcp.engine.manifest.loader import check_manifest
from hoursmith_mcp.engine.manifest.model import Manifest

ROOT = Path(__file__).parents[1]
TOOLS_YAML = ROOT / "tools.yaml"
DESTRUCTIVE = {"delete_client", "archive_project", "archive_task", "delete_time_entry", "delete_expense"}


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    checked = check_manifest(TOOLS_YAML)
    assert checked.problems == []  # not even a warning
    assert checked.manifest is not None
    return checked.manifest


def test_a_stock_validator_accepts_tools_yaml_against_the_published_schema() -> None:
    schema = json.loads((ROOT / "schemas" / "manifest.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(
        yaml.safe_load(TOOLS_YAML.read_text(encoding="utf-8")), schema, jsonschema.Draft202012Validator
    )


def test_editors_find_the_schema_from_the_first_line() -> None:
    first = TOOLS_YAML.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=./schemas/manifest.schema.json"
    assert (TOOLS_YAML.parent / "schemas" / "manifest.schema.json").is_file()


def test_every_schema_property_has_a_description() -> None:
    schema = json.loads((ROOT / "schemas" / "manifest.schema.json").read_text(encoding="utf-8"))
    missing: list[str] = []

    def walk(node: object, trail: str) -> None:
        if isinstance(node, dict):
            for name, sub in (node.get("properties") or {}).items():
                if isinstance(sub, dict) and "description" not in sub:
                    target = sub.get("$ref", "").removeprefix("#/$defs/")
                    if not (target and "description" in schema["$defs"].get(target, {})):
                        missing.append(f"{trail}.{name}")
            for key, sub in node.items():
                if key != "if":  # a condition, not a property people write
                    walk(sub, f"{trail}.{key}")

    walk(schema, "$")
    assert missing == []


def test_the_31_tools_of_the_contract_with_exactly_five_destructive(manifest: Manifest) -> None:
    assert len(manifest.tools) == 31
    assert not any(workflow.destructive for workflow in manifest.workflows)
    assert {tool.name for tool in manifest.tools if tool.destructive} == DESTRUCTIVE
    assert all(tool.examples for tool in manifest.tools)
    assert all(tool.title and tool.description for tool in manifest.tools)


def test_list_tools_expose_paging_sorting_and_search(manifest: Manifest) -> None:
    lists = [tool for tool in manifest.tools if tool.name.startswith("list_")]
    assert len(lists) == 7 and all(tool.paginated for tool in lists)
    for tool in lists:
        args = {arg.name: arg for arg in tool.arguments}
        assert args["limit"].schema == {"type": "integer", "minimum": 1, "maximum": 200}, tool.name
        assert args["cursor"].schema["type"] == "string"
        assert args["search"].schema.get("maxLength") == 200, tool.name
        sort = args["sort"].schema["enum"]
        ascending = [value for value in sort if not value.startswith("-")]
        assert "createdAt" in ascending and sorted(sort) == sorted(ascending + [f"-{v}" for v in ascending])


def test_path_ids_are_plain_strings(manifest: Manifest) -> None:
    for tool in manifest.tools:
        for arg in tool.arguments_in("path"):
            assert (
                arg.schema["type"] == "string" and "format" not in arg.schema and "pattern" not in arg.schema
            )
