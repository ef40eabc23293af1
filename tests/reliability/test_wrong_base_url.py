"""A base URL that does not point at the API (its path left off, a website instead) is named as such,
generically: the manifest's error envelope says what the API's errors look like, and a 404 or 405
outside it came from no route of the API. The API's own 404 keeps the API's advice."""

from __future__ import annotations

import pytest

from .conftest import fixture_runner
from .fixture_upstream import FixtureUpstream, Reply
from .test_transport import call

pytestmark = pytest.mark.anyio

HTML_404 = Reply(
    404, b"<!doctype html><title>Page not found</title><h1>404</h1>", {"Content-Type": "text/html"}
)


@pytest.mark.parametrize(
    ("reply", "described"),
    [
        (HTML_404, "a web page titled 'Page not found'"),
        (Reply(404, b"Not Found", {"Content-Type": "text/plain"}), "'Not Found', not the API's error format"),
        # JSON, but not the API's envelope (a web framework's default)
        (Reply(404, {"detail": "Not Found"}), """'{"detail": "Not Found"}', not the API's error format"""),
        (Reply(405, b"Method Not Allowed"), "'Method Not Allowed', not the API's error format"),
        (Reply(404), "an empty body"),
    ],
)
async def test_a_404_or_405_that_is_not_the_apis_envelope_says_the_base_url_looks_wrong(
    fixture_upstream: FixtureUpstream, reply: Reply, described: str
) -> None:
    fixture_upstream.reset(lambda request: reply)
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert outcome.is_error
    first = outcome.text.splitlines()[0]
    assert first.startswith(f"{reply.status} from something that is not the API: ")
    assert f"{fixture_upstream.root_url}/v1 answered with {described}; " in first
    assert first.endswith("; the base URL looks wrong")
    error = outcome.structured["error"]
    assert error["code"] == "upstream_wrong_base_url" and error["status"] == reply.status
    assert "https://api.example.com/v1" in error["hint"] and "FIXTURE_API_URL" in error["hint"]
    assert "record" not in outcome.text  # not the API's "no such record" advice
    assert len(fixture_upstream.requests) == 1  # a 404 is not retried


async def test_the_apis_own_404_keeps_the_apis_code_message_and_hint(
    fixture_upstream: FixtureUpstream,
) -> None:
    fixture_upstream.reset(
        lambda request: Reply(404, {"error": {"code": "not_found", "message": "No thing t1"}})
    )
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    error = outcome.structured["error"]
    assert (error["status"], error["code"], error["message"]) == (404, "not_found", "No thing t1")
    assert "base URL" not in outcome.text


async def test_a_web_page_answering_200_names_the_base_url(fixture_upstream: FixtureUpstream) -> None:
    page = Reply(200, b"<!doctype html><title>Things</title>", {"Content-Type": "text/html; charset=utf-8"})
    fixture_upstream.reset(lambda request: page)
    async with fixture_runner(fixture_upstream) as runner:
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert outcome.is_error
    assert outcome.text.splitlines()[0].endswith("the body is not JSON (text/html)")
    assert (
        f"the base URL ({fixture_upstream.root_url}/v1) points at something that is not the API"
        in outcome.text
    )
