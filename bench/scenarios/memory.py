"""Memory: peak RSS after 1,000 calls versus the floor, and growth from call 1,000 to the last call."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

from bench import fixtures as fx
from bench.report import Row, Section, kib
from bench.rpc import StdioPeer, python_env
from bench.settings import Settings

RATIO_TARGET = 1.25
GROWTH_ALLOWANCE_KIB = 1024  # the allocator's arenas settle in steps; more than this is growth
CHUNK = 100
CONCURRENCY = 4


async def calls(peer: StdioPeer, count: int, client_id: str) -> None:
    remaining = count

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            answer = await peer.call_tool("get_client", {"client_id": client_id})
            if answer.result.get("isError"):
                raise RuntimeError(str(answer.result)[:300])

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))


async def advance(peers: dict[str, StdioPeer], count: int, client_id: str) -> None:
    """Both servers take `count` more calls, alternating in chunks."""
    for _ in range(count // CHUNK):
        for peer in peers.values():
            await calls(peer, CHUNK, client_id)


async def run(cfg: Settings) -> Section:
    section = Section("Memory of the server process (/proc/<pid>/status)")
    client_id, body = fx.get_client_example()
    definitions = fx.write_json(cfg.workdir / "floor-31.json", fx.definitions())
    with fx.responder(body, cfg.workdir) as url:
        env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": url})
        async with AsyncExitStack() as stack:
            peers: dict[str, StdioPeer] = {}
            for name, argv in (("ours", fx.ours_argv()), ("floor", fx.floor_argv(definitions))):
                peer = await StdioPeer.spawn(argv, env)
                stack.push_async_callback(peer.close)
                await peer.handshake()
                await peer.request("tools/list")
                peers[name] = peer
            at_start = {name: peer.memory_kib() for name, peer in peers.items()}
            await advance(peers, cfg.memory_first, client_id)
            first = {name: peer.memory_kib() for name, peer in peers.items()}
            await advance(peers, cfg.memory_last - cfg.memory_first, client_id)
            last = {name: peer.memory_kib() for name, peer in peers.items()}
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
    section.notes.append(
        "get_client against the instant upstream, 4 calls in flight, both servers advancing in alternating "
        f"chunks of {CHUNK}; the floor server makes the same GET with httpx."
    )
    return section
