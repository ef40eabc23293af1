"""Run in a fresh interpreter: time each stage our server goes through before it can answer tools/list.

`python bench/stages.py MANIFEST [--profile]` prints JSON: import times of the validate and serve paths,
then the manifest stages (YAML, structure, build, each lint rule, argument validators); with --profile,
the cProfile top of loading the manifest.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path
from typing import Any


def main() -> None:
    path = Path(sys.argv[1])
    out: dict[str, Any] = {}
    started = time.perf_counter()
    from hoursmith_mcp.engine.calls.arguments import check_arguments
    from hoursmith_mcp.engine.manifest.lint import RULES
    from hoursmith_mcp.engine.manifest.loader import check_manifest
    from hoursmith_mcp.engine.manifest.model import build_manifest
    from hoursmith_mcp.engine.manifest.structure import check_structure
    from hoursmith_mcp.engine.manifest.yaml_source import load_yaml

    out["import engine (validate path)"] = time.perf_counter() - started
    started = time.perf_counter()
    import hoursmith_mcp.engine.serving.stdio  # noqa: F401 - the serving path: the MCP SDK, httpx

    out["import engine.serving.stdio (MCP SDK, httpx)"] = time.perf_counter() - started

    text = path.read_text(encoding="utf-8")
    started = time.perf_counter()
    data, source = load_yaml(text, str(path))
    out["YAML with positions"] = time.perf_counter() - started
    started = time.perf_counter()
    problems = check_structure(data, source)
    out["structure (JSON Schema)"] = time.perf_counter() - started
    started = time.perf_counter()
    manifest = build_manifest(data, str(path))
    out["build manifest"] = time.perf_counter() - started
    for rule in RULES:
        started = time.perf_counter()
        list(rule(manifest))
        out[f"lint {rule.__name__}"] = time.perf_counter() - started
    started = time.perf_counter()
    for tool in manifest.tools:  # builds each tool's validator, as its first call does
        with contextlib.suppress(Exception):  # missing required arguments are expected here
            check_arguments(tool, {})
    out["argument validators (built at each tool's first call)"] = time.perf_counter() - started
    out["problems"] = len(problems)
    result: dict[str, Any] = {"stages": out}
    if "--profile" in sys.argv:
        import cProfile
        import tempfile

        profile_file = Path(tempfile.mkdtemp(prefix="hoursmith-stages-")) / "check_manifest.prof"
        profiler = cProfile.Profile()
        profiler.enable()
        check_manifest(path)
        profiler.disable()
        profiler.dump_stats(str(profile_file))
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
        from bench.profiles import pstats_top

        result["profile"] = pstats_top(profile_file, 15)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
