"""Memory: peak RSS after 1,000 calls and growth to the last call versus the floor, and what a call of the
largest answer holds at its peak, beside each peer."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from typing import Any

from bench import fixtures as fx
from bench.report import Row, Section, Table, kib
from bench.rpc import StdioPeer, python_env
from bench.settings import Settings

RATIO_TARGET = 1.25
GROWTH_ALLOWANCE_KIB = 1024  # the allocator's arenas settle in steps; more than this is growth
CHUNK = 100
CONCURRENCY = 4
LARGEST_CALLS = 200  # calls of the largest answer per level, after the small-call phases
LARGEST_LEVELS = (1, 32)


async def calls(peer: StdioPeer, count: int, tool: str, arguments: dict[str, Any], concurrency: int) -> None:
    remaining = count

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            answer = await peer.call_tool(tool, arguments)
            if answer.result.get("isError"):
                raise RuntimeError(str(answer.result)[:300])

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def advance(peers: dict[str, StdioPeer], count: int, client_id: str) -> None:
    """Both servers take `count` more get_client calls, alternating in chunks."""
    for _ in range(count // CHUNK):
        for peer in peers.values():
            await calls(peer, CHUNK, "get_client", {"client_id": client_id}, CONCURRENCY)


async def run(cfg: Settings) -> Section:
    section = Section("Memory of the server process (/proc/<pid>/status)")
    with fx.upstream(cfg.workdir) as (url, data):
        env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": url})
        async with AsyncExitStack() as stack:
            argvs = {"ours": fx.ours_argv(), "floor": fx.floor_argv(fx.floor_spec(cfg.workdir))}
            if fx.fastmcp_installed():
                argvs["FastMCP"] = fx.fastmcp_argv(fx.openapi_file(cfg.workdir))
            servers: dict[str, StdioPeer] = {}
            for name, argv in argvs.items():
                peer = await StdioPeer.spawn(argv, env)
                stack.push_async_callback(peer.close)
                await peer.handshake()
                await peer.request("tools/list")
                servers[name] = peer
            pair = {name: servers[name] for name in ("ours", "floor")}
            at_start = {name: peer.memory_kib() for name, peer in pair.items()}
            await advance(pair, cfg.memory_first, data.client_id)
            first = {name: peer.memory_kib() for name, peer in pair.items()}
            await advance(pair, cfg.memory_last - cfg.memory_first, data.client_id)
            last = {name: peer.memory_kib() for name, peer in pair.items()}
            largest = await largest_answer(servers)
    section.add(
        Row(
            "RSS after start-up and tools/list",
            kib(at_start["ours"]["VmRSS"]),
            kib(at_start["floor"]["VmRSS"]),
            f"{at_start['ours']['VmRSS'] / at_start['floor']['VmRSS']:.2f}x",
        )
    )
    ratio = first["ours"]["VmHWM"] / first["floor"]["VmHWM"]
    section.add(
        Row(
            f"peak RSS (VmHWM) after {cfg.memory_first:,} calls",
            kib(first["ours"]["VmHWM"]),
            kib(first["floor"]["VmHWM"]),
            f"{ratio:.2f}x",
            f"<= {RATIO_TARGET:.2f}x",
            ratio <= RATIO_TARGET,
        )
    )
    growth = {name: last[name]["VmRSS"] - first[name]["VmRSS"] for name in last}
    section.add(
        Row(
            f"RSS growth, call {cfg.memory_first:,} -> {cfg.memory_last:,}",
            f"{growth['ours']:+,} KiB",
            f"{growth['floor']:+,} KiB",
            f"peak {kib(last['ours']['VmHWM'])}",
            f"<= {GROWTH_ALLOWANCE_KIB:,} KiB",
            growth["ours"] <= GROWTH_ALLOWANCE_KIB,
        )
    )
    section.tables.append(largest)
    section.notes.append(
        "get_client against the fixture upstream, 4 calls in flight, ours and the floor advancing in "
        f"alternating chunks of {CHUNK}; the floor server makes the same GET with httpx. Then, per server, "
        f"{LARGEST_CALLS} calls of the largest answer (the 200-record list) one at a time, then "
        f"{LARGEST_CALLS} with 32 in flight: the rise of the peak RSS over the peak before them is what "
        "those calls held at once (with 32 in flight, divided by 32: per call)."
    )
    return section


async def largest_answer(servers: dict[str, StdioPeer]) -> Table:
    table = Table(("memory, 200-record list", *servers))
    before = {name: peer.memory_kib()["VmHWM"] for name, peer in servers.items()}
    rises: dict[int, dict[str, int]] = {}
    for level in LARGEST_LEVELS:
        rises[level] = {}
        for name, peer in servers.items():
            arguments = {"limit": 200}
            await calls(peer, LARGEST_CALLS, "list_time_entries", arguments, level)
            rises[level][name] = peer.memory_kib()["VmHWM"] - before[name]
    table.rows.append(("peak RSS before", *(kib(v) for v in before.values())))
    table.rows.append(("peak rise, 1 call at a time", *(f"+{rises[1][n]:,} KiB" for n in servers)))
    table.rows.append(
        (
            "peak rise, 32 in flight (per call)",
            *(f"+{rises[32][n]:,} KiB ({rises[32][n] / 32:,.0f} KiB)" for n in servers),
        )
    )
    return table
