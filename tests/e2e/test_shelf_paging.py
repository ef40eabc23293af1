"""The Shelf example's own conventions end to end: Link-header pages, an API-key header, the
`{"errors": [...]}` envelope, and auto-paging over numbered pages (which must stop on a page boundary)."""

from __future__ import annotations

import pytest

from ..upstreams.shelf import BOOK_COUNT, KEY, ShelfUpstream
from .apis import SHELF_MANIFEST
from .support import error_of, in_process_client, result_json

pytestmark = pytest.mark.anyio


async def test_following_next_cursor_reads_every_book_once(shelf: ShelfUpstream) -> None:
    seen: list[int] = []
    page = None
    async with in_process_client(shelf, KEY, manifest_path=SHELF_MANIFEST) as client:
        for _ in range(20):  # bounded: 130 books at 40 a page is 4 pages
            arguments = {"per_page": 40, **({"page": page} if page else {})}
            result = result_json(await client.call_tool("list_books", arguments))
            seen += [book["id"] for book in result["items"]]
            page = result["next_cursor"]
            if page is None:
                break
    assert seen == list(range(1, BOOK_COUNT + 1))
    assert [r.query for r in shelf.requests] == ["per_page=40"] + [f"page={n}&per_page=40" for n in (2, 3, 4)]


async def test_auto_paging_stops_on_a_page_boundary_and_says_where_to_resume(shelf: ShelfUpstream) -> None:
    async with in_process_client(shelf, KEY, manifest_path=SHELF_MANIFEST) as client:
        collected = result_json(await client.call_tool("list_books", {"max_items": 75, "per_page": 30}))
        rest = result_json(
            await client.call_tool("list_books", {"per_page": 30, "page": collected["next_cursor"]})
        )
        everything = result_json(await client.call_tool("list_books", {"max_items": 1000}))
    # 75 falls inside page 3: pages 1 and 2 are returned whole, and page 3 is where to go on.
    assert [b["id"] for b in collected["items"]] == list(range(1, 61))
    assert collected["next_cursor"] == 3 and "truncated" in collected
    assert rest["items"][0]["id"] == 61  # nothing skipped, nothing repeated
    # Without a per_page the API's default page size is kept (a page number means nothing without it).
    assert len(everything["items"]) == BOOK_COUNT and everything["next_cursor"] is None
    assert all("per_page" not in r.query for r in shelf.requests[-5:])


async def test_the_error_envelope_and_the_field_reach_the_model(shelf: ShelfUpstream) -> None:
    async with in_process_client(shelf, KEY, manifest_path=SHELF_MANIFEST) as client:
        bad = await client.call_tool("create_book", {"title": "Notes", "author_slug": "nobody"})
        lent = await client.call_tool("lend_book", {"book_id": 5, "borrower": "kim@example.org"})
        again = await client.call_tool("lend_book", {"book_id": 5, "borrower": "lee@example.org"})
    error = error_of(bad)
    assert (error["status"], error["code"], error["details"]) == (
        422,
        "invalid_field",
        {"field": "/author_slug"},
    )
    assert "no author 'nobody'" in error["message"]
    assert result_json(lent)["status"] == "open"
    conflict = error_of(again)
    assert (conflict["status"], conflict["code"]) == (409, "on_loan") and "already on loan" in conflict[
        "message"
    ]
    posts = [r for r in shelf.requests if r.method == "POST"]
    assert len(posts) == 3 and all("idempotency-key" not in r.headers for r in posts)


async def test_a_wrong_key_is_the_apis_401_with_the_manifests_hint(shelf: ShelfUpstream) -> None:
    async with in_process_client(shelf, "shk_wrong_key_0000000000", manifest_path=SHELF_MANIFEST) as client:
        result = await client.call_tool("get_book", {"book_id": 1})
    error = error_of(result)
    assert (error["status"], error["code"]) == (401, "unauthorized")
    assert "SHELF_API_KEY" in error["hint"]
