"""Hostile upstream answers: compression bombs, encodings we cannot bound, JSON beyond what the engine
can hold, and text no UTF-8 writer can encode. Each ends as a clear tool error or a clean result,
within the body limit, and the server keeps answering."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator

import pytest

from hoursmith_mcp.engine.calls.outcome import ToolOutcome
from hoursmith_mcp.engine.calls.tool_call import SilentReporter

from .conftest import CANARY, fixture_runner
from .fixture_upstream import FixtureUpstream, Reply
from .raw_server import RawServer

pytestmark = pytest.mark.anyio

LIMIT = 4096  # api.limits.max_response_bytes of tests/reliability/fixture.yaml


async def get_thing(upstream: FixtureUpstream, reply: Reply) -> ToolOutcome:
    upstream.reset(lambda request: reply)
    async with fixture_runner(upstream) as runner:
        tool = runner.manifest.tool("get_thing")
        assert tool is not None
        return await runner.call(tool, {"thing_id": "t1"}, SilentReporter())


def encoded(body: bytes, *encodings: str) -> Reply:
    """`body` compressed with each encoding in turn, labelled as HTTP lists them (first applied first)."""
    for encoding in encodings:
        body = gzip.compress(body) if encoding == "gzip" else zlib.compress(body)
    return Reply(200, body, {"Content-Type": "application/json", "Content-Encoding": ", ".join(encodings)})


THING = json.dumps({"data": {"id": "t1", "name": "One"}}).encode()


@pytest.mark.parametrize(
    "encodings", [(), ("gzip",), ("deflate",), ("gzip", "gzip"), ("gzip", "deflate", "gzip")], ids=str
)
async def test_encoded_answers_are_decoded(
    fixture_upstream: FixtureUpstream, encodings: tuple[str, ...]
) -> None:
    outcome = await get_thing(fixture_upstream, encoded(THING, *encodings))
    assert not outcome.is_error, outcome.text
    assert outcome.structured == {"id": "t1", "name": "One"}
    assert fixture_upstream.requests[0].headers["accept-encoding"] == "gzip, deflate"


async def test_raw_deflate_and_x_gzip_are_understood(fixture_upstream: FixtureUpstream) -> None:
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    body = raw_deflate.compress(THING) + raw_deflate.flush()
    for reply in (
        Reply(200, body, {"Content-Encoding": "deflate"}),
        Reply(200, gzip.compress(THING), {"Content-Encoding": "X-GZIP"}),
    ):
        outcome = await get_thing(fixture_upstream, reply)
        assert outcome.structured == {"id": "t1", "name": "One"}, outcome.text


@pytest.mark.parametrize("encodings", [("gzip",), ("gzip", "gzip"), ("deflate", "gzip", "gzip")], ids=str)
async def test_a_compression_bomb_is_refused_at_the_limit(
    fixture_upstream: FixtureUpstream, encodings: tuple[str, ...]
) -> None:
    bomb = encoded(b"[" + b" " * 3_000_000 + b"]", *encodings)
    assert len(bomb.body) < LIMIT  # it passes the raw-size check: only the decoded size can refuse it
    outcome = await get_thing(fixture_upstream, bomb)
    assert outcome.is_error and outcome.structured["error"]["code"] == "upstream_too_large", outcome.text


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (Reply(200, b"\x8b\x0b\x80" + THING, {"Content-Encoding": "br"}), "encoded as 'br'"),
        (Reply(200, THING, {"Content-Encoding": "compress"}), "encoded as 'compress'"),
        (Reply(200, gzip.compress(THING)[:-12], {"Content-Encoding": "gzip"}), "gzip data ends early"),
        (Reply(200, b"\x1f\x8bnot really gzip", {"Content-Encoding": "gzip"}), "corrupt gzip data"),
    ],
    ids=["br", "compress", "truncated", "corrupt"],
)
async def test_an_answer_that_cannot_be_decoded_is_named(
    fixture_upstream: FixtureUpstream, reply: Reply, reason: str
) -> None:
    outcome = await get_thing(fixture_upstream, reply)
    assert outcome.is_error and outcome.structured["error"]["code"] == "unexpected_response"
    assert reason in outcome.structured["error"]["message"]
    assert len(fixture_upstream.requests) == 1  # an answer, not a network fault: not retried


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b'{"data": {"id": "t1", "hours": NaN}}', "not JSON"),
        (b'{"data": {"id": "t1", "hours": -Infinity}}', "not JSON"),
        (b'{"data": {"id": "t1", "hours": 1e400}}', "out of range"),
        (b'{"data": {"id": ' + b"7" * 1000 + b"}}", "more than 400 digits"),
        (b'{"data": {"id": "t1", "deep": ' + b"[" * 150 + b"]" * 150 + b"}}", "nested deeper than 100"),
        (b'{"data": {"id": "t1", "deep": ' + b"[" * 2000 + b"]" * 2000 + b"}}", "nested deeper than 100"),
    ],
    ids=["nan", "infinity", "1e400", "long-int", "deep", "very-deep"],
)
async def test_json_the_engine_cannot_hold_is_an_unexpected_answer(
    fixture_upstream: FixtureUpstream, body: bytes, reason: str
) -> None:
    outcome = await get_thing(fixture_upstream, Reply(200, body))
    assert outcome.is_error, outcome.text
    assert reason in outcome.structured["error"]["message"]
    json.dumps(outcome.structured, allow_nan=False)  # what the client gets is plain JSON


async def test_an_error_body_is_read_within_the_same_bounds(fixture_upstream: FixtureUpstream) -> None:
    outcome = await get_thing(fixture_upstream, Reply(404, b'{"error": {"code": "x", "message": NaN}}'))
    assert outcome.is_error and outcome.structured["error"]["status"] == 404
    json.dumps(outcome.structured, allow_nan=False)


@pytest.mark.parametrize(
    "body",
    [
        b'{"data": {"id": "\\udc80", "name": "a\\ud800b"}}',
        b'{"data": {"id": "t1", "name": "\xff\xfe\xed\xb2\x80"}}',  # invalid UTF-8, CESU surrogate
    ],
    ids=["escaped-surrogates", "invalid-utf8"],
)
async def test_text_no_utf8_writer_can_encode_is_replaced(
    fixture_upstream: FixtureUpstream, body: bytes
) -> None:
    outcome = await get_thing(fixture_upstream, Reply(200, body))
    assert not outcome.is_error, outcome.text
    outcome.text.encode("utf-8")  # strict: raises on a lone surrogate
    json.dumps(outcome.structured, ensure_ascii=False).encode("utf-8")
    assert "\ufffd" in outcome.text


def gzipped_filler(prefix: bytes, size: int, suffix: bytes) -> bytes:
    """gzip of prefix + `size` zero digits + suffix, compressed piece by piece (never `size` in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(prefix)]
    piece = b"0" * (1024 * 1024)
    for _ in range(size // len(piece)):
        parts.append(packer.compress(piece))
    parts += [packer.compress(suffix), packer.flush()]
    return b"".join(parts)


@pytest.fixture
def raw(fixture_upstream: FixtureUpstream) -> Iterator[RawServer]:
    """The installed server (tools.yaml, 4 MiB body limit) against the fixture upstream."""
    server = RawServer(
        {"HOURSMITH_API_TOKEN": CANARY, "HOURSMITH_API_URL": fixture_upstream.root_url + "/api/v1"}
    )
    try:
        yield server
    finally:
        server.finish()


def test_an_echoed_lone_surrogate_does_not_silence_the_server(
    fixture_upstream: FixtureUpstream, raw: RawServer
) -> None:
    fixture_upstream.reset(lambda request: Reply(404, b'{"error": {"code": "x", "message": "\\udc80 gone"}}'))
    raw.start()
    answer = raw.call(1, "get_client", {"client_id": "c1"})
    assert answer["result"]["isError"] is True
    assert "\ufffd gone" in answer["result"]["content"][0]["text"]
    assert raw.request(2, "ping") == {"jsonrpc": "2.0", "id": 2, "result": {}}


def test_a_stacked_gzip_bomb_costs_at_most_about_the_body_limit(
    fixture_upstream: FixtureUpstream, raw: RawServer
) -> None:
    limit_kib = 4096  # tools.yaml's api.limits.max_response_bytes (the default, 4 MiB)
    inner = gzipped_filler(b'{"data": "', 256 * 1024 * 1024, b'"}')
    bomb = Reply(200, gzip.compress(inner), {"Content-Encoding": "gzip, gzip"})
    assert len(bomb.body) < 64 * 1024  # a few KB on the wire
    ok = Reply(200, {"data": {"id": "c1", "name": "One"}})
    fixture_upstream.reset(lambda request: bomb if request.target.endswith("/bomb") else ok)
    raw.start()
    assert raw.call(1, "get_client", {"client_id": "c1"})["result"]["isError"] is False  # httpx warmed up
    raw.reset_peak()
    before = raw.peak_rss_kib()
    answer = raw.call(2, "get_client", {"client_id": "bomb"})
    after = raw.peak_rss_kib()
    print(f"\npeak RSS {before} KiB -> {after} KiB for a {len(bomb.body)}-byte bomb of 256 MiB")
    assert "upstream_too_large" in json.dumps(answer["result"])
    # The decoded body may reach the limit once, plus working copies of the last pieces.
    assert after - before < limit_kib + 16 * 1024
    assert raw.request(3, "ping")["result"] == {}


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/html", b"<!doctype html>" + b"<title>" * 590_000),  # every "<title" opens, none closes
        ("text/plain", b"a " * 2_000_000),  # two million words
    ],
    ids=["unclosed-titles", "many-words"],
)
def test_describing_a_foreign_answer_reads_only_its_start(
    fixture_upstream: FixtureUpstream, raw: RawServer, content_type: str, body: bytes
) -> None:
    """A 404 from something that is not the API is described by its start (a page title, the first
    words), never by scanning or splitting all of a body that may be megabytes."""
    assert len(body) < 4 * 1024 * 1024
    fixture_upstream.reset(lambda request: Reply(404, body, {"Content-Type": content_type}))
    raw.start()
    raw.reset_peak()
    before = raw.peak_rss_kib()
    answer = raw.call(1, "get_client", {"client_id": "c1"})
    after = raw.peak_rss_kib()
    assert "upstream_wrong_base_url" in json.dumps(answer["result"])
    assert after - before < 3 * 4096 + 16 * 1024  # the body, its text, and working copies of its start
    assert raw.request(2, "ping")["result"] == {}
