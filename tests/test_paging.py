"""Where the next page is, for each list convention: a cursor in the body, a page number, a Link header."""

from __future__ import annotations

from typing import Any

import pytest

from hoursmith_mcp.engine.manifest.model import PageStyle, Pagination, build_manifest
from hoursmith_mcp.engine.manifest.paging import next_link_target
from hoursmith_mcp.engine.manifest.projection import next_position


def tool_with(page_schema: dict[str, Any]) -> Any:
    auth = {"scheme": "bearer", "token_env": "T"}
    size = {"in": "query", "api_name": "per_page", "schema": {"type": "integer"}}
    data = {
        "server": {"name": "demo", "version": "1"},
        "api": {"base_url": "https://x.example", "auth": auth, "errors": {"code": "c", "message": "m"}},
        "tools": [
            {
                "name": "list_things", "description": "d", "method": "GET", "path": "/things",
                "destructive": False, "paginated": True,
                "arguments": {"page": {"in": "query", "schema": page_schema}, "size": size},
            }
        ],
    }  # fmt: skip
    return build_manifest(data, "t.yaml").tools[0]


def pagination(style: PageStyle, **more: Any) -> Pagination:
    return Pagination(
        items="@",
        next_cursor=more.pop("next_cursor", None),
        cursor_param="page",
        limit_param="per_page",
        style=style,
        **more,
    )


@pytest.mark.parametrize(
    ("header", "target"),
    [
        (
            '<https://a.example/x?page=2>; rel="next", <https://a.example/x?page=9>; rel="last"',
            "https://a.example/x?page=2",
        ),
        (
            '<https://a.example/x?page=9>; rel="last", <https://a.example/x?page=3>; rel=next',
            "https://a.example/x?page=3",
        ),
        ('<https://a.example/x?page=1>; rel="prev first"', None),
        ('<https://a.example/x?page=4>; title="a, b"; rel="next"', "https://a.example/x?page=4"),
        ("", None),
        ("garbage <<>>; rel", None),
    ],
)
def test_the_next_link_is_found_among_others(header: str, target: str | None) -> None:
    assert next_link_target(header) == target


def test_link_style_takes_only_the_page_value_typed_as_the_argument() -> None:
    link = {"link": '<https://evil.example/other?page=7&token=x>; rel="next"'}
    assert next_position(pagination("link"), tool_with({"type": "integer"}), [1], [1], link, {}) == 7
    assert next_position(pagination("link"), tool_with({"type": "string"}), [1], [1], link, {}) == "7"
    assert next_position(pagination("link"), tool_with({"type": "integer"}), [1], [1], {}, {}) is None


def test_page_style_counts_up_while_has_more_holds() -> None:
    style = pagination("page", has_more="meta.page < meta.pages")
    tool = tool_with({"type": "integer", "minimum": 1})
    assert next_position(style, tool, [1], {"meta": {"page": 1, "pages": 3}}, {}, {}) == 2
    assert next_position(style, tool, [1], {"meta": {"page": 3, "pages": 3}}, {}, {"page": 3}) is None


def test_page_style_without_has_more_goes_on_while_pages_come_back_full() -> None:
    style = pagination("page")
    zero_based = tool_with({"type": "integer", "minimum": 0})
    assert next_position(style, zero_based, [1, 2], [1, 2], {}, {"size": 2}) == 1  # first page is 0
    assert next_position(style, zero_based, [1], [1], {}, {"size": 2, "page": 4}) is None
    assert next_position(style, zero_based, [], [], {}, {"page": 4}) is None
    assert next_position(style, zero_based, [1], [1], {}, {"page": 4}) == 5
