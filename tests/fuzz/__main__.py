"""The long fuzz run: `python -m tests.fuzz --minutes 30 [--seed N] [--report fuzz-report.json]`.

Every input class in turn, from one seeded Random (a violation is repeated with the same --seed), until
the time is up; the servers are restarted every RESTART_EVERY inputs of a class, so a slow leak shows
as peak RSS. Prints the figures SECURITY.md quotes and writes them as JSON. Exit 1 on any violation.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from . import drive
from .targets import (
    DEADLINE,
    MANIFEST_SECONDS,
    RSS_BOUND_MIB,
    Figures,
    HttpTarget,
    StdioTarget,
    Upstream,
    fuzz_manifest,
)

RESTART_EVERY = 1500
COMMAND_EVERY = 200  # of manifest inputs: also run the `validate` command on one


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--report", type=Path, default=Path("fuzz-report.json"))
    args = parser.parse_args(argv)

    figures = Figures()
    rng = random.Random(args.seed)
    until = time.monotonic() + args.minutes * 60
    started = time.time()
    with tempfile.TemporaryDirectory() as directory:
        manifest = fuzz_manifest(Path(directory))
        tools = drive.Tools(manifest)
        upstream = Upstream(figures)
        stdio = StdioTarget(upstream, figures, manifest)
        http = HttpTarget(upstream, figures, manifest)
        rounds = 0
        reported = 0
        try:
            while time.monotonic() < until:
                rounds += 1
                drive.protocol_step(stdio, tools, rng)
                drive.arguments_step(stdio, tools, rng)
                drive.answers_step(stdio, upstream, tools, rng)
                drive.http_step(http, tools, rng)
                drive.manifest_step(figures, rng, with_command=rounds % COMMAND_EVERY == 0)
                for violation in figures.violations[reported:]:  # said at once: a long run is watched
                    print(f"round {rounds}: {violation}", file=sys.stderr, flush=True)
                reported = len(figures.violations)
                if rounds % 100 == 0:
                    stdio.check_memory("process")
                    print(
                        f"{rounds} rounds, {len(figures.violations)} violations", file=sys.stderr, flush=True
                    )
                if rounds % (RESTART_EVERY // 3) == 0:
                    stdio.stop()
                    http.stop()
                    stdio = StdioTarget(upstream, figures, manifest)
                    http = HttpTarget(upstream, figures, manifest)
        finally:
            stdio.stop()
            http.stop()
            upstream.stop()
    report = {
        "seed": args.seed,
        "minutes": round((time.time() - started) / 60, 1),
        "inputs": figures.inputs,
        "violations": len(figures.violations),
        "peak_rss_mib": round(figures.peak_rss_kib / 1024, 1),
        "rss_bound_mib": RSS_BOUND_MIB,
        "longest_call_seconds": round(figures.longest_call, 2),
        "deadline_seconds": DEADLINE,
        "longest_manifest_check_seconds": round(figures.longest_manifest_check, 2),
        "manifest_bound_seconds": MANIFEST_SECONDS,
        "token_occurrences": figures.token_occurrences,
        "first_violations": figures.violations[:20],
    }
    args.report.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 1 if figures.violations else 0


if __name__ == "__main__":
    sys.exit(main())
