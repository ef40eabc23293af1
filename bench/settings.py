"""How much each scenario repeats: the full run (writes BENCHMARKS.md) and the quick CI run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    quick: bool
    workdir: Path
    cold_reps: int  # spawn -> tools/list, per server (interleaved)
    warmup_calls: int
    latency_calls: int  # sequential calls per target and workload, taken in interleaved blocks
    throughput_calls: int  # calls per target, workload and concurrency level...
    throughput_rounds: int  # ...split into rounds that rotate between the targets
    memory_first: int  # peak RSS is read after this many calls...
    memory_last: int  # ...and growth between memory_first and this
    scale_sizes: tuple[int, ...]
    scale_reps: int
    profiles: bool  # gather profiles for missed targets (slow; full run only)
    team_calls: int  # tool calls through nginx in the team scenario...
    team_sessions: int  # ...from this many concurrent client sessions


def settings(quick: bool, workdir: Path) -> Settings:
    if quick:
        return Settings(True, workdir, 3, 10, 100, 128, 2, 1000, 2000, (100, 1000), 1, False, 300, 18)
    return Settings(False, workdir, 15, 100, 1000, 1000, 5, 1000, 10000, (100, 1000, 5000), 3, True, 3000, 30)
