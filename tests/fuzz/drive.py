"""One fuzz step per input class, shared by the short pytest run and the long run."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from hoursmith_mcp.engine.manifest.loader import load_manifest

from ..reliability.fixture_upstream import Raw
from . import inputs
from .targets import TOKEN, Figures, HttpTarget, StdioTarget, Upstream, check_manifest, validate_command

MINIMAL = (Path(__file__).parents[1] / "manifests" / "minimal.yaml").read_bytes()
HOSTILE_HEADERS = [
    {"Host": "127.0.0.1:1.evil.example"},
    {"Origin": "http://localhost.evil.example"},
    {"Origin": "null"},
    {"Mcp-Session-Id": "x" * 5000},
    {"Mcp-Session-Id": "../../etc"},
    {"Content-Type": "text/plain"},
    {"Mcp-Protocol-Version": "1999-01-01"},
]


class Tools:
    def __init__(self, manifest: Path) -> None:
        self.all = list(load_manifest(manifest).tools)
        self.reads = [tool for tool in self.all if tool.method == "GET"]


def protocol_step(target: StdioTarget, tools: Tools, rng: random.Random) -> None:
    line = inputs.protocol_line(rng, tools.all, TOKEN, target.fresh_id())
    target.send("protocol (stdio)", line)


def arguments_step(target: StdioTarget, tools: Tools, rng: random.Random) -> None:
    tool = rng.choice(tools.all)
    arguments = inputs.tool_arguments(rng, tool, TOKEN)
    request = {"jsonrpc": "2.0", "id": target.fresh_id(), "method": "tools/call",
               "params": {"name": tool.name, "arguments": arguments}}  # fmt: skip
    target.send("arguments", json.dumps(request).encode("utf-8", "surrogatepass"), (tool.name, arguments))


def answers_step(target: StdioTarget, upstream: Upstream, tools: Tools, rng: random.Random) -> None:
    if rng.random() < 0.05:  # a lying length costs a timeout or two: rarer than the rest
        raw = inputs.raw_reply(rng, TOKEN)
        upstream.next_reply = Raw(raw)
        status, headers, body = 0, {}, raw
    else:
        status, headers, body = inputs.upstream_reply(rng, TOKEN, f"Bearer {TOKEN}")
        upstream.reply_with(status, headers, body)
    tool = rng.choice(tools.reads)
    arguments: dict[str, Any] = {arg.name: "id1" for arg in tool.arguments if arg.required}
    request = {"jsonrpc": "2.0", "id": target.fresh_id(), "method": "tools/call",
               "params": {"name": tool.name, "arguments": arguments}}  # fmt: skip
    target.send("answers", json.dumps(request).encode(), (status, headers, body[:200]))
    upstream.fixture.requests.clear()  # checked as they came in; the long run must not keep them


def http_step(target: HttpTarget, tools: Tools, rng: random.Random) -> None:
    body = inputs.protocol_line(rng, tools.all, TOKEN, rng.randint(10, 10**6))
    headers = rng.choice(HOSTILE_HEADERS) if rng.random() < 0.15 else None
    target.send("protocol (HTTP)", body, (body[:300], headers), headers)


def manifest_step(figures: Figures, rng: random.Random, with_command: bool = False) -> None:
    text = inputs.manifest_text(rng, MINIMAL)
    check_manifest(figures, text)
    if with_command:
        validate_command(figures, text)
