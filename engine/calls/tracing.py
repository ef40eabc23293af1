"""OpenTelemetry spans for tool calls and upstream requests: optional, off by default, free when off.

Off, nothing here is imported beyond this module and every hook is one test of a module global. On
(`serve --tracing`, with the `tracing` extra installed; serving/telemetry.py sets it up), each tool
call is traced following the OpenTelemetry semantic conventions for MCP and GenAI tools:

    tools/call get_me         SERVER    the mcp SDK's own span (mcp.method.name, jsonrpc.request.id,
                                        parented by the client's trace context from params._meta)
      execute_tool get_me     INTERNAL  ours: gen_ai.operation.name, gen_ai.tool.name, error.type
        GET                   CLIENT    ours, one per upstream attempt: http.request.method,
                                        url.template, server.address/port, http.response.status_code,
                                        http.request.resend_count (a retry), error.type

Never recorded: the token, any header, argument values (`url.full` would hold them in path and query,
so only `url.template` is set) and results. With `record_content` (the operator's opt-in,
`--trace-content`) the span also gets `gen_ai.tool.call.arguments` and `gen_ai.tool.call.result`,
both passed through the redactor first and cut at CONTENT_LIMIT characters.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from opentelemetry.trace import Span, Tracer

    from .outcome import ToolOutcome
    from .redaction import Redactor

CONTENT_LIMIT = 4096

tracer: Tracer | None = None  # None: tracing is off, and every hook below is skipped by its caller
_record_content = False


def enable(new_tracer: Tracer, record_content: bool = False) -> None:
    global tracer, _record_content
    tracer, _record_content = new_tracer, record_content


def disable() -> None:
    global tracer, _record_content
    tracer, _record_content = None, False


@contextmanager
def tool_span(tool_name: str, arguments: dict[str, Any] | None, redactor: Redactor) -> Iterator[Span]:
    """The span of one tool call; `finish_tool` records how it ended."""
    from opentelemetry.trace import SpanKind

    assert tracer is not None
    attributes: dict[str, Any] = {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": tool_name,
        "gen_ai.tool.type": "extension",  # runs on the agent's side and calls an external API
    }
    if _record_content:
        attributes["gen_ai.tool.call.arguments"] = _content(redactor.data(arguments or {}))
    with tracer.start_as_current_span(
        f"execute_tool {tool_name}", kind=SpanKind.INTERNAL, attributes=attributes, record_exception=False
    ) as span:
        yield span


def finish_tool(span: Span, outcome: ToolOutcome) -> None:
    from opentelemetry.trace import StatusCode

    if outcome.is_error:
        error = outcome.structured.get("error")
        code = error.get("code") if isinstance(error, dict) else None
        span.set_attribute("error.type", str(code or "tool_error"))
        span.set_status(StatusCode.ERROR)
    elif _record_content:
        span.set_attribute("gen_ai.tool.call.result", _content(outcome.structured))  # already redacted


@contextmanager
def http_span(method: str, url: str, template: str, attempt: int) -> Iterator[Span]:
    """The span of one upstream attempt; `finish_http` records its status."""
    from opentelemetry.trace import SpanKind, StatusCode

    assert tracer is not None
    parts = urlsplit(url)
    attributes: dict[str, Any] = {
        "http.request.method": method,
        "url.template": template,
        "server.address": parts.hostname or "",
        "server.port": parts.port or (443 if parts.scheme == "https" else 80),
    }
    if attempt > 1:
        attributes["http.request.resend_count"] = attempt - 1
    with tracer.start_as_current_span(
        method,
        kind=SpanKind.CLIENT,
        attributes=attributes,
        record_exception=False,
        set_status_on_exception=False,
    ) as span:
        try:
            yield span
        except BaseException as exc:
            # The kind of failure only: exception text could carry a URL with argument values.
            span.set_attribute("error.type", type(exc).__name__)
            span.set_status(StatusCode.ERROR)
            raise


def finish_http(span: Span, status: int) -> None:
    from opentelemetry.trace import StatusCode

    span.set_attribute("http.response.status_code", status)
    if status >= 400:
        span.set_attribute("error.type", str(status))
        span.set_status(StatusCode.ERROR)


def _content(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= CONTENT_LIMIT else text[:CONTENT_LIMIT] + "…"
