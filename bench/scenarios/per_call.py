"""Per-call cost on real-sized answers: our server beside its peers, all in one interleaved run.

Workloads: one record (get_client), a 50-record and a 200-record page (list_time_entries), each answered
by the fixture upstream (bench/upstream.py) from records the sandbox made (bench/dataset.py), so every
server sees the same bytes and the upstream costs next to nothing.

Targets, all started once and measured in rotating blocks so that they share the machine's noise:
- ours: our server, as a client launches it (the console script);
- floor: the bare SDK server making the same HTTP request and passing the answer on (bench/floor_server.py);
- FastMCP: FastMCP's OpenAPI server on the OpenAPI document generated from tools.yaml (the optional
  `bench` extra; reported as absent without it);
- httpx: the HTTP request alone, from the bench process (the upstream's own cost, plus a client's).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from typing import IO, Any

import httpx

from bench import fixtures as fx
from bench.dataset import Dataset
from bench.profiles import pstats_top
from bench.report import Row, Section, Table, median, ms, percentile
from bench.rpc import StdioPeer, python_env
from bench.settings import Settings

Call = Callable[[], Awaitable[object]]
BLOCK = 25
LEVELS = (1, 8, 32)
ADDED_TARGET_MS = 0.5  # the engine's added p50 over the floor, 50-record list
P99_TARGET = 1.2  # p99 ratio to the floor, 50-record list
THROUGHPUT_TARGET = 0.9  # throughput at 8 in flight, ratio to the floor
FASTMCP_TARGET = 0.8  # every per-call figure, ours over FastMCP's (time per call)
PEERS = ("floor", "FastMCP", "httpx")
ABSENT = "absent (pip install -e '.[bench]')"


@dataclass(frozen=True)
class Workload:
    key: str
    label: str
    tool: str
    arguments: dict[str, Any]  # ours and the floor: the tool's argument names
    api_arguments: dict[str, Any]  # FastMCP: the API's names, as the OpenAPI document has them
    path: str  # httpx alone: the same request
    records: int | None  # how many records each answer holds (checked once per target)


def workloads(data: Dataset) -> list[Workload]:
    found = [
        Workload(
            "single",
            "single record (get_client)",
            "get_client",
            {"client_id": data.client_id},
            {"client_id": data.client_id},
            f"/clients/{data.client_id}",
            None,
        )
    ]
    for size in (50, 200):
        found.append(
            Workload(
                f"list{size}",
                f"{size}-record list (list_time_entries limit={size})",
                "list_time_entries",
                {"limit": size},
                {"limit": size},
                f"/time-entries?limit={size}",
                size,
            )
        )
    return found


@dataclass
class Measured:
    """One workload's figures: per-target samples, per-cycle medians, per-round rates."""

    workload: Workload
    samples: dict[str, list[float]]
    cycles: list[dict[str, float]]  # the median of each target's block in each rotation cycle
    rates: dict[int, list[dict[str, float]]]  # level -> one {target: calls/s} per round

    def p(self, target: str, fraction: float) -> float:
        return percentile(self.samples[target], fraction)

    def rate(self, target: str, level: int) -> float:
        return median([r[target] for r in self.rates[level]])


def tool_call(peer: StdioPeer, name: str, arguments: dict[str, Any]) -> Call:
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


async def started(
    stack: AsyncExitStack, argv: list[str], env: dict[str, str], stderr: IO[bytes] | None = None
) -> StdioPeer:
    peer = await StdioPeer.spawn(argv, env, stderr)
    stack.push_async_callback(peer.close)
    await peer.handshake()
    return peer


def rotated(names: Sequence[str], index: int) -> list[str]:
    shift = index % len(names)
    return [*names[shift:], *names[:shift]]


