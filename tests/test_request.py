"""Request building is a pure function: each rule about where an argument goes, tested alone."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import unquote

import pytest

from hoursmith_mcp.engine.calls.request import RequestBuildError, build_request
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.manifest.model import Manifest

BASE = "https://api.example.com/v1"


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return load_manifest(Path(__file__).parent / "manifests" / "minimal.yaml")


def tool(manifest: Manifest, name: str):  # type: ignore[no-untyped-def]
    found = manifest.tool(name)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a/b", "a%2Fb"),
        ("..", None),
        ("../../admin", "..%2F..%2Fadmin"),
        ("x?y=1#z", "x%3Fy%3D1%23z"),
        ("%2e%2e", "%252e%252e"),
        ("https://evil.example/x", "https%3A%2F%2Fevil.example%2Fx"),
        ("ünï cødé", "%C3%BCn%C3%AF%20c%C3%B8d%C3%A9"),
    ],
)
def test_path_values_are_encoded_into_one_segment(
    manifest: Manifest, value: str, encoded: str | None
) -> None:
    if encoded is None:
        with pytest.raises(RequestBuildError, match=r"'thing_id' must not be '\.' or '\.\.'"):
            build_request(tool(manifest, "get_thing"), manifest.api, BASE, {"thing_id": value})
        return
    request = build_request(tool(manifest, "get_thing"), manifest.api, BASE, {"thing_id": value})
    assert request.url == f"{BASE}/things/{encoded}"
    assert unquote(request.url.rsplit("/", 1)[1]) == value


@pytest.mark.parametrize("value", ["", "   ", "."])
def test_empty_and_dot_path_values_are_refused(manifest: Manifest, value: str) -> None:
    with pytest.raises(RequestBuildError, match="thing_id"):
        build_request(tool(manifest, "get_thing"), manifest.api, BASE, {"thing_id": value})


def test_absent_and_empty_query_values_are_not_sent(manifest: Manifest) -> None:
    list_things = tool(manifest, "list_things")
    assert build_request(list_things, manifest.api, BASE, {}).query == ()
    assert build_request(list_things, manifest.api, BASE, {"cursor": "", "limit": None}).query == ()
    assert build_request(list_things, manifest.api, BASE, {"cursor": "c2", "limit": 5}).query == (
        ("limit", "5"),
        ("cursor", "c2"),
    )


def test_body_uses_api_names_and_only_given_arguments(manifest: Manifest) -> None:
    request = build_request(
        tool(manifest, "create_thing"), manifest.api, BASE, {"name": "Two", "color_code": "RED"}
    )
    assert request.body is not None
    assert json.loads(request.body) == {"name": "Two", "colorCode": "RED"}
    assert request.headers["Content-Type"] == "application/json"
    request = build_request(tool(manifest, "create_thing"), manifest.api, BASE, {"name": "Two"})
    assert request.body == b'{"name":"Two"}'


def test_every_post_gets_a_fresh_idempotency_key_and_gets_none(manifest: Manifest) -> None:
    create = tool(manifest, "create_thing")
    keys = {
        build_request(create, manifest.api, BASE, {"name": "x"}).headers["Idempotency-Key"] for _ in range(50)
    }
    assert len(keys) == 50
    get = build_request(tool(manifest, "get_thing"), manifest.api, BASE, {"thing_id": "t1"})
    assert "Idempotency-Key" not in get.headers and get.idempotency_key is None and get.body is None


def test_no_authorization_header_is_built_here(manifest: Manifest) -> None:
    # The token is added by the transport alone, so a request object can be logged without leaking it.
    request = build_request(tool(manifest, "create_thing"), manifest.api, BASE, {"name": "x"})
    assert not any(name.lower() == "authorization" for name in request.headers)


def test_base_path_is_kept_with_or_without_trailing_slash(manifest: Manifest) -> None:
    for base in (BASE, BASE + "/"):
        request = build_request(tool(manifest, "get_thing"), manifest.api, base, {"thing_id": "t1"})
        assert request.url == "https://api.example.com/v1/things/t1"
