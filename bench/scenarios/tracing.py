"""Tracing's cost: off, the OpenTelemetry SDK is never imported and calls cost what they did; on, what
a span per call and per upstream request adds. get_me against the sandbox (its own process), over stdio."""

from __future__ import annotations

from contextlib import AsyncExitStack

from bench import fixtures as fx
from bench.report import Row, Section, median, ms, percentile
from bench.rpc import python_env
from bench.scenarios.per_call import latencies, started, tool_call
from bench.settings import Settings


async def sdk_modules_loaded_with_tracing_off(env: dict[str, str], cfg: Settings) -> list[str]:
    """The opentelemetry.sdk modules a server with tracing off imports over a handshake and a call."""
    log = cfg.workdir / "importtime.log"
    with log.open("wb") as stderr:
        async with AsyncExitStack() as stack:
            peer = await started(stack, fx.ours_argv(), {**env, "PYTHONPROFILEIMPORTTIME": "1"}, stderr)
            await tool_call(peer, "get_me", {})()
    lines = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return [line.rsplit("|", 1)[-1].strip() for line in lines if "opentelemetry.sdk" in line]


async def run(cfg: Settings) -> Section:
    section = Section("Tracing: off costs nothing, on costs a span per call and per request")
    with fx.sandbox() as url:
        env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": url})
        # Spans to the console exporter, which writes to the server's stderr (discarded here): the
        # whole cost of making and exporting them, without a collector to wait on.
        traced_env = {**env, "OTEL_TRACES_EXPORTER": "console"}
        async with AsyncExitStack() as stack:
            off = await started(stack, fx.ours_argv(), env)
            on = await started(stack, fx.ours_argv("--tracing"), traced_env)
            calls = {"off": tool_call(off, "get_me", {}), "on": tool_call(on, "get_me", {})}
            for call in calls.values():
                for _ in range(cfg.warmup_calls):
                    await call()
            samples, _ = await latencies(calls, cfg.latency_calls)
        loaded = await sdk_modules_loaded_with_tracing_off(env, cfg)
    off_p50, on_p50 = median(samples["off"]), median(samples["on"])
    section.rows += [
        Row(
            "opentelemetry.sdk modules imported, tracing off",
            str(len(loaded)),
            "",
            str(len(loaded)),
            "0",
            not loaded,
        ),
        Row(
            "get_me p50, tracing on (floor: off)",
            ms(on_p50),
            ms(off_p50),
            f"+{(on_p50 - off_p50) * 1000:.2f} ms",
        ),
        Row(
            "get_me p99, tracing on (floor: off)",
            ms(percentile(samples["on"], 0.99)),
            ms(percentile(samples["off"], 0.99)),
            "context",
        ),
    ]
    section.notes.append(
        f"{len(samples['off'])} sequential calls per server in rotating blocks, after "
        f"{cfg.warmup_calls} warm-up calls each; `--tracing` with `OTEL_TRACES_EXPORTER=console` "
        "(spans batched and written to the server's stderr). With tracing off the only cost left "
        "in the engine is one test of a module global per call and per upstream attempt; the "
        "per-call section above measures that engine (its 'added p50'). Imports are read from "
        "`PYTHONPROFILEIMPORTTIME` over a handshake and one call; the mcp package itself imports "
        "`opentelemetry-api` (it emits its own spans), never the SDK."
    )
    return section
