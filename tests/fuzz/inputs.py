"""Hostile inputs, each drawn from a `random.Random`: the same generators serve the long run (a seeded
Random) and the property-based tests (hypothesis's `st.randoms()`, derandomized in CI, and shrunk).

Every generator mixes structure (valid JSON-RPC, the tools' own argument names, JSON the API would send,
the manifest format) with mutation (bytes flipped, cut, repeated, spliced with nasty tokens), so inputs
get past the first check often enough to reach the next one.
"""

from __future__ import annotations

import base64
import gzip
import json
import random
import zlib
from functools import cache
from typing import Any

from ..token_forms import spellings

NASTY_TEXT = [
    "", " ", "\x00", "\ud800", "\udfff", "a\udc80b", "\u2028", "\x85", "\ufeff", "😀", "\u202e",
    "..", "../../x", "%2e%2e", "%00", "\\", '"', "'", "{", "[[[[", "\r\n", "\n", "${x}", "{{x}}",
    "<script>", "&#104;", "null", "NaN", "1e400", "x" * 5000,
]  # fmt: skip
NASTY_NUMBERS: list[Any] = [
    0, -1, 2**31, 2**63, -(2**63), 10**30, 10**400, 1.5, -0.0, 1e308, 5e-324,
    float("nan"), float("inf"), float("-inf"),
]  # fmt: skip
NASTY_JSON_TOKENS = [
    b"NaN", b"Infinity", b"-Infinity", b"1e400", b"7" * 5000, b'"\\udc80"', b'"\\ud800\\ud800"',
    b'"\xff\xfe"', b"[" * 300 + b"]" * 300, b"{}", b"[]", b"null", b"true", b'"' + b"x" * 70_000 + b'"',
]  # fmt: skip
METHODS = [
    "initialize", "ping", "tools/list", "tools/call", "prompts/list", "prompts/get", "resources/list",
    "resources/read", "resources/templates/list", "logging/setLevel", "completion/complete",
    "notifications/cancelled", "notifications/initialized", "no/such", "",
]  # fmt: skip


def nasty_value(rng: random.Random, token: str, depth: int = 0) -> Any:
    """Any JSON-ish value, biased to what breaks things."""
    roll = rng.random()
    if roll < 0.2:
        return rng.choice(NASTY_TEXT)
    if roll < 0.35:
        return rng.choice(NASTY_NUMBERS)
    if roll < 0.45:
        return rng.choice(list(spellings(token).values()))
    if roll < 0.55 and depth < 3:
        return [nasty_value(rng, token, depth + 1) for _ in range(rng.randint(0, 4))]
    if roll < 0.65 and depth < 3:
        return {
            rng.choice([*NASTY_TEXT[:12], "id", "name"]): nasty_value(rng, token, depth + 1) for _ in range(3)
        }
    if roll < 0.7:
        deep: Any = "x"
        for _ in range(rng.choice([50, 101, 150, 400])):
            deep = [deep]
        return deep
    if roll < 0.8:
        return rng.choice([True, False, None])
    return "".join(rng.choice("abc-_./%é\u00a0") for _ in range(rng.randint(0, 30)))


def mutate(data: bytes, rng: random.Random) -> bytes:
    """Byte-level mutation: flips, cuts, repeats, inserts of nasty tokens."""
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not data:
            data += rng.choice(NASTY_JSON_TOKENS)
            continue
        spot = rng.randrange(len(data))
        kind = rng.randrange(6)
        if kind == 0:
            data[spot] = rng.randrange(256)
        elif kind == 1:
            del data[spot : spot + rng.randint(1, 16)]
        elif kind == 2:
            data[spot:spot] = rng.choice(NASTY_JSON_TOKENS)
        elif kind == 3:
            piece = data[spot : spot + rng.randint(1, 32)]
            data[spot:spot] = piece * rng.randint(2, 50)
        elif kind == 4:
            data = data[:spot]
        else:
            data[spot:spot] = rng.choice([b"\x00", b"\n", b"\r", b"\\", b'"', b"\xc3", b"\xed\xa0\x80"])
    return bytes(data)


def tool_arguments(rng: random.Random, tool: Any, token: str) -> dict[str, Any]:
    """Arguments for `tool`: its own names with hostile values, sometimes unknown names."""
    names = [arg.name for arg in tool.arguments]
    arguments: dict[str, Any] = {}
    for name in names:
        if rng.random() < 0.6:
            arguments[name] = nasty_value(rng, token)
    if rng.random() < 0.2:
        arguments[rng.choice([*NASTY_TEXT[:10], "bogus"])] = nasty_value(rng, token)
    return arguments


