"""Rate limits: per-token burst and sustained buckets, per-IP bucket for bad tokens, 429 + Retry-After."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sbx_helpers import error_of, token_client

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.config import SandboxConfig
from hoursmith_mcp.sandbox.ratelimit import RateLimiter
from hoursmith_mcp.sandbox.runner import RunningSandbox, start_sandbox


@pytest.fixture(scope="module")
def tight() -> Iterator[RunningSandbox]:
    # Scale 0.1: studio burst 3 / 10 s and sustained 60 / 60 s; agency burst 6; bad tokens 1 / 60 s.
    with start_sandbox(config=SandboxConfig(rate_limit_scale=0.1)) as running:
        yield running


def test_burst_bucket_trips_with_retry_after(tight: RunningSandbox) -> None:
    with token_client(tight, seed.token_for("studio", "MANAGER")) as client:
        responses = [client.get("/me") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["x-ratelimit-remaining"] for r in responses[:3]] == ["59", "58", "57"]
    assert all(r.headers["x-ratelimit-limit"] == "60" for r in responses)
    limited = responses[-1]
    assert error_of(limited)["code"] == "rate_limited"
    assert 1 <= int(limited.headers["retry-after"]) <= 10
    assert int(limited.headers["x-ratelimit-reset"]) > 1_700_000_000


def test_buckets_are_per_token_and_per_plan(tight: RunningSandbox) -> None:
    with token_client(tight, seed.token_for("studio", "ADMIN")) as admin:
        assert [admin.get("/me").status_code for _ in range(3)] == [200, 200, 200]
    with token_client(tight, seed.token_for("agency", "OWNER")) as agency:
        statuses = [agency.get("/me").status_code for _ in range(7)]
    assert statuses == [200] * 6 + [429]


def test_bad_tokens_share_a_per_ip_bucket(tight: RunningSandbox) -> None:
    first = httpx.get(f"{tight.base_url}/me")
    second = httpx.get(f"{tight.base_url}/me", headers={"Authorization": "Bearer nope"})
    assert first.status_code == 401
    assert second.status_code == 429 and "retry-after" in second.headers


def test_limits_can_be_switched_off() -> None:
    config = SandboxConfig(rate_limits=False, rate_limit_scale=0.01)
    with start_sandbox(config=config) as running, token_client(running, seed.token_for()) as client:
        responses = [client.get("/me") for _ in range(20)]
    assert {r.status_code for r in responses} == {200}
    assert responses[-1].headers["x-ratelimit-remaining"] == responses[-1].headers["x-ratelimit-limit"]


def test_buckets_refill_with_time() -> None:
    now = [1000.0]
    limiter = RateLimiter(scale=1.0, clock=lambda: now[0])
    decisions = [limiter.check_token("t", "studio") for _ in range(31)]
    assert all(d.allowed for d in decisions[:30]) and not decisions[30].allowed
    assert decisions[30].retry_after == 1  # the burst bucket refills 3 per second
    assert decisions[29].headers["X-RateLimit-Limit"] == "600"
    assert decisions[29].headers["X-RateLimit-Remaining"] == "570"
    now[0] += 1.0
    assert [limiter.check_token("t", "studio").allowed for _ in range(4)] == [True, True, True, False]
    agency = [limiter.check_token("a", "agency").allowed for _ in range(61)]
    assert agency.count(True) == 60


def test_sustained_bucket_limits_a_long_burst() -> None:
    now = [0.0]
    limiter = RateLimiter(scale=1.0, clock=lambda: now[0])
    allowed = 0
    for _ in range(2000):  # 100 requests per second for 20 s
        allowed += limiter.check_token("t", "studio").allowed
        now[0] += 0.01
    # The burst bucket allows 30 + 3/s; the sustained one 600 + 10/s; the tighter one governs.
    assert 30 + 3 * 20 - 2 <= allowed <= 30 + 3 * 20 + 1
