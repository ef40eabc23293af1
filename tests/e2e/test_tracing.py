"""OpenTelemetry spans (serve --tracing): what they carry, how they nest, what they never hold.

Exported to memory: one tracer provider for the module, set globally so that the mcp SDK's own server
spans are recorded too and the nesting can be checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from hoursmith_mcp.engine.calls import tracing
from hoursmith_mcp.sandbox.runner import RunningSandbox
from hoursmith_mcp.sandbox.seed import SEEDED_TOKENS

from .support import ERAS, in_process_client, role_token

pytestmark = pytest.mark.anyio


@pytest.fixture(scope="module")
def provider() -> Iterator[tuple[TracerProvider, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    yield provider, exporter
    provider.shutdown()


@pytest.fixture
def spans(provider: tuple[TracerProvider, InMemorySpanExporter]) -> Iterator[InMemorySpanExporter]:
    """Tracing on (no content) for the test; its spans in the exporter."""
    tracer_provider, exporter = provider
    exporter.clear()
    tracing.enable(tracer_provider.get_tracer("test"))
    yield exporter
    tracing.disable()


def named(finished: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [s for s in finished if s.name == name]


def parent_of(span: ReadableSpan, finished: tuple[ReadableSpan, ...]) -> ReadableSpan:
    assert span.parent is not None
    return next(s for s in finished if s.context.span_id == span.parent.span_id)


@pytest.mark.parametrize("era", ERAS)
async def test_a_tool_call_is_a_span_under_the_sdks_and_each_request_one_under_it(
    upstream: RunningSandbox, fresh: httpx.Client, spans: InMemorySpanExporter, era: str
) -> None:
    async with in_process_client(upstream, role_token("OWNER"), era) as client:
        await client.call_tool("get_me", {})
    finished = spans.get_finished_spans()
    [tool] = named(finished, "execute_tool get_me")
    [request] = named(finished, "GET")
    assert tool.kind == SpanKind.INTERNAL and tool.status.status_code != StatusCode.ERROR
    assert dict(tool.attributes or {}) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "get_me",
        "gen_ai.tool.type": "extension",
    }
    sdk = parent_of(tool, finished)  # the mcp SDK's own server span for the request
    assert sdk.name == "tools/call get_me" and sdk.kind == SpanKind.SERVER
    assert parent_of(request, finished) is tool and request.kind == SpanKind.CLIENT
    attributes = dict(request.attributes or {})
    assert attributes["http.request.method"] == "GET" and attributes["url.template"] == "/api/v1/me"
    assert attributes["http.response.status_code"] == 200 and attributes["server.address"] == "127.0.0.1"
    assert "http.request.resend_count" not in attributes and "url.full" not in attributes


async def test_errors_and_retries_are_on_the_spans(
    upstream: RunningSandbox, fresh: httpx.Client, spans: InMemorySpanExporter
) -> None:
    fault = {"method": "GET", "path": "/api/v1/projects", "status": 503, "times": 1}
    assert fresh.post("/_sandbox/faults", json=fault).status_code in (200, 201)
    async with in_process_client(upstream, role_token("MEMBER"), "legacy") as client:
        await client.call_tool("list_clients", {})  # 403 for a Member
        await client.call_tool("list_projects", {})  # 503, retried, then 200
    finished = spans.get_finished_spans()
    [refused] = named(finished, "execute_tool list_clients")
    assert refused.status.status_code == StatusCode.ERROR
    assert (refused.attributes or {})["error.type"] == "forbidden_scope"
    first, second = sorted(
        (s for s in named(finished, "GET") if parent_of(s, finished).name == "execute_tool list_projects"),
        key=lambda s: s.start_time or 0,
    )
    assert (first.attributes or {})["error.type"] == "503" and first.status.status_code == StatusCode.ERROR
    assert (second.attributes or {})["http.request.resend_count"] == 1
    assert (second.attributes or {})["http.response.status_code"] == 200


async def test_spans_never_hold_the_token_arguments_or_results(
    upstream: RunningSandbox, fresh: httpx.Client, spans: InMemorySpanExporter
) -> None:
    token = role_token("OWNER")
    async with in_process_client(upstream, token, "legacy") as client:
        await client.call_tool("list_clients", {"search": "needle-7781"})
        await client.call_tool("create_client", {"name": "Quiet Harbour Co", "currency": "EUR"})
    dumped = "".join(s.to_json() for s in spans.get_finished_spans())
    assert "execute_tool create_client" in dumped
    for secret in [s.token for s in SEEDED_TOKENS] + [
        token.rsplit("_", 1)[1],
        "needle-7781",
        "Quiet Harbour",
    ]:
        assert secret not in dumped


async def test_content_is_recorded_only_when_asked_and_then_redacted(
    upstream: RunningSandbox, fresh: httpx.Client, provider: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    tracer_provider, exporter = provider
    exporter.clear()
    tracing.enable(tracer_provider.get_tracer("test"), record_content=True)
    token = role_token("OWNER")
    try:
        async with in_process_client(upstream, token, "legacy") as client:
            notes = f"pasted by mistake: {role_token('ADMIN')}"
            await client.call_tool(
                "create_client", {"name": "Loud Harbour Co", "currency": "EUR", "notes": notes}
            )
    finally:
        tracing.disable()
    [span] = named(exporter.get_finished_spans(), "execute_tool create_client")
    arguments = json.loads(str((span.attributes or {})["gen_ai.tool.call.arguments"]))
    result = json.loads(str((span.attributes or {})["gen_ai.tool.call.result"]))
    assert arguments["name"] == "Loud Harbour Co" and arguments["notes"] == "pasted by mistake: [REDACTED]"
    assert result["name"] == "Loud Harbour Co"
    assert role_token("ADMIN") not in span.to_json() and token not in span.to_json()


async def test_off_the_engine_makes_no_span(
    upstream: RunningSandbox, fresh: httpx.Client, provider: tuple[TracerProvider, InMemorySpanExporter]
) -> None:
    _, exporter = provider
    exporter.clear()
    assert tracing.tracer is None
    async with in_process_client(upstream, role_token("OWNER"), "legacy") as client:
        await client.call_tool("get_me", {})
    names = {s.name for s in exporter.get_finished_spans()}
    assert "execute_tool get_me" not in names and "GET" not in names


def test_off_the_opentelemetry_sdk_is_never_imported(upstream: RunningSandbox) -> None:
    """A whole call through the engine, in a fresh interpreter, with tracing off."""
    program = (
        "import anyio, sys\n"
        "from tests.e2e.support import in_process_client\n"
        "from hoursmith_mcp.sandbox.runner import RunningSandbox\n"
        "class U: base_url = sys.argv[1]\n"
        "async def main():\n"
        "    async with in_process_client(U, sys.argv[2], 'legacy') as client:\n"
        "        assert not (await client.call_tool('get_me', {})).is_error\n"
        "anyio.run(main)\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('opentelemetry.sdk'))\n"
        "assert not loaded, loaded\n"
        "print('ok')\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", program, upstream.base_url, role_token("OWNER")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr[-2000:]


def test_trace_content_without_tracing_is_a_usage_mistake() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "hoursmith_mcp", "serve", "--sandbox", "--trace-content"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": os.environ.get("PATH", "")},
    )
    assert run.returncode == 2 and "--trace-content" in run.stderr and "needs --tracing" in run.stderr
