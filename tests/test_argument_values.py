"""What a model may send beyond an argument's one-type schema, when the manifest says so.

`accept_number`: a string argument (money) also takes a JSON number, sent as its exact decimal text.
`clearable`: an optional body argument cleared with null or "", sent to the API as null.
Both keep the published schemas portable (one type, no anyOf): the engine does the widening.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from hoursmith_mcp.engine.calls.arguments import ArgumentError, check_arguments
from hoursmith_mcp.engine.calls.request import build_request
from hoursmith_mcp.engine.manifest.argument_values import decimal_text
from hoursmith_mcp.engine.manifest.loader import check_manifest_text
from hoursmith_mcp.engine.manifest.model import Manifest, Tool

MANIFEST = """
version: 1
server: {name: demo, version: "1.0"}
api:
  base_url: https://api.example.com/v1
  auth: {scheme: bearer, token_env: DEMO_TOKEN}
  errors: {code: error.code, message: error.message, fields: error.fields}
tools:
- name: update_thing
  description: Change a thing.
  method: PATCH
  path: /things/{thing_id}
  destructive: false
  arguments:
    thing_id: {in: path, schema: {type: string}}
    price:
      in: body
      accept_number: true
      clearable: true
      schema: {type: string, pattern: '^(\\d+(\\.\\d{1,4})?)?$'}
    note: {in: body, api_name: noteText, clearable: true, schema: {type: string}}
    due_date: {in: body, api_name: dueDate, schema: {type: string}}
  examples:
  - name: a number for a money field, null to clear the note
    arguments: {thing_id: t1, price: 12.5, note: null}
    response: {id: t1}
    result: {id: t1}
"""


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    checked = check_manifest_text(MANIFEST, "demo.yaml")
    assert checked.errors == [], checked.errors  # the example's number and null pass validate too
    assert checked.manifest is not None
    return checked.manifest


@pytest.fixture(scope="module")
def update_thing(manifest: Manifest) -> Tool:
    tool = manifest.tool("update_thing")
    assert tool is not None
    return tool


def sent_body(manifest: Manifest, tool: Tool, arguments: dict[str, Any]) -> dict[str, Any]:
    checked = check_arguments(tool, arguments)
    request = build_request(tool, manifest.api, manifest.api.base_url, checked)
    assert request.body is not None
    body: dict[str, Any] = json.loads(request.body)
    return body


@pytest.mark.parametrize(
    ("json_number", "text"),
    [
        ("19.99", "19.99"),
        ("0.1", "0.1"),
        ("150", "150"),
        ("150.0", "150.0"),
        ("1234567.8912", "1234567.8912"),
        ("1e-4", "0.0001"),
        ("2.5E3", "2500.0"),
        ("99999999999.9999", "99999999999.9999"),
    ],
)
def test_a_json_number_is_sent_as_the_decimal_text_it_was_written_as(
    manifest: Manifest, update_thing: Tool, json_number: str, text: str
) -> None:
    value = json.loads(json_number)  # what the MCP layer hands over: a Python int or float
    assert decimal_text(value) == text
    assert sent_body(manifest, update_thing, {"thing_id": "t1", "price": value}) == {"price": text}


def test_the_converted_number_is_still_checked_against_the_schema(update_thing: Tool) -> None:
    with pytest.raises(ArgumentError) as refused:
        check_arguments(update_thing, {"thing_id": "t1", "price": 12.34567})
    assert refused.value.problems == [
        "argument 'price': '12.34567' does not match '^(\\\\d+(\\\\.\\\\d{1,4})?)?$'"
    ]
    with pytest.raises(ArgumentError, match="argument 'price'"):
        check_arguments(update_thing, {"thing_id": "t1", "price": -3})


@pytest.mark.parametrize("value", [True, False, [1], {"a": 1}])
def test_only_numbers_are_converted(update_thing: Tool, value: Any) -> None:
    with pytest.raises(ArgumentError, match="argument 'price'"):
        check_arguments(update_thing, {"thing_id": "t1", "price": value})


def test_an_argument_without_accept_number_refuses_a_number(update_thing: Tool) -> None:
    with pytest.raises(ArgumentError, match="argument 'due_date': 5 is not of type 'string'"):
        check_arguments(update_thing, {"thing_id": "t1", "due_date": 5})


@pytest.mark.parametrize("clear", [None, ""])
def test_null_or_empty_clears_a_clearable_argument(
    manifest: Manifest, update_thing: Tool, clear: Any
) -> None:
    body = sent_body(manifest, update_thing, {"thing_id": "t1", "price": clear, "note": clear})
    assert body == {"price": None, "noteText": None}


def test_null_is_refused_where_the_manifest_does_not_allow_clearing(update_thing: Tool) -> None:
    with pytest.raises(ArgumentError, match="argument 'due_date': None is not of type 'string'"):
        check_arguments(update_thing, {"thing_id": "t1", "due_date": None})


def test_absent_arguments_stay_absent(manifest: Manifest, update_thing: Tool) -> None:
    assert sent_body(manifest, update_thing, {"thing_id": "t1", "due_date": "2026-01-01"}) == {
        "dueDate": "2026-01-01"
    }
