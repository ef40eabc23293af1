"""What one HTTP server process takes on, and how it leaves: bounded bodies, bounded concurrent calls
(503 + Retry-After beyond them), readiness, and a bounded drain of the calls in flight on SIGTERM."""

from __future__ import annotations

import json
import signal
import threading
import time
from typing import Any

import httpx
import pytest

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import HttpServer, request_log

HEADERS = {
    "Accept": "application/json, text/event-stream",
    "Content-Type": "application/json",
    "MCP-Protocol-Version": "2025-11-25",
    "Authorization": f"Bearer {seed.token_for('studio', 'OWNER')}",
}
GET_ME = {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "get_me", "arguments": {}}}
LIST = {"jsonrpc": "2.0", "id": 4, "method": "tools/list", "params": {}}


def serve(upstream: RunningSandbox, *args: str) -> HttpServer:
    env = {"HOURSMITH_API_URL": upstream.base_url, "HOURSMITH_LOG_LEVEL": "info"}
    return HttpServer("--per-user-tokens", *args, env=env)


def post(url: str, body: Any, timeout: float = 30) -> httpx.Response:
    return httpx.post(url, content=json.dumps(body), headers=HEADERS, timeout=timeout)


def slow_me(control: httpx.Client, seconds: float, times: int = 1) -> None:
    """The next `times` GET /me wait `seconds` in the sandbox before answering."""
    fault = {"method": "GET", "path": "/api/v1/me", "delaySeconds": seconds, "times": times}
    assert control.post("/_sandbox/faults", json=fault).status_code in (200, 201)


def in_background(url: str, body: Any) -> tuple[threading.Thread, list[httpx.Response | httpx.HTTPError]]:
    """POSTs `body` in a thread; the list gets its answer, or the error that ended it."""
    answers: list[httpx.Response | httpx.HTTPError] = []

    def run() -> None:
        try:
            answers.append(post(url, body))
        except httpx.HTTPError as exc:
            answers.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, answers


def answered(answers: list[httpx.Response | httpx.HTTPError]) -> httpx.Response:
    assert answers and isinstance(answers[0], httpx.Response), answers
    return answers[0]


def wait_until_calls_in_flight(server: HttpServer, count: int) -> None:
    for _ in range(200):  # bounded: 10 s at most
        if httpx.get(server.root + "/readyz", timeout=5).json().get("calls_in_flight") == count:
            return
        time.sleep(0.05)
    raise AssertionError(f"never saw {count} calls in flight")


def test_a_call_beyond_the_limit_gets_503_with_retry_after_and_others_still_work(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    server = serve(upstream, "--max-concurrent-calls", "1")
    try:
        slow_me(fresh, 3)
        thread, answers = in_background(server.url, GET_ME)
        wait_until_calls_in_flight(server, 1)
        refused = post(server.url, GET_ME)
        listed = post(server.url, LIST)  # not a tool call: never counted, never refused
        thread.join(30)
        after = post(server.url, GET_ME)  # the slot is free again
    finally:
        server.stop()
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert "limit of 1 tool calls" in refused.json()["error"]["message"]
    assert listed.status_code == 200 and "get_me" in listed.text
    assert answered(answers).status_code == 200 and '"role":"OWNER"' in answered(answers).text
    assert after.status_code == 200 and '"role":"OWNER"' in after.text


def test_a_body_over_the_bound_is_413_whether_declared_or_streamed(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    server = serve(upstream, "--max-body-bytes", "2000")
    big = {**GET_ME, "params": {"name": "create_client", "arguments": {"name": "x" * 5000}}}
    try:
        declared = post(server.url, big)
        chunks = (json.dumps(big)[i : i + 500].encode() for i in range(0, len(json.dumps(big)), 500))
        streamed = httpx.post(server.url, content=chunks, headers=HEADERS, timeout=30)  # chunked, no length
        small = post(server.url, GET_ME)
    finally:
        server.stop()
    assert declared.status_code == 413 and streamed.status_code == 413
    assert "larger than 2000 bytes" in declared.json()["error"]["message"]
    assert small.status_code == 200
    assert [e for e in fresh.get("/_sandbox/requests").json()["data"] if e["method"] == "POST"] == []


def test_sigterm_lets_the_call_in_flight_finish_then_exits_cleanly(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    server = serve(upstream, "--drain-seconds", "20")
    try:
        slow_me(fresh, 2)
        thread, answers = in_background(server.url, GET_ME)
        wait_until_calls_in_flight(server, 1)
        server.process.send_signal(signal.SIGTERM)
        thread.join(30)
        code = server.process.wait(30)
    finally:
        stdout = server.stop()
    assert answered(answers).status_code == 200 and '"role":"OWNER"' in answered(answers).text
    assert code == 0 and stdout == ""
    assert "draining" in server.stderr and "Traceback" not in server.stderr
    with pytest.raises(httpx.ConnectError):  # gone: nothing listens any more
        httpx.get(server.root + "/healthz", timeout=5)


def test_the_drain_is_bounded_a_call_that_outlasts_it_is_cancelled(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    server = serve(upstream, "--drain-seconds", "1")
    try:
        slow_me(fresh, 12)
        thread, answers = in_background(server.url, GET_ME)
        wait_until_calls_in_flight(server, 1)
        server.process.send_signal(signal.SIGTERM)
        code = server.process.wait(30)
        answered_before_exit = any(e["path"] == "/api/v1/me" for e in request_log(fresh))
        thread.join(30)
    finally:
        server.stop()
        # The sandbox still answers the abandoned request later: wait, so no other test sees it.
        for _ in range(400):  # bounded: 20 s
            if any(e["path"] == "/api/v1/me" for e in request_log(fresh)):
                break
            time.sleep(0.05)
    assert code == 0
    assert not answered_before_exit  # the process ended before the API had even answered the call
    assert answers and isinstance(answers[0], httpx.HTTPError)  # cut off: it never completed
