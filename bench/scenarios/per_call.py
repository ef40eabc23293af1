"""Per-call overhead: tools/call get_client through stdio versus the same GET made directly with httpx.

Targets, each measured in the same run and interleaved in blocks:
- ours: our server's get_client;
- floor-http: the floor server doing the same GET with httpx (SDK + httpx, no engine);
- floor-noop: the floor's constant tool (the SDK's own message handling, no HTTP);
- httpx: the GET alone, from the bench process.
The engine's added cost is ours - httpx - floor-noop.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack

import httpx

from bench import fixtures as fx
from bench.profiles import pstats_top
from bench.report import Row, Section, median, ms, percentile
from bench.rpc import StdioPeer, python_env
from bench.settings import Settings

Call = Callable[[], Awaitable[object]]
BLOCK = 50
ADDED_TARGET = 0.001
LEVELS = (1, 8, 32)
SCALING_TARGET = 0.9  # "scales" on 2 shared cores = does not fall behind c=1 (10% for noise)


async def started(stack: AsyncExitStack, argv: list[str], env: dict[str, str]) -> StdioPeer:
    peer = await StdioPeer.spawn(argv, env)
    stack.push_async_callback(peer.close)
    await peer.handshake()
    return peer


def tool_call(peer: StdioPeer, name: str, arguments: dict[str, object]) -> Call:
    async def call() -> object:
        answer = await peer.call_tool(name, arguments)
        if answer.result.get("isError"):
            raise RuntimeError(f"{name} failed: {str(answer.result)[:300]}")
        return answer

    return call


def direct_get(client: httpx.AsyncClient, url: str) -> Call:
    async def call() -> object:
        response = await client.get(url)
        response.raise_for_status()
        return response.json()

    return call


async def latencies(calls: dict[str, Call], count: int) -> dict[str, list[float]]:
    """`count` sequential calls per target, in blocks that rotate between targets to share the noise."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    names = list(calls)
    for block in range(max(1, count // BLOCK)):
        for name in names[block % len(names) :] + names[: block % len(names)]:
            call = calls[name]
            for _ in range(BLOCK):
                begin = time.perf_counter()
                await call()
                samples[name].append(time.perf_counter() - begin)
    return samples


async def throughput(call: Call, total: int, concurrency: int) -> float:
    """Calls per second with `concurrency` calls in flight."""
    remaining = total

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await call()

    begin = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return total / (time.perf_counter() - begin)


async def rotating_rates(calls: dict[str, Call], cfg: Settings) -> dict[int, dict[str, float]]:
    """Median calls/s per level and target over rounds that rotate the targets (noise is shared)."""
    names = ["ours", "floor-http", "httpx"]
    rates: dict[int, dict[str, float]] = {}
    for level in LEVELS:
        rounds: dict[str, list[float]] = {name: [] for name in names}
        for index in range(cfg.throughput_rounds):
            for name in names[index % 3 :] + names[: index % 3]:
                total = cfg.throughput_calls // cfg.throughput_rounds
                rounds[name].append(await throughput(calls[name], total, level))
        rates[level] = {name: median(values) for name, values in rounds.items()}
    return rates


async def warm(calls: dict[str, Call], count: int) -> None:
    for call in calls.values():
        for _ in range(count):
            await call()


async def run(cfg: Settings) -> list[Section]:
    client_id, body = fx.get_client_example()
    definitions = fx.write_json(cfg.workdir / "floor-31.json", fx.definitions())
    headers = {"Authorization": f"Bearer {fx.TOKEN}", "Accept": "application/json"}
    sections = []
    with fx.responder(body, cfg.workdir) as url:
        env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": url})
        async with AsyncExitStack() as stack:
            client = await stack.enter_async_context(httpx.AsyncClient(headers=headers))
            ours = await started(stack, fx.ours_argv(), env)
            floor = await started(stack, fx.floor_argv(definitions), env)
            calls = {
                "ours": tool_call(ours, "get_client", {"client_id": client_id}),
                "floor-http": tool_call(floor, "get_client", {"client_id": client_id}),
                "floor-noop": tool_call(floor, "noop", {}),
                "httpx": direct_get(client, f"{url}/clients/{client_id}"),
            }
            await warm(calls, cfg.warmup_calls)
            samples = await latencies(calls, cfg.latency_calls)
            sections.append(latency_section(samples, cfg, "instant upstream (bench/responder.py)", True))
            rates = await rotating_rates(calls, cfg)
            sections.append(throughput_section(rates, cfg))
        if cfg.profiles:
            await profile_calls(sections[0], env, client_id, cfg)
    with fx.sandbox() as url:
        env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": url})
        async with AsyncExitStack() as stack:
            client = await stack.enter_async_context(httpx.AsyncClient(headers=headers))
            listing = (await client.get(f"{url}/clients", params={"limit": 1})).json()
            sandbox_client = listing["data"][0]["id"]
            ours = await started(stack, fx.ours_argv(), env)
            floor = await started(stack, fx.floor_argv(definitions), env)
            calls = {
                "ours": tool_call(ours, "get_client", {"client_id": sandbox_client}),
                "floor-noop": tool_call(floor, "noop", {}),
                "httpx": direct_get(client, f"{url}/clients/{sandbox_client}"),
            }
            await warm(calls, cfg.warmup_calls)
            samples = await latencies(calls, cfg.sandbox_calls)
            sections.append(latency_section(samples, cfg, "the sandbox (bench/sandbox_proc.py)", False))
    return sections


def latency_section(samples: dict[str, list[float]], cfg: Settings, upstream: str, primary: bool) -> Section:
    section = Section(f"Per-call latency, tools/call get_client against {upstream}")
    ours, direct, noop = samples["ours"], samples["httpx"], samples["floor-noop"]
    for label, fraction in (("p50", 0.5), ("p99", 0.99)):
        o, d = percentile(ours, fraction), percentile(direct, fraction)
        section.add(
            Row(f"get_client {label} (floor: httpx GET alone)", ms(o), ms(d), f"+{(o - d) * 1000:.2f} ms")
        )
    section.add(Row("SDK message handling p50 (floor noop tool)", "", ms(median(noop)), "context"))
    if "floor-http" in samples:
        fh = median(samples["floor-http"])
        section.add(
            Row(
                "get_client p50 vs floor server doing the same GET",
                ms(median(ours)),
                ms(fh),
                f"+{(median(ours) - fh) * 1000:.2f} ms",
            )
        )
    added = median(ours) - median(direct) - median(noop)
    section.add(
        Row(
            "engine's added p50 = ours - httpx - SDK noop",
            f"{added * 1000:.2f} ms",
            "",
            f"{added * 1000:.2f} ms",
            "<= 1 ms" if primary else "",
            added <= ADDED_TARGET if primary else None,
        )
    )
    section.notes.append(
        f"{len(ours)} sequential calls per target in rotating blocks of {BLOCK}, after "
        f"{cfg.warmup_calls} warm-up calls each; one stdio connection per server for the whole run."
    )
    return section


def throughput_section(rates: dict[int, dict[str, float]], cfg: Settings) -> Section:
    section = Section("Throughput, get_client against the instant upstream (calls/s)")
    base = rates[LEVELS[0]]["ours"]
    for level in LEVELS:
        r = rates[level]
        scaled = r["ours"] / base
        section.add(
            Row(
                f"concurrency {level} (floor: SDK + httpx)",
                f"{r['ours']:.0f}/s",
                f"{r['floor-http']:.0f}/s",
                f"{r['ours'] / r['floor-http']:.2f}x floor; {scaled:.2f}x c=1",
                "" if level == LEVELS[0] else f">= {SCALING_TARGET:.1f}x c=1",
                None if level == LEVELS[0] else scaled >= SCALING_TARGET,
            )
        )
    section.add(
        Row(
            "  httpx alone, c=1 / 8 / 32",
            "",
            " / ".join(f"{rates[lv]['httpx']:.0f}/s" for lv in LEVELS),
            "context",
        )
    )
    section.notes.append(
        f"{cfg.throughput_calls} calls per server and level in {cfg.throughput_rounds} rotating rounds "
        "(median rate), one stdio connection, requests pipelined up to the concurrency. The machine has "
        "2 cores shared by the bench client, the server and the upstream, so scaling means not "
        "degrading (a server that serialised calls would fall behind as calls wait)."
    )
    return section


async def profile_calls(section: Section, env: dict[str, str], client_id: str, cfg: Settings) -> None:
    """cProfile of our server process over 1,000 calls (the evidence when the added cost is too high)."""
    if not section.missed:
        return
    import sys

    profile_file = cfg.workdir / "ours-calls.prof"
    argv = [sys.executable, "-m", "cProfile", "-o", str(profile_file), "-m", "hoursmith_mcp", "serve"]
    peer = await StdioPeer.spawn(argv, env)
    try:
        await peer.handshake()
        for _ in range(1000):
            await peer.call_tool("get_client", {"client_id": client_id})
    finally:
        await peer.close(30)
    section.notes += [
        "cProfile of our server over 1,000 get_client calls (`python -m cProfile -m hoursmith_mcp serve`), "
        "top by own time (tottime, cumtime, calls):",
        "",
        "```",
        *pstats_top(profile_file, 20),
        "```",
        "",
        "Top by cumulative time:",
        "",
        "```",
        *pstats_top(profile_file, 25, sort="cumtime"),
        "```",
    ]
