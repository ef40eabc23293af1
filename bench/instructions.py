"""Instructions per tool call, counted by valgrind's callgrind: a figure that a busy machine cannot move.

`python bench/instructions.py [--workload list50] [--calls 200] [--server ours|floor|FastMCP]` runs the
server under `valgrind --tool=callgrind` with counting off, starts it, warms it up, then counts only
while `--calls` calls run one after another against the fixture upstream, and prints instructions per
call. Wall-clock figures on a shared 2-core machine move by tens of percent from one minute to the
next; instruction counts move by well under 1%, so they compare a change before and after while other
work loads the machine. `--annotate` prints the C functions that execute the most instructions.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make `bench` importable
    sys.path.insert(0, str(ROOT))

from bench import fixtures as fx  # noqa: E402
from bench.rpc import StdioPeer, python_env  # noqa: E402
from bench.scenarios.per_call import workloads  # noqa: E402


async def count(server: str, workload: str, calls: int, workdir: Path, annotate: bool) -> int:
    out_file = workdir / f"callgrind.{server}.out"
    with fx.upstream(workdir) as (url, data):
        work = next(w for w in workloads(data) if w.key == workload)
        if server == "ours":
            argv = fx.ours_argv()
        elif server == "floor":
            argv = fx.floor_argv(fx.floor_spec(workdir))
        else:
            argv = fx.fastmcp_argv(fx.openapi_file(workdir))
        valgrind = [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out_file}",
            "--trace-children=no",
        ]
        env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_API_URL": url, "PYTHONHASHSEED": "0"})
        peer = await StdioPeer.spawn([*valgrind, *argv], env)
        arguments = work.api_arguments if server == "FastMCP" else work.arguments
        try:
            await peer.handshake(timeout=600)
            for _ in range(20):  # first-call work (validators, imports) stays out of the count
                await peer.call_tool(work.tool, arguments, timeout=600)
            subprocess.run(
                ["callgrind_control", "--instr=on", str(peer.pid)], check=True, capture_output=True
            )
            for _ in range(calls):
                answer = await peer.call_tool(work.tool, arguments, timeout=600)
                if answer.result.get("isError"):
                    raise RuntimeError(str(answer.result)[:300])
            subprocess.run(
                ["callgrind_control", "--instr=off", str(peer.pid)], check=True, capture_output=True
            )
        finally:
            await peer.close(120)
    total = _total(out_file)
    if annotate:
        done = subprocess.run(
            ["callgrind_annotate", "--threshold=95", str(out_file)],
            capture_output=True,
            text=True,
            check=False,
        )
        print(done.stdout[:6000])
    return total // calls


def _total(out_file: Path) -> int:
    total = 0
    for path in out_file.parent.glob(out_file.name + "*"):
        for line in path.read_text(errors="replace").splitlines():
            found = re.match(r"(?:summary|totals):\s+(\d+)", line)
            if found:
                total = max(total, int(found.group(1)))
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--workload", default="list50", choices=["single", "list50", "list200"])
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--server", default="ours", choices=["ours", "floor", "FastMCP"])
    parser.add_argument("--annotate", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hoursmith-instr-") as workdir:
        per_call = asyncio.run(count(args.server, args.workload, args.calls, Path(workdir), args.annotate))
    print(f"{args.server} {args.workload}: {per_call:,} instructions per call ({args.calls} calls)")
    os.sys.stdout.flush()


if __name__ == "__main__":
    main()
