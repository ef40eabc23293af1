"""Malformed JSON-RPC on stdio: every request that has an id gets exactly one answer, as the JSON-RPC 2.0
spec says (parse error, invalid request, invalid params); what cannot be answered is logged; the server
keeps answering; stdout carries only JSON-RPC. The installed server, over raw pipes."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .raw_server import RawServer

TOKEN = seed.token_for("studio", "OWNER")
PARSE, INVALID_REQUEST, NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
NULL = None  # the id of an answer to a line whose id cannot be read


def request(request_id: Any, method: str = "ping", **extra: Any) -> bytes:
    return json.dumps({"jsonrpc": "2.0", "id": request_id, "method": method, **extra}).encode()


def call(request_id: int, arguments: Any, name: str = "get_client") -> bytes:
    return request(request_id, "tools/call", params={"name": name, "arguments": arguments})


# (line, [(id, error code), ...] expected in answer; a code of 0 means a result)
CASES: list[tuple[str, bytes, list[tuple[Any, int]]]] = [
    ("not json", b"not json", [(NULL, PARSE)]),
    ("half an object", b'{"jsonrpc": "2.0", "id": 101, "method": "ping"', [(NULL, PARSE)]),
    ("a trailing NUL", request(102) + b"\x00", [(NULL, PARSE)]),
    ("invalid UTF-8 outside strings", b"\xff\xfe" + request(103), [(NULL, PARSE)]),
    ("ten thousand x", b"x" * 10_000, [(NULL, PARSE)]),
    ("no method, no id", b'{"jsonrpc": "2.0"}', [(NULL, INVALID_REQUEST)]),
    ("a number", b"42", [(NULL, INVALID_REQUEST)]),
    ("an empty batch", b"[]", [(NULL, INVALID_REQUEST)]),
    (
        "a batch",
        b"[" + request(104) + b"," + request(105, "tools/list") + b',{"jsonrpc":"2.0","method":"x"}]',
        [(104, INVALID_REQUEST), (105, INVALID_REQUEST)],
    ),
    ("a batch of notifications", b'[{"jsonrpc":"2.0","method":"x"}]', [(NULL, INVALID_REQUEST)]),
    ("params as a list", request(106, params=["a"]), [(106, INVALID_PARAMS)]),
    (
        "tools/call with params as a list",
        request(107, "tools/call", params=["get_me", {}]),
        [(107, INVALID_PARAMS)],
    ),
    ("params a string", request(108, params="x"), [(108, INVALID_REQUEST)]),
    (
        "a 5,000-digit id",
        b'{"jsonrpc":"2.0","id":' + b"7" * 5000 + b',"method":"ping"}',
        [(NULL, INVALID_REQUEST)],
    ),
    ("a null id", request(None), [(NULL, INVALID_REQUEST)]),
    ("a boolean id", request(True), [(NULL, INVALID_REQUEST)]),
    ("a fractional id", request(1.5), [(NULL, INVALID_REQUEST)]),
    ("an object id", request({"a": 1}), [(NULL, INVALID_REQUEST)]),
    (
        "jsonrpc 1.0",
        json.dumps({"jsonrpc": "1.0", "id": 109, "method": "ping"}).encode(),
        [(109, INVALID_REQUEST)],
    ),
    ("no jsonrpc", json.dumps({"id": 110, "method": "ping"}).encode(), [(110, INVALID_REQUEST)]),
    ("an id and no method", b'{"jsonrpc": "2.0", "id": 111}', [(111, INVALID_REQUEST)]),
    ("a method that is not a string", request(112, method=5), [(112, INVALID_REQUEST)]),  # type: ignore[arg-type]
    ("an unknown method", request(113, "no/such"), [(113, NOT_FOUND)]),
    (
        "arguments nested 150 deep",
        call(114, {"client_id": json.loads("[" * 150 + "]" * 150)}),
        [(114, INVALID_PARAMS)],
    ),
    (
        "arguments nested 2,000 deep",
        b'{"jsonrpc":"2.0","id":115,"method":"tools/call","params":{"name":"get_client","arguments":{"client_id":'
        + b"[" * 2000
        + b"]" * 2000
        + b"}}}",
        [(115, INVALID_PARAMS)],
    ),
    (
        "a string id with a lone surrogate",
        b'{"jsonrpc":"2.0","id":"a\\udc80","method":"ping"}',
        [("a\ufffd", 0)],
    ),
    ("a method with a lone surrogate", request(116, "x\udc80"), [(116, NOT_FOUND)]),
    ("a byte-order mark first", b"\xef\xbb\xbf" + request(117), [(117, 0)]),
    ("a huge integer id", request(10**30), [(10**30, 0)]),
    ("a long string id", request("i" * 100_000), [("i" * 100_000, 0)]),
    ("NaN in params", b'{"jsonrpc":"2.0","id":118,"method":"ping","params":{"x":NaN}}', [(118, 0)]),
    ("a blank line", b"   ", []),
    (
        "a notification with bad params",
        b'{"jsonrpc":"2.0","method":"notifications/cancelled","params":[1]}',
        [],
    ),
    ("an unknown notification", b'{"jsonrpc":"2.0","method":"notifications/nothing"}', []),
    ("a response nobody asked for", b'{"jsonrpc":"2.0","id":999999,"result":{}}', []),
    ("an invalid response", b'{"jsonrpc":"2.0","id":999998,"result":5}', []),
]


@pytest.fixture(scope="module")
def server(upstream: RunningSandbox) -> Iterator[RawServer]:
    raw = RawServer({"HOURSMITH_API_TOKEN": TOKEN, "HOURSMITH_API_URL": upstream.base_url})
    raw.start()
    yield raw
    stderr = raw.finish()
    assert "Traceback" not in stderr
    for line in raw.stdout_lines:  # stdout carried only JSON-RPC messages, one per line
        message = json.loads(line)
        assert isinstance(message, dict) and message["jsonrpc"] == "2.0", line
        assert ("id" in message and ("result" in message) != ("error" in message)) or "method" in message
    counts = Counter(json.dumps(answer["id"]) for answer in raw.answers() if answer["id"] is not None)
    assert [key for key, count in counts.items() if count > 1] == []  # no id answered twice


PINGS = iter(range(1_000_000, 2_000_000))


@pytest.mark.parametrize(
    ("line", "expected"), [(line, expected) for _, line, expected in CASES], ids=[c[0] for c in CASES]
)
def test_each_line_gets_the_answers_the_spec_says(
    server: RawServer, line: bytes, expected: list[tuple[Any, int]]
) -> None:
    already = len(server.answers())
    server.send_line(line)
    for request_id, _ in expected:
        if request_id is not NULL:
            server.wait_for(request_id)
    ping = next(PINGS)
    assert server.request(ping, "ping") == {"jsonrpc": "2.0", "id": ping, "result": {}}  # still answering
    answers = [a for a in server.answers()[already:] if a["id"] != ping]
    got = sorted(((a["id"], a["error"]["code"] if "error" in a else 0) for a in answers), key=repr)
    assert got == sorted(expected, key=repr)
    for answer in answers:
        if "error" in answer:
            assert answer["error"]["message"]  # says what was wrong


def test_an_oversized_line_is_answered_by_its_id_and_costs_at_most_the_limit(server: RawServer) -> None:
    server.reset_peak()
    before = server.peak_rss_kib()
    padding = "x" * (24 * 1024 * 1024)
    server.send_line(call(120, {"client_id": padding}))
    answer = server.wait_for(120)
    after = server.peak_rss_kib()
    assert answer["error"]["code"] == INVALID_REQUEST and "larger than 4 MiB" in answer["error"]["message"]
    assert after - before < 4096 + 8 * 1024  # the 4 MiB limit, not the 24 MiB line
    assert server.request(121, "ping")["result"] == {}


def test_a_line_just_under_the_limit_is_served(server: RawServer) -> None:
    answer = server.call(122, "get_client", {"client_id": "c" * (3 * 1024 * 1024)})
    assert answer["result"]["isError"] is True  # an answer from the API (no such client), not a refusal


def test_malformed_lines_are_logged_with_their_start_redacted(upstream: RunningSandbox) -> None:
    raw = RawServer({"HOURSMITH_API_TOKEN": TOKEN, "HOURSMITH_API_URL": upstream.base_url})
    try:
        raw.start()
        raw.send_line(b'{"jsonrpc":"2.0","method":"x","params":["' + TOKEN.encode() + b'"]}')
        raw.send_line(b"garbage " + TOKEN.encode())
        assert raw.request(1, "ping")["result"] == {}
    finally:
        stderr = raw.finish()
    assert "dropped a notification: params must be an object" in stderr
    assert "answered a parse error" in stderr
    assert TOKEN not in stderr and "[REDACTED]" in stderr


@pytest.mark.parametrize(
    "value",
    [b"1e400", b"NaN", b"-Infinity", b"7" * 5000, b'"\\udc80"', b'"\xff\xfe"'],
    ids=["1e400", "nan", "-infinity", "5000-digits", "escaped-surrogate", "invalid-utf8"],
)
def test_a_value_json_cannot_carry_is_refused_by_name_and_never_sent(
    server: RawServer, fresh: httpx.Client, value: bytes
) -> None:
    request_id = next(PINGS)
    server.send_line(
        b'{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"update_project",'
        b'"arguments":{"project_id":"p1","budget_hours":%s}}}' % (request_id, value)
    )
    result = server.wait_for(request_id)["result"]
    assert result["isError"] is True
    assert "argument 'budget_hours'" in result["content"][0]["text"]
    assert fresh.get("/_sandbox/requests").json()["data"] == []  # nothing reached the API