def protocol_line(rng: random.Random, tools: list[Any], token: str, request_id: int) -> bytes:
    """One line of stdio input (or one HTTP body): a JSON-RPC message, often broken."""
    method = rng.choice(METHODS)
    message: dict[str, Any] = {"jsonrpc": rng.choice(["2.0"] * 8 + ["1.0", 2.0]), "method": method}
    if rng.random() < 0.85:
        message["id"] = rng.choice([request_id] * 6 + [str(request_id), None, True, 1.5, {"a": 1}])
    if method == "tools/call" and tools:
        tool = rng.choice(tools)
        message["params"] = {"name": tool.name, "arguments": tool_arguments(rng, tool, token)}
    elif rng.random() < 0.5:
        message["params"] = nasty_value(rng, token)
    if rng.random() < 0.1:
        del message["method"]
    line = json.dumps(message, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    roll = rng.random()
    if roll < 0.1:
        return (
            b"["
            + line
            + b","
            + line.replace(str(request_id).encode(), str(request_id + 1).encode(), 1)
            + b"]"
        )
    if roll < 0.4:
        return mutate(line, rng).replace(b"\n", b" ")
    return line


def _encoded(body: bytes, rng: random.Random) -> tuple[bytes, str]:
    layers = rng.choice(
        [[], ["gzip"], ["deflate"], ["gzip", "gzip"], ["gzip", "deflate"], ["br"], ["x-gzip"]]
    )
    for layer in layers:
        if layer in ("gzip", "x-gzip"):
            body = gzip.compress(body)
        elif layer == "deflate":
            body = zlib.compress(body)
    if layers and rng.random() < 0.2:
        body = mutate(body, rng)  # a corrupt or truncated stream
    return body, ", ".join(layers)


@cache
def bomb(size: int) -> bytes:
    """gzip of `size` MiB of zero digits inside a JSON string, compressed piece by piece, then again."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    parts = [packer.compress(b'{"data": "')]
    piece = b"0" * (1024 * 1024)
    parts += [packer.compress(piece) for _ in range(size)]
    parts += [packer.compress(b'"}'), packer.flush()]
    return gzip.compress(b"".join(parts))


def upstream_reply(rng: random.Random, token: str, authorization: str) -> tuple[int, dict[str, str], bytes]:
    """An API's answer: status, headers, body bytes (valid JSON often; sometimes anything)."""
    status = rng.choice([200] * 6 + [201, 204, 301, 302, 400, 401, 403, 404, 409, 422, 429, 500, 502, 503])
    status = status if rng.random() > 0.05 else rng.randint(100, 999)
    echoed = rng.choice(
        [authorization, base64.b64encode(authorization.encode()).decode(), *spellings(token).values()]
    )
    record = {
        "id": nasty_value(rng, token),
        "name": nasty_value(rng, token),
        "note": echoed if rng.random() < 0.3 else "x",
    }
    shape = rng.random()
    if shape < 0.5:
        document: Any = {"data": record if rng.random() < 0.5 else [record] * rng.randint(0, 50)}
        document["pagination"] = {"nextCursor": rng.choice([None, "c2", 5, echoed])}
    elif shape < 0.7:
        document = {"error": {"code": nasty_value(rng, token), "message": echoed, "fields": {"x": echoed}}}
    else:
        document = nasty_value(rng, token)
    body = json.dumps(document, ensure_ascii=rng.random() < 0.5, allow_nan=True).encode(
        "utf-8", "surrogatepass"
    )
    if rng.random() < 0.25:
        body = mutate(body, rng)
    headers = {
        "Content-Type": rng.choice(
            ["application/json", "text/html", "text/plain", "", "application/json; charset=latin-1"]
        )
    }
    if rng.random() < 0.05:
        body, headers["Content-Encoding"] = bomb(rng.choice([8, 64])), "gzip, gzip"
    else:
        body, encoding = _encoded(body, rng)
        if encoding:
            headers["Content-Encoding"] = encoding
    if rng.random() < 0.1:
        headers["Retry-After"] = rng.choice(["0", "1", "-5", "NaN", "99999", "soon"])
    if status in (301, 302):
        headers["Location"] = rng.choice(["https://evil.example/steal", "/api/v1/x", echoed])
    return status, headers, body


def raw_reply(rng: random.Random, token: str) -> bytes:
    """A whole HTTP answer at the byte level: lying lengths, broken chunks, bad status lines, noise."""
    body = json.dumps({"data": {"id": rng.choice(list(spellings(token).values()))}}).encode()
    answers = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 999999\r\n\r\n" + body,  # promises more than it sends
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n" + body,  # sends more than it promises
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n" + body,
        b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
        b"HTTP/9.9 200 OK\r\n\r\n" + body,
        b"HTTP/1.1 2OO OK\r\n\r\n",
        b"\x00" * 64,
        b"HTTP/1.1 200 OK\r\n" + b"X-" + b"a" * 70_000 + b": b\r\n\r\n",  # a header over any limit
        b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body,
    ]
    return mutate(rng.choice(answers), rng) if rng.random() < 0.3 else rng.choice(answers)


MINIMAL_FIELDS = [
    b"[" * 1000 + b"]" * 1000, b"*a", b"&a x", b"<<: *a", b".inf", b".nan", b"1.0e+400", b"1" * 500,
    b'"^(a+)+$"', b'"(a|aa)+"', b'"["', b"!!binary x", b"!!python/object:os.system x", b"{", b"- - -",
    b"\t", b"\xff", b"'\\udc80'", b'"\\udc80"', b"((((((((data))))))))",
]  # fmt: skip


def manifest_text(rng: random.Random, seed_text: bytes) -> bytes:
    """A manifest: the seed mutated at the byte level, or with a hostile YAML fragment spliced in."""
    data = bytearray(seed_text)
    for _ in range(rng.randint(1, 3)):
        roll = rng.random()
        spot = rng.randrange(len(data) + 1)
        if roll < 0.4:
            # after a "key: " so the fragment lands where a value goes
            colon = data.find(b": ", spot)
            at = colon + 2 if colon >= 0 else spot
            end = data.find(b"\n", at)
            data[at : end if end >= 0 else at] = rng.choice(MINIMAL_FIELDS)
        elif roll < 0.6:
            anchor = data.find(b": ", spot)
            if anchor >= 0:
                data[anchor + 2 : anchor + 2] = b"&a "
                data += b"\nx: [" + b", ".join([b"*a"] * rng.choice([10, 1000, 20000])) + b"]\n"
        else:
            data = bytearray(mutate(bytes(data), rng))
    return bytes(data)
