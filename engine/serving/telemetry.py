"""`--tracing`: the OpenTelemetry SDK set up for this process, and engine/calls/tracing.py switched on.

Imported only when tracing is asked for: without it the SDK is never imported (the `opentelemetry-api`
the mcp package depends on is, by the mcp package itself). Spans are exported as the standard
`OTEL_*` variables say: `OTEL_TRACES_EXPORTER` `otlp` (the default: OTLP over HTTP, to
`OTEL_EXPORTER_OTLP_ENDPOINT` or http://localhost:4318) or `console` (stderr: stdout is the protocol's),
`OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` to name the service.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

from .. import __version__
from ..calls import tracing
from ..calls.connection import StartupError

INSTRUMENTATION = "mcp-engine"  # the instrumentation scope: this engine, whatever product it serves


def start_tracing(service: str, version: str, record_content: bool, install_hint: str) -> Callable[[], None]:
    """Installs the tracer provider and turns the engine's spans on; returns the shutdown (it flushes)."""
    try:
        from opentelemetry import trace
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
    except ImportError:
        raise StartupError(f"--tracing needs the OpenTelemetry SDK: {install_hint}") from None
    kind = os.environ.get("OTEL_TRACES_EXPORTER", "otlp").strip().lower() or "otlp"
    exporter: SpanExporter
    if kind == "console":
        exporter = ConsoleSpanExporter(out=sys.stderr)
    elif kind == "otlp":
        try:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        except ImportError:
            raise StartupError(
                f"--tracing with the otlp exporter needs it installed: {install_hint}"
            ) from None
        exporter = OTLPSpanExporter()
    else:
        raise StartupError(f"OTEL_TRACES_EXPORTER={kind!r} is not supported here: use otlp or console")
    provider = TracerProvider(resource=Resource.create({"service.name": service, "service.version": version}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)  # the mcp SDK's own spans (tools/call ...) go there too
    tracing.enable(provider.get_tracer(INSTRUMENTATION, __version__), record_content)

    def shutdown() -> None:
        tracing.disable()
        provider.shutdown()

    return shutdown
