"""Retries tied to safety, bounded answers, redirects and cancellation, against a fixture upstream."""

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import pytest

from hoursmith_mcp.engine.calls.outcome import ToolOutcome
from hoursmith_mcp.engine.calls.tool_call import SilentReporter, ToolRunner

from ..token_forms import leaks, spellings
from .conftest import CANARY, fixture_runner
from .fixture_upstream import DROP, HANG, FixtureUpstream, Recorded, Reply, Trickle

pytestmark = pytest.mark.anyio


def sequence(*replies: Reply | str) -> Any:
    """A handler answering with each reply in turn (the last one repeats)."""
    queue = list(replies)

    def handler(request: Recorded) -> Reply | str:
        return queue.pop(0) if len(queue) > 1 else queue[0]

    return handler


async def call(runner: ToolRunner, tool: str, arguments: dict[str, Any]) -> ToolOutcome:
    spec = runner.manifest.tool(tool)
    assert spec is not None
    return await runner.call(spec, arguments, SilentReporter())


OK = Reply(200, {"data": {"id": "t1", "name": "One"}})
CREATED = Reply(201, {"data": {"id": "t2", "name": "Two"}})


def error(status: int, code: str = "internal", **headers: str) -> Reply:
    return Reply(status, {"error": {"code": code, "message": f"{code} happened"}}, headers)


async def test_get_retries_5xx_then_succeeds(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(sequence(error(503), error(500), OK))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert not outcome.is_error and outcome.structured == {"id": "t1", "name": "One"}
    assert len(fixture_upstream.requests) == 3


async def test_post_retries_with_the_same_key_and_byte_identical_body(
    fixture_upstream: FixtureUpstream,
) -> None:
    fixture_upstream.reset(sequence(error(500), DROP, CREATED))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "create_thing", {"name": "Two ünï"})
    assert not outcome.is_error, outcome.text
    first, second, third = fixture_upstream.requests
    assert (
        first.headers["idempotency-key"]
        == second.headers["idempotency-key"]
        == third.headers["idempotency-key"]
    )
    assert first.body == second.body == third.body == '{"name":"Two ünï"}'.encode()


async def test_two_calls_never_share_a_key(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(sequence(CREATED))
    async with fixture_runner(fixture_upstream) as runner:
        await call(runner, "create_thing", {"name": "a"})
        await call(runner, "create_thing", {"name": "a"})
    keys = {request.headers["idempotency-key"] for request in fixture_upstream.requests}
    assert len(keys) == 2


@pytest.mark.parametrize("tool", ["update_thing", "delete_thing"])
async def test_patch_and_delete_are_not_retried_after_a_5xx(
    fixture_upstream: FixtureUpstream, tool: str
) -> None:
    fixture_upstream.reset(sequence(error(500), OK))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(
            runner, tool, {"thing_id": "t1", **({"name": "x"} if tool == "update_thing" else {})}
        )
    assert outcome.is_error and outcome.structured["error"]["status"] == 500
    assert len(fixture_upstream.requests) == 1


@pytest.mark.parametrize("tool", ["update_thing", "delete_thing"])
async def test_a_lost_write_is_reported_as_unknown_not_retried(
    fixture_upstream: FixtureUpstream, tool: str
) -> None:
    fixture_upstream.reset(sequence(DROP))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, tool, {"thing_id": "t1"})
    assert len(fixture_upstream.requests) == 1
    error_ = outcome.structured["error"]
    assert outcome.is_error and error_["code"] == "upstream_connection" and error_["outcome_unknown"] is True
    # Both are idempotent in effect: the model is told a repeat is safe (a repeated DELETE may then say 404).
    assert "repeating this call is safe" in outcome.text


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 422])
async def test_other_4xx_are_answers_never_retried(fixture_upstream: FixtureUpstream, status: int) -> None:
    fixture_upstream.reset(sequence(error(status, "nope")))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert outcome.is_error and outcome.text.startswith(f"{status} nope: nope happened")
    assert len(fixture_upstream.requests) == 1


