"""Scale: synthetic manifests (tools.yaml's tools cloned and renamed), `validate` and start-up times."""

from __future__ import annotations

import contextlib
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench import fixtures as fx
from bench.profiles import stages
from bench.report import Row, Section, median, ms
from bench.rpc import PeerError, python_env
from bench.scenarios.cold_start import time_to_tools_list
from bench.settings import Settings

VALIDATE_TARGET = 1.0  # seconds for 1,000 tools
GROWTH_TARGET = 1.20
BASE = 1  # the one-tool manifest whose time is subtracted, so per-tool costs exclude the fixed start-up


@dataclass
class Size:
    tools: int
    validate: list[float] = field(default_factory=list)
    ours: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    refused: str = ""  # why our server or validate refused the manifest, if it did


def validate_once(manifest: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(
        fx.ours_argv("validate", str(manifest)), capture_output=True, text=True, timeout=600
    )
    elapsed = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    return elapsed, "" if done.returncode == 0 else (lines[0] if lines else f"exit {done.returncode}")


async def measure(size: Size, manifest: Path, definitions: Path, env: dict[str, str], reps: int) -> None:
    warmed = False
    for rep in range(reps):
        elapsed, refused = validate_once(manifest)
        if refused:
            size.refused = f"validate: {refused.split(': ', 1)[-1][:120]}"
            try:
                await time_to_tools_list(fx.ours_argv("--manifest", str(manifest)), env)
            except PeerError as exc:
                size.refused += f"; serve: {exc}"
            return
        size.validate.append(elapsed)
        if not warmed:
            # One untimed start of each, as the cold-start figure does: ours then finds its check cache
            # (engine/manifest/check_cache.py) as every start after the first does; the first start after an
            # edit also pays the full check, which the validate rows measure.
            with contextlib.suppress(PeerError):
                await time_to_tools_list(fx.ours_argv("--manifest", str(manifest)), env)
                await time_to_tools_list(fx.floor_argv(definitions), env)
            warmed = True
        order = ("ours", "floor") if rep % 2 == 0 else ("floor", "ours")
        for name in order:
            argv = fx.ours_argv("--manifest", str(manifest)) if name == "ours" else fx.floor_argv(definitions)
            try:
                (size.ours if name == "ours" else size.floor).append(await time_to_tools_list(argv, env))
            except PeerError as exc:
                size.refused = f"serve: {exc}"
                return


def per_tool(size: Size, base: Size, times: str) -> float:
    return (median(getattr(size, times)) - median(getattr(base, times))) / (size.tools - base.tools)


async def run(cfg: Settings) -> Section:
    section = Section("Scale (synthetic manifests: tools.yaml's 31 tools cloned, examples included)")
    env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": "http://127.0.0.1:9/api/v1"})
    sizes = [Size(n) for n in (BASE, *cfg.scale_sizes)]
    for size in sizes:
        manifest = fx.synthetic_manifest(size.tools, cfg.workdir / f"tools-{size.tools}.yaml")
        definitions = fx.floor_spec(cfg.workdir, size.tools)
        reps = cfg.scale_reps if size.tools < 5000 else max(1, cfg.scale_reps - 2)
        await measure(size, manifest, definitions, env, reps)
    base, measured = sizes[0], [s for s in sizes[1:] if not s.refused]
    for size in sizes:
        if size.refused:
            section.add(Row(f"{size.tools:,} tools", "refused", "", size.refused, "served", False))
            continue
        label = f"{size.tools:,} tool{'s' if size.tools > 1 else ''}"
        slow = size.tools == 1000 and median(size.validate) > VALIDATE_TARGET
        section.add(
            Row(
                f"validate, {label}",
                ms(median(size.validate)),
                "",
                "baseline" if size is base else f"{per_tool(size, base, 'validate') * 1000:.2f} ms/tool",
                "<= 1 s" if size.tools == 1000 else "",
                (not slow) if size.tools == 1000 else None,
            )
        )
        ratio = median(size.ours) / median(size.floor)
        section.add(
            Row(
                f"spawn -> tools/list, {label}",
                ms(median(size.ours)),
                ms(median(size.floor)),
                f"{ratio:.2f}x floor"
                + ("" if size is base else f"; {per_tool(size, base, 'ours') * 1000:.2f} ms/tool"),
            )
        )
    if len(measured) >= 2:
        first, last = measured[0], measured[-1]
        for times, label in (("validate", "validate"), ("ours", "start-up")):
            growth = per_tool(last, base, times) / per_tool(first, base, times)
            section.add(
                Row(
                    f"{label} cost per tool, {last.tools:,} vs {first.tools:,} tools",
                    f"{per_tool(last, base, times) * 1000:.2f} ms",
                    "",
                    f"{growth:.2f}x",
                    f"<= {GROWTH_TARGET:.2f}x",
                    growth <= GROWTH_TARGET,
                )
            )
    section.notes.append(
        f"Per-tool cost = (time(N) - time({BASE} tool)) / (N - {BASE}): the fixed start-up is excluded. "
        f"Medians of {cfg.scale_reps} runs ({max(1, cfg.scale_reps - 2)} for 5,000 tools); `validate` is the "
        "`hoursmith-mcp validate FILE` command, wall time including the interpreter start."
    )
    if section.missed and cfg.profiles:
        manifest = cfg.workdir / "tools-1000.yaml"
        found = stages(manifest, profile=True)
        section.notes += [
            "Stages of loading the 1,000-tool manifest in a fresh interpreter (`python bench/stages.py`):",
            "",
            "```",
            *(f"{v * 1000:9.1f} ms  {k}" for k, v in found["stages"].items() if isinstance(v, float)),
            "```",
            "",
            "cProfile of a second `check_manifest` of it (warm caches), top by own time "
            "(tottime, cumtime, calls):",
            "",
            "```",
            *found["profile"],
            "```",
        ]
    return section
