"""Cold start: spawn -> initialize -> tools/list answered, ours (31 tools) beside the bare SDK floor and
FastMCP's OpenAPI server on the same operations (when the `bench` extra is installed)."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from bench import fixtures as fx
from bench.profiles import import_times, importtime_env, stages
from bench.report import Row, Section, median, ms
from bench.rpc import StdioPeer, python_env
from bench.settings import Settings

TARGET = 1.05  # to the floor
FASTMCP_TARGET = 0.6


async def time_to_tools_list(argv: list[str], env: dict[str, str], stderr_file: Path | None = None) -> float:
    """Seconds from spawn to the tools/list answer; the process is stopped afterwards (not timed)."""
    stderr = stderr_file.open("wb") if stderr_file else None
    try:
        started = time.perf_counter()
        peer = await StdioPeer.spawn(argv, env, stderr)
        try:
            await peer.handshake()
            await peer.request("tools/list")
            elapsed = time.perf_counter() - started
        finally:
            await peer.close()
        return elapsed
    finally:
        if stderr:
            stderr.close()


async def interpreter_start(env: dict[str, str]) -> float:
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass", env=env)
    await process.wait()
    return time.perf_counter() - started


async def interleaved(
    pairs: dict[str, tuple[list[str], dict[str, str]]], reps: int
) -> dict[str, list[float]]:
    """Alternate the servers within every repetition (and the order between repetitions)."""
    times: dict[str, list[float]] = {name: [] for name in pairs}
    names = list(pairs)
    for rep in range(reps):
        for name in names[rep % len(names) :] + names[: rep % len(names)]:
            argv, env = pairs[name]
            times[name].append(await time_to_tools_list(argv, env))
    return times


async def run(cfg: Settings) -> Section:
    section = Section("Cold start (spawn -> initialize -> tools/list, stdio)")
    definitions = fx.floor_spec(cfg.workdir)
    # A live upstream (the sandbox, on loopback): serving starts by asking the API who the token acts
    # as (role-aware listing), so ours pays that one round trip; the peers make no call at start.
    with fx.sandbox() as url:
        env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": url})
        pairs = {
            "ours": (fx.ours_argv(), env),
            "floor": (fx.floor_argv(definitions), env),
            "ours, no role lookup": (fx.ours_argv("--no-role-filter"), env),
        }
        if fx.fastmcp_installed():
            pairs["FastMCP"] = (fx.fastmcp_argv(fx.openapi_file(cfg.workdir)), env)
        for argv, argv_env in pairs.values():  # warm the page cache and .pyc files for each
            await time_to_tools_list(argv, argv_env)
        times = await interleaved(pairs, cfg.cold_reps)
        bare = [await interpreter_start(env) for _ in range(cfg.cold_reps)]
    ours, floor = median(times["ours"]), median(times["floor"])
    ratio = ours / floor
    row = section.add(
        Row(
            "spawn -> tools/list, 31 tools (median)",
            ms(ours),
            ms(floor),
            f"{ratio:.2f}x (+{(ours - floor) * 1000:.0f} ms)",
            f"<= {TARGET:.2f}x",
            ratio <= TARGET,
        )
    )
    section.add(
        Row(
            "  fastest run",
            ms(min(times["ours"])),
            ms(min(times["floor"])),
            f"{min(times['ours']) / min(times['floor']):.2f}x",
        )
    )
    if "FastMCP" in times:
        peer = median(times["FastMCP"])
        section.add(
            Row(
                "spawn -> tools/list, 31 tools, ratio to FastMCP's OpenAPI server",
                ms(ours),
                ms(peer),
                f"{ours / peer:.2f}x",
                f"<= {FASTMCP_TARGET:.2f}x",
                ours / peer <= FASTMCP_TARGET,
            )
        )
    else:
        section.add(Row("spawn -> tools/list, ratio to FastMCP's OpenAPI server", "", "", "FastMCP absent"))
    lookup = median(times["ours, no role lookup"])
    section.add(
        Row(
            "  of which learning the role (GET /me at start; --no-role-filter skips it)",
            ms(ours - lookup),
            "",
            f"{lookup / floor:.2f}x the floor without it",
        )
    )
    section.add(Row("  bare interpreter (python -c pass)", "", ms(median(bare)), "context"))
    section.notes.append(
        f"{cfg.cold_reps} interleaved runs each, after one warm-up run each, against the sandbox in "
        "another process; our server is the "
        f"`hoursmith-mcp` console script, the floor is `bench/floor_server.py` (bare low-level `Server`, "
        "the same 31 definitions read from a JSON file written by the bench); FastMCP's figure (the floor "
        "column of its row) is `bench/fastmcp_server.py` on the OpenAPI document generated from tools.yaml."
    )
    if row.met is False and cfg.profiles:
        await explain(section, env, definitions, cfg.workdir)
    return section


async def explain(section: Section, env: dict[str, str], definitions: Path, workdir: Path) -> None:
    """Where our extra start-up time goes: the imports we add, and the manifest work before serving."""
    ours_err, floor_err = workdir / "importtime-ours.txt", workdir / "importtime-floor.txt"
    await time_to_tools_list(fx.ours_argv(), importtime_env(env), ours_err)
    await time_to_tools_list(fx.floor_argv(definitions), importtime_env(env), floor_err)
    ours = import_times(ours_err.read_text(errors="replace"))
    floor = import_times(floor_err.read_text(errors="replace"))
    extra = sorted(((t, m) for m, t in ours.items() if m not in floor), reverse=True)
    by_package: dict[str, float] = {}
    for t, m in extra:
        by_package[m.split(".")[0]] = by_package.get(m.split(".")[0], 0.0) + t
    lines = [
        f"`-X importtime` (self times of every module): ours {sum(ours.values()) * 1000:.0f} ms, floor "
        f"{sum(floor.values()) * 1000:.0f} ms. Modules only ours imports: {len(extra)}, "
        f"{sum(t for t, _ in extra) * 1000:.0f} ms; by top-level package, then the largest modules:",
        "",
        "```",
        *(
            f"{t * 1000:8.1f} ms  {p} (package)"
            for p, t in sorted(by_package.items(), key=lambda kv: -kv[1])[:10]
        ),
        *(f"{t * 1000:8.1f} ms  {m}" for t, m in extra[:10]),
        "```",
    ]
    found = stages(fx.MANIFEST)["stages"]
    lines += [
        "",
        "Stages of a full check in a fresh interpreter (`python bench/stages.py tools.yaml`). Serving pays "
        "them only at the first start after an edit: later starts find the check cache "
        "(engine/manifest/check_cache.py) and only parse the YAML and build the manifest:",
        "",
        "```",
        *(f"{v * 1000:8.1f} ms  {k}" for k, v in found.items() if isinstance(v, float)),
        "```",
    ]
    section.notes.extend(lines)
