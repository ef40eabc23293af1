"""Per-user token mode at the transport: each call acts with its request's token and nothing else.

The runner has no token of its own; `request_token.acting_with` stands for the HTTP request being
served. The fixture upstream records every header the engine sends.
"""

from __future__ import annotations

from typing import Any

import anyio
import pytest

from hoursmith_mcp.engine.calls import request_token
from hoursmith_mcp.engine.calls.outcome import ToolOutcome
from hoursmith_mcp.engine.calls.tool_call import SilentReporter, ToolRunner

from .conftest import CANARY, fixture_runner
from .fixture_upstream import FixtureUpstream, Recorded, Reply

pytestmark = pytest.mark.anyio

ALICE = "hsk_test_a11ce0a11ce0_ALICEaliceALICEaliceALICEalice12"
BOB = "hsk_test_b0bb0bb0bb0b_BOBbobBOBbobBOBbobBOBbobBOBbob12"


async def call(runner: ToolRunner, tool: str, arguments: dict[str, Any]) -> ToolOutcome:
    spec = runner.manifest.tool(tool)
    assert spec is not None
    return await runner.call(spec, arguments, SilentReporter())


async def test_each_call_sends_its_own_token_and_no_cookie_survives(
    fixture_upstream: FixtureUpstream,
) -> None:
    """The upstream sets a cookie on every answer; the shared client must never send one back."""

    def answer(request: Recorded) -> Reply:
        return Reply(200, {"data": {"id": "t1"}}, {"Set-Cookie": "session=abc123; Path=/"})

    fixture_upstream.reset(answer)
    async with fixture_runner(fixture_upstream, token=None) as runner:
        for token in (ALICE, BOB, ALICE):
            with request_token.acting_with(token):
                assert not (await call(runner, "get_thing", {"thing_id": "t1"})).is_error
    sent = fixture_upstream.requests
    assert [r.headers["authorization"] for r in sent] == [f"Bearer {t}" for t in (ALICE, BOB, ALICE)]
    assert all("cookie" not in r.headers for r in sent)


async def test_concurrent_calls_never_see_each_others_token(fixture_upstream: FixtureUpstream) -> None:
    def echo(request: Recorded) -> Reply:
        return Reply(200, {"data": {"id": request.headers["authorization"][-12:]}})

    fixture_upstream.reset(echo)
    seen: list[tuple[str, str]] = []
    async with fixture_runner(fixture_upstream, token=None) as runner:

        async def as_user(token: str) -> None:
            for _ in range(10):
                with request_token.acting_with(token):
                    await anyio.sleep(0)  # let the other users' calls interleave
                    outcome = await call(runner, "get_thing", {"thing_id": "t1"})
                seen.append((token[-12:], outcome.structured["id"]))

        async with anyio.create_task_group() as tasks:
            for token in (ALICE, BOB) * 5:
                tasks.start_soon(as_user, token)
    assert len(seen) == 100 and all(mine == echoed for mine, echoed in seen)


async def test_without_a_request_token_nothing_is_sent(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(lambda request: Reply(200, {"data": {"id": "t1"}}))
    async with fixture_runner(fixture_upstream, token=None) as runner:
        outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert outcome.is_error and "no token for this request" in outcome.text
    assert fixture_upstream.requests == []


async def test_a_request_token_never_mixes_with_a_configured_one(fixture_upstream: FixtureUpstream) -> None:
    fixture_upstream.reset(lambda request: Reply(200, {"data": {"id": "t1"}}))
    async with fixture_runner(fixture_upstream, token=CANARY) as runner:
        with request_token.acting_with(ALICE):
            outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert outcome.is_error and "two tokens" in outcome.text
    assert fixture_upstream.requests == []


async def test_the_request_token_is_redacted_from_what_the_call_returns(
    fixture_upstream: FixtureUpstream,
) -> None:
    """Even when it is not shaped like this API's tokens: redaction knows the token being served."""
    odd = "zz9plural_Z_alpha_0123456789abcdef"

    def echo(request: Recorded) -> Reply:
        return Reply(200, {"data": {"id": "t1", "seen": request.headers["authorization"]}})

    fixture_upstream.reset(echo)
    async with fixture_runner(fixture_upstream, token=None) as runner:
        with request_token.acting_with(odd):
            outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    assert odd not in outcome.text and odd not in str(outcome.structured)
    assert outcome.structured["seen"] == "Bearer [REDACTED]"


async def test_other_spellings_of_the_request_token_are_redacted_too(
    fixture_upstream: FixtureUpstream,
) -> None:
    """Upper case, the secret part alone, percent-encoded, and the base64 of the header that carried it."""
    import base64
    from urllib.parse import quote

    secret = ALICE.rsplit("_", 1)[1]
    spellings = [
        ALICE.upper(),
        secret,
        secret.lower(),
        quote(f"key={ALICE}&x=é", safe=""),
        base64.b64encode(f"Bearer {ALICE}".encode()).decode(),
    ]

    def echo(request: Recorded) -> Reply:
        return Reply(200, {"data": {"id": "t1", "seen": spellings}})

    fixture_upstream.reset(echo)
    async with fixture_runner(fixture_upstream, token=None) as runner:
        with request_token.acting_with(ALICE):
            outcome = await call(runner, "get_thing", {"thing_id": "t1"})
    seen = outcome.structured["seen"]
    assert secret.lower() not in outcome.text.lower()
    assert "[REDACTED]" in seen[0] and "[REDACTED]" in seen[1] and "[REDACTED]" in seen[2]
    assert "[REDACTED]" in seen[3] and "[REDACTED]" in seen[4]
