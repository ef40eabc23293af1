"""Evidence for missed targets: import times, start-up stages and cProfile tops, each from a fresh process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.fixtures import BENCH, ROOT


def import_times(stderr_text: str) -> dict[str, float]:
    """Every module's own (self) import time in seconds, from `-X importtime` output.

    Self times, not cumulative ones: the module that happens to import the MCP SDK first would
    otherwise be charged for it, though the floor imports the SDK too.
    """
    times: dict[str, float] = {}
    for line in stderr_text.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        fields = line.partition(":")[2].split("|")
        if len(fields) == 3:
            times[fields[2].strip()] = int(fields[0]) / 1e6
    return times


def stages(manifest: Path, profile: bool = False) -> dict[str, Any]:
    """bench/stages.py in a fresh interpreter: where loading a manifest for serving spends its time."""
    argv = [sys.executable, str(BENCH / "stages.py"), str(manifest), *(["--profile"] if profile else [])]
    done = subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, timeout=600, check=True)
    return dict(json.loads(done.stdout))


def importtime_env(env: dict[str, str]) -> dict[str, str]:
    return {**env, "PYTHONPROFILEIMPORTTIME": "1"}


def pstats_top(profile_file: Path, limit: int = 15, sort: str = "tottime") -> list[str]:
    """The top functions of a cProfile dump as `tottime cumtime calls function` lines."""
    import pstats

    stats = pstats.Stats(str(profile_file))
    rows: list[tuple[float, float, int, str]] = []
    for (file, line, name), (_, calls, tottime, cumtime, _) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((tottime, cumtime, calls, f"{short_path(file)}:{line}({name})"))
    rows.sort(key=lambda r: r[0] if sort == "tottime" else r[1], reverse=True)
    return [f"{t * 1000:9.1f} ms {c * 1000:9.1f} ms {n:8d}  {where}" for t, c, n, where in rows[:limit]]


def short_path(file: str) -> str:
    for marker in ("site-packages/", "/work/main/", "lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file
