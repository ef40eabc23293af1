"""Arguments JSON cannot carry never reach the wire: NaN, infinity (1e400 and 5,000-digit integers read as
infinity), undecodable text, nesting past the bound, a URL past what the HTTP client sends. Each is
refused before anything is sent, naming the argument; only valid JSON goes upstream."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from hoursmith_mcp.engine.calls.request import RequestBuildError, build_request

from .conftest import fixture_runner
from .fixture_upstream import FixtureUpstream, Reply
from .test_transport import call

pytestmark = pytest.mark.anyio


def deep(levels: int) -> Any:
    value: Any = "x"
    for _ in range(levels):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("tool", "arguments", "named", "reason"),
    [
        ("create_thing", {"name": math.nan}, "name", "NaN and infinity are not JSON numbers"),
        ("create_thing", {"name": math.inf}, "name", "NaN and infinity"),
        ("create_thing", {"name": {"nested": [1, -math.inf]}}, "name", "NaN and infinity"),
        ("list_things", {"limit": math.inf}, "limit", "NaN and infinity"),
        ("get_thing", {"thing_id": "a\udc80b"}, "thing_id", "not Unicode"),
        ("create_thing", {"name": "\ud800"}, "name", "not Unicode"),
        ("create_thing", {"name": {"k\udfff": 1}}, "name", "not Unicode"),
        ("create_thing", {"name": deep(150)}, "name", "nested deeper than 100 levels"),
        ("get_thing", {"thing_id": "x" * 70_000}, "thing_id", "a URL holds at most 65,536"),
        ("list_things", {"cursor": "%" * 30_000}, "cursor", "a URL holds at most 65,536"),
    ],
    ids=[
        "nan",
        "inf",
        "nested-inf",
        "inf-query",
        "surrogate-path",
        "surrogate-body",
        "surrogate-key",
        "deep",
        "long-path",
        "long-query",
    ],
)
async def test_an_argument_json_cannot_carry_is_refused_by_name_and_nothing_is_sent(
    fixture_upstream: FixtureUpstream, tool: str, arguments: dict[str, Any], named: str, reason: str
) -> None:
    fixture_upstream.reset(lambda request: Reply(200, {"data": {"id": "t1"}}))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, tool, arguments)
    assert outcome.is_error and outcome.structured["error"]["code"] == "invalid_arguments"
    first = outcome.text.splitlines()[0]
    assert f"argument '{named}'" in first and reason in first, first
    assert fixture_upstream.requests == []
    json.dumps(outcome.structured, allow_nan=False)
    outcome.text.encode("utf-8")


async def test_large_but_finite_numbers_are_sent_as_valid_json(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(lambda request: Reply(201, {"data": {"id": "t2", "name": "x"}}))
    async with fixture_runner(fixture_upstream) as runner:
        await call(runner, "list_things", {"limit": 10**30})
    [sent] = fixture_upstream.requests
    assert sent.target.endswith("limit=1000000000000000000000000000000")


def test_a_body_is_serialised_as_strict_json() -> None:
    """The last gate, should a non-finite number get past the argument check."""
    from hoursmith_mcp.engine.manifest.loader import load_manifest

    from .conftest import FIXTURE_MANIFEST

    manifest = load_manifest(FIXTURE_MANIFEST)
    tool = manifest.tool("create_thing")
    assert tool is not None
    with pytest.raises(RequestBuildError, match="NaN or infinite"):
        build_request(tool, manifest.api, "https://api.example.com/v1", {"name": math.nan})