async def test_429_waits_retry_after_then_retries_any_method(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(sequence(error(429, "rate_limited", **{"Retry-After": "1"}), OK))
    async with fixture_runner(fixture_upstream) as runner:
        started = time.monotonic()
        outcome = await call(runner, "update_thing", {"thing_id": "t1", "name": "x"})
        waited = time.monotonic() - started
    assert not outcome.is_error
    assert len(fixture_upstream.requests) == 2
    assert waited >= 0.9  # it slept the Retry-After second before retrying


async def test_429_beyond_the_cap_is_answered_at_once_with_the_wait(
    fixture_upstream: FixtureUpstream,
) -> None:
    fixture_upstream.reset(sequence(error(429, "rate_limited", **{"Retry-After": "120"})))
    async with fixture_runner(fixture_upstream) as runner:
        with anyio.fail_after(2):
            outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert outcome.structured["error"]["retry_after_seconds"] == 120
    assert "retry after 120 seconds" in outcome.text
    assert len(fixture_upstream.requests) == 1


async def test_exhausted_retries_say_so(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(sequence(error(503, "unavailable", **{"Retry-After": "0"})))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert outcome.structured["error"]["attempts"] == 3
    assert "gave up after 3 attempts" in outcome.text
    assert outcome.structured["error"]["retry_after_seconds"] == 0


async def test_a_hanging_upstream_ends_within_the_deadline(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(sequence(HANG))
    async with fixture_runner(fixture_upstream) as runner:
        started = time.monotonic()
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
        elapsed = time.monotonic() - started
    assert outcome.is_error and outcome.structured["error"]["code"] == "upstream_timeout"
    assert elapsed < 10  # bounded by the deadline (3 s), not hanging with the upstream
    assert len(fixture_upstream.requests) == 3  # a GET is safe to retry after a timeout


async def test_a_trickling_answer_is_cut_at_the_deadline(fixture_upstream: FixtureUpstream) -> None:
    # Every byte comes within the 0.5 s read timeout; the whole answer would take 8 s.
    fixture_upstream.reset(sequence(Trickle(b'{"data": {"id": "t1"}}' + b" " * 10, 0.25)))
    async with fixture_runner(fixture_upstream) as runner:
        started = time.monotonic()
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
        elapsed = time.monotonic() - started
    assert outcome.is_error and outcome.structured["error"]["code"] == "upstream_deadline", outcome.text
    assert elapsed < 6  # cut at the 3 s deadline, not after the 8 s the upstream would take


async def test_a_redirect_is_not_followed_and_the_other_origin_gets_nothing(
    fixture_upstream: FixtureUpstream,
) -> None:
    other = FixtureUpstream().start()
    try:
        fixture_upstream.reset(sequence(Reply(302, b"", {"Location": f"{other.root_url}/v1/things/t1"})))
        async with fixture_runner(fixture_upstream) as runner:
            outcome = await call(runner, "get_thing", {"thing_id": "t1"})
        assert outcome.is_error and "redirects are not followed" in outcome.text
        assert other.requests == []
    finally:
        other.stop()


async def test_an_oversized_body_is_refused_with_a_note(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(sequence(Reply(200, {"data": {"id": "t1", "blob": "x" * 10_000}})))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert outcome.is_error and outcome.structured["error"]["code"] == "upstream_too_large"
    assert "narrow the request" in outcome.text


async def test_a_list_over_the_result_budget_is_cut_with_paging_advice(
    fixture_upstream: FixtureUpstream,
) -> None:
    records = [{"id": f"t{i}", "name": "n" * 40} for i in range(40)]
    fixture_upstream.reset(sequence(Reply(200, {"data": records, "next": "c2"})))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "list_things", {"limit": 40})
    assert not outcome.is_error
    kept = outcome.structured["truncated"]["returned"]
    assert 0 < kept < 40 and outcome.structured["items"] == records[:kept]
    assert outcome.structured["next_cursor"] is None  # the API's cursor would skip the records cut here
    assert f"limit={kept}" in outcome.structured["truncated"]["message"]
    assert len(outcome.text.encode()) <= 1500


async def test_a_single_result_over_budget_is_an_error_with_advice(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(sequence(Reply(200, {"data": {"id": "t1", "notes": "y" * 2000}})))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert outcome.is_error and outcome.structured["error"]["code"] == "result_too_large"


async def test_a_non_json_success_is_reported_not_passed_as_ok(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(sequence(Reply(200, b"<html>maintenance</html>")))
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert outcome.is_error and outcome.structured["error"]["code"] == "unexpected_response"


async def test_an_echoed_token_is_redacted_from_results(fixture_upstream: FixtureUpstream) -> None:
    def echo(request: Recorded) -> Reply:
        secret = request.headers["authorization"]
        if request.method == "GET":
            return Reply(200, {"data": {"id": "t1", "seen": secret, "other": "hsk_live_deadbeef0000_x"}})
        return Reply(401, {"error": {"code": "unauthenticated", "message": f"bad token {secret}"}})

    fixture_upstream.reset(echo)
    async with fixture_runner(fixture_upstream) as runner:
        ok = await call(runner, "get_thing", {"thing_id": "t1"})
        refused = await call(runner, "update_thing", {"thing_id": "t1"})
    for outcome in (ok, refused):
        assert CANARY not in outcome.text and CANARY not in str(outcome.structured)
        assert "hsk_" not in outcome.text
    assert ok.structured["seen"] == "Bearer [REDACTED]"


@pytest.mark.parametrize("form", sorted(spellings(CANARY)))
async def test_every_spelling_of_an_echoed_token_is_redacted(
    fixture_upstream: FixtureUpstream, form: str
) -> None:
    echoed = spellings(CANARY)[form]

    def echo(request: Recorded) -> Reply:
        if request.method == "GET":
            return Reply(200, {"data": {"id": "t1", echoed: echoed}})
        return Reply(422, {"error": {"code": "bad", "message": echoed, "fields": {"name": echoed}}})

    fixture_upstream.reset(echo)
    async with fixture_runner(fixture_upstream) as runner:
        ok = await call(runner, "get_thing", {"thing_id": "t1"})
        refused = await call(runner, "update_thing", {"thing_id": "t1", "name": "x"})
    assert not ok.is_error and refused.is_error
    for outcome in (ok, refused):
        assert not leaks(outcome.text, CANARY), outcome.text
        assert not leaks(json.dumps(outcome.structured, ensure_ascii=False), CANARY), outcome.structured


async def test_cancelling_a_call_aborts_its_request_and_the_runner_keeps_working(
    fixture_upstream: FixtureUpstream,
) -> None:
    fixture_upstream.reset(sequence(HANG, OK))
    async with fixture_runner(fixture_upstream) as runner:
        with anyio.move_on_after(0.2) as scope:
            await call(runner, "get_thing", {"thing_id": "t1"})
        assert scope.cancelled_caught
        with anyio.fail_after(2):
            while fixture_upstream.disconnects == 0:  # the hanging request's connection is closed by us
                await anyio.sleep(0.01)
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert not outcome.is_error


def pages_of(size: int, pad: int, last: int = 10) -> Any:
    """A paginated upstream: page N (cursor cN) holds `size` records with `pad` bytes of name each."""

    def handler(request: Recorded) -> Reply:
        page = int(request.target.split("cursor=c")[1].split("&")[0]) if "cursor=c" in request.target else 1
        records = [{"id": f"p{page}r{i}", "name": "n" * pad} for i in range(size)]
        return Reply(200, {"data": records, "next": f"c{page + 1}" if page < last else None})

    return handler


async def autopage(upstream: FixtureUpstream, arguments: dict[str, Any]) -> ToolOutcome:
    from hoursmith_mcp.engine.calls.autopaging import collect_pages

    async with fixture_runner(upstream) as runner:
        tool = runner.manifest.tool("list_things")
        assert tool is not None
        return await collect_pages(runner, runner.manifest, tool, arguments, SilentReporter())


async def test_auto_paging_stops_at_the_result_budget_and_resumes_without_gaps(
    fixture_upstream: FixtureUpstream,
) -> None:
    fixture_upstream.reset(pages_of(size=4, pad=40))  # about 250 bytes a page; the budget is 1,500
    outcome = await autopage(fixture_upstream, {"max_items": 40, "limit": 4})
    assert not outcome.is_error
    kept = outcome.structured["items"]
    assert 0 < len(kept) < 40 and len(kept) % 4 == 0  # whole pages only
    assert len(outcome.text.encode()) <= 1500
    next_page = len(kept) // 4 + 1
    assert outcome.structured["next_cursor"] == f"c{next_page}"  # the page not taken is fetched next
    assert "cursor=next_cursor" in outcome.structured["truncated"]["message"]


async def test_auto_paging_passes_on_a_page_cut_to_fit(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(pages_of(size=30, pad=40))  # one page alone is over the budget
    outcome = await autopage(fixture_upstream, {"max_items": 100, "limit": 30})
    assert not outcome.is_error
    note = outcome.structured["truncated"]
    assert note["returned"] < 30 and outcome.structured["next_cursor"] is None
    assert "page_cursor" in note and f"limit={note['returned']}" in note["message"]


async def test_auto_paging_refuses_a_cursor_that_is_not_a_string(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(sequence(Reply(200, {"data": [{"id": "a"}], "next": {"after": "a"}})))
    outcome = await autopage(fixture_upstream, {"max_items": 10})
    assert outcome.is_error and outcome.structured["error"]["code"] == "unexpected_response"