async def latencies(
    calls: dict[str, Call], count: int
) -> tuple[dict[str, list[float]], list[dict[str, float]]]:
    """`count` sequential calls per target, in blocks that rotate between targets to share the noise."""
    samples: dict[str, list[float]] = {name: [] for name in calls}
    cycles: list[dict[str, float]] = []
    for cycle in range(max(1, count // BLOCK)):
        medians: dict[str, float] = {}
        for name in rotated(list(calls), cycle):
            call = calls[name]
            block = []
            for _ in range(BLOCK):
                begin = time.perf_counter()
                await call()
                block.append(time.perf_counter() - begin)
            samples[name] += block
            medians[name] = statistics.median(block)
        cycles.append(medians)
    return samples, cycles


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


async def rounds_of_rates(calls: dict[str, Call], cfg: Settings) -> dict[int, list[dict[str, float]]]:
    rates: dict[int, list[dict[str, float]]] = {}
    per_round = max(LEVELS[-1], cfg.throughput_calls // cfg.throughput_rounds)
    for level in LEVELS:
        rates[level] = []
        for index in range(cfg.throughput_rounds):
            found = {}
            for name in rotated(list(calls), index):
                found[name] = await throughput(calls[name], per_round, level)
            rates[level].append(found)
    return rates


async def check_answers(work: Workload, peers: dict[str, StdioPeer], client: httpx.AsyncClient) -> None:
    """Each target answers the same records: a wrong setup must fail loudly, not measure nonsense."""
    if work.records is None:
        return
    for name, peer in peers.items():
        answer = await peer.call_tool(work.tool, work.api_arguments if name == "FastMCP" else work.arguments)
        structured = answer.result.get("structuredContent") or {}
        held = structured.get("items", structured.get("data"))
        if not isinstance(held, list) or len(held) != work.records:
            raise RuntimeError(
                f"{name} answered {work.tool} without {work.records} records: {str(answer)[:300]}"
            )
    direct = (await client.get(work.path.lstrip("/"))).json()
    if len(direct["data"]) != work.records:
        raise RuntimeError(f"the upstream answered {work.path} with {len(direct['data'])} records")


async def run(cfg: Settings) -> list[Section]:
    measured: list[Measured] = []
    with fx.upstream(cfg.workdir) as (url, data):
        env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": url})
        headers = {"Authorization": f"Bearer {fx.TOKEN}", "Accept": "application/json"}
        async with AsyncExitStack() as stack:
            client = await stack.enter_async_context(httpx.AsyncClient(base_url=url + "/", headers=headers))
            peers = {
                "ours": await started(stack, fx.ours_argv(), env),
                "floor": await started(stack, fx.floor_argv(fx.floor_spec(cfg.workdir)), env),
            }
            if fx.fastmcp_installed():
                peers["FastMCP"] = await started(stack, fx.fastmcp_argv(fx.openapi_file(cfg.workdir)), env)
            noop = {"noop": tool_call(peers["floor"], "noop", {})}
            for work in workloads(data):
                sys.stderr.write(f"bench: calls: {work.label}\n")
                await check_answers(work, peers, client)
                calls: dict[str, Call] = {
                    name: tool_call(
                        peer, work.tool, work.api_arguments if name == "FastMCP" else work.arguments
                    )
                    for name, peer in peers.items()
                }
                calls["httpx"] = direct_get(client, work.path.lstrip("/"))
                for call in [*calls.values(), *noop.values()]:
                    for _ in range(cfg.warmup_calls):
                        await call()
                samples, cycles = await latencies({**calls, **noop}, cfg.latency_calls)
                measured.append(Measured(work, samples, cycles, await rounds_of_rates(calls, cfg)))
    sections = [section(m, cfg) for m in measured]
    if cfg.profiles and any(s.missed for s in sections):
        await profile_calls(sections, cfg)
    return sections


def _ratio_spread(values: list[float]) -> str:
    if len(values) < 4:
        return f"{median(values):.2f}x"
    return f"{median(values):.2f}x ({percentile(values, 0.25):.2f}-{percentile(values, 0.75):.2f})"


def latency_cell(values: list[float], fraction: float) -> str:
    if fraction != 0.5:
        return ms(percentile(values, fraction))
    low, high = percentile(values, 0.25) * 1000, percentile(values, 0.75) * 1000
    return f"{ms(percentile(values, 0.5))} ({low:.2f}-{high:.2f})"


def rate_cell(rounds: list[float]) -> str:
    return f"{median(rounds):.0f}/s ({min(rounds):.0f}-{max(rounds):.0f})"


def section(m: Measured, cfg: Settings) -> Section:
    work = m.workload
    out = Section(f"Per call: {work.label}")
    has = ["ours", *(name for name in PEERS if name in m.samples)]
    headers = ("figure", "ours", *PEERS, *(f"ours / {name}" for name in PEERS))
    table = Table(headers)
    for label, fraction in (("p50 (IQR)", 0.5), ("p99", 0.99)):
        cells = [
            latency_cell(m.samples[name], fraction) if name in has else "absent" for name in ("ours", *PEERS)
        ]
        ratios = []
        for name in PEERS:
            if name not in has:
                ratios.append("")
            elif fraction == 0.5:
                ratios.append(_ratio_spread([c["ours"] / c[name] for c in m.cycles]))
            else:
                ratios.append(f"{m.p('ours', fraction) / m.p(name, fraction):.2f}x")
        table.rows.append((label, *cells, *ratios))
    for level in LEVELS:
        rounds = m.rates[level]
        cells = [
            rate_cell([r[name] for r in rounds]) if name in has else "absent" for name in ("ours", *PEERS)
        ]
        ratios = [
            _ratio_spread([r["ours"] / r[name] for r in rounds]) if name in has else "" for name in PEERS
        ]
        table.rows.append((f"throughput, {level} in flight", *cells, *ratios))
    noop = median(m.samples["noop"])
    table.rows.append(("SDK message handling p50 (the floor's noop tool)", "", ms(noop), "", "", "", "", ""))
    out.tables.append(table)
    goals(out, m)
    out.notes.append(
        f"{len(m.samples['ours'])} sequential calls per target in rotating blocks of {BLOCK} after "
        f"{cfg.warmup_calls} warm-up calls; throughput: {cfg.throughput_rounds} rotating rounds of "
        f"{max(LEVELS[-1], cfg.throughput_calls // cfg.throughput_rounds)} calls per target and level, "
        "pipelined up to the level on one stdio connection. Spreads: latency cells give the interquartile "
        "range of the calls; ratio cells the median and interquartile range of the ratios of each rotation "
        "cycle (latency) or round (throughput). Ratios are ours / the peer's figure: below 1 is faster for "
        "latency, above 1 is faster for throughput. The machine has 2 cores shared by the bench client, the "
        "servers and the upstream."
    )
    return out


def goals(out: Section, m: Measured) -> None:
    """The issue's per-call goals that this workload carries (issue 15's Goals table)."""
    work = m.workload
    if work.key == "list50":
        added = (m.p("ours", 0.5) - m.p("floor", 0.5)) * 1000
        out.add(
            Row(
                "engine's added p50 over the floor, 50-record list",
                ms(m.p("ours", 0.5)),
                ms(m.p("floor", 0.5)),
                f"{added:+.2f} ms",
                f"<= {ADDED_TARGET_MS} ms",
                added <= ADDED_TARGET_MS,
            )
        )
        ratio = m.p("ours", 0.99) / m.p("floor", 0.99)
        out.add(
            Row(
                "p99, 50-record list, ratio to the floor",
                ms(m.p("ours", 0.99)),
                ms(m.p("floor", 0.99)),
                f"{ratio:.2f}x",
                f"<= {P99_TARGET:.1f}x",
                ratio <= P99_TARGET,
            )
        )
    if work.key in ("single", "list50"):
        ours, floor = m.rate("ours", 8), m.rate("floor", 8)
        out.add(
            Row(
                f"throughput at 8 in flight, {work.label.split(' (')[0]}, ratio to the floor",
                f"{ours:.0f}/s",
                f"{floor:.0f}/s",
                f"{ours / floor:.2f}x",
                f">= {THROUGHPUT_TARGET:.1f}x",
                ours / floor >= THROUGHPUT_TARGET,
            )
        )
    figure = f"every per-call figure, {work.label.split(' (')[0]}, ratio to FastMCP"
    if "FastMCP" not in m.samples:
        out.add(Row(figure, "", "", f"FastMCP {ABSENT}"))
        return
    # Cost ratios (time per call), so that latency and throughput read the same way: below 1 is cheaper.
    costs = {
        "p50": m.p("ours", 0.5) / m.p("FastMCP", 0.5),
        "p99": m.p("ours", 0.99) / m.p("FastMCP", 0.99),
        **{f"{level} in flight": m.rate("FastMCP", level) / m.rate("ours", level) for level in LEVELS},
    }
    worst = max(costs, key=lambda k: costs[k])
    out.add(
        Row(
            figure,
            f"worst: {worst}",
            "",
            f"{costs[worst]:.2f}x ({', '.join(f'{k} {v:.2f}' for k, v in costs.items())})",
            f"<= {FASTMCP_TARGET:.1f}x",
            costs[worst] <= FASTMCP_TARGET,
        )
    )


async def profile_calls(sections: list[Section], cfg: Settings) -> None:
    """cProfile of our server over 1,000 calls of the 50-record list: the evidence for a missed goal."""
    profile_file = cfg.workdir / "ours-calls.prof"
    argv = [sys.executable, "-m", "cProfile", "-o", str(profile_file), "-m", "hoursmith_mcp", "serve"]
    with fx.upstream(cfg.workdir) as (url, _):
        env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": url})
        peer = await StdioPeer.spawn(argv, env)
        try:
            await peer.handshake()
            for _ in range(1000):
                await peer.call_tool("list_time_entries", {"limit": 50})
        finally:
            await peer.close(30)
    target = next(s for s in sections if "50-record" in s.title)
    target.notes += [
        "cProfile of our server over 1,000 calls of the 50-record list (`python -m cProfile -m hoursmith_mcp "
        "serve`), top by own time (tottime, cumtime, calls):",
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
