"""What the scenarios serve and call: commands, tool definitions, upstream processes, synthetic manifests."""

from __future__ import annotations

import copy
import functools
import importlib.util
import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import yaml

from bench.dataset import Dataset
from bench.dataset import build as build_dataset
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.manifest.yaml_source import load_yaml
from hoursmith_mcp.engine.serving.server import tool_definition
from hoursmith_mcp.sandbox.seed import token_for

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
MANIFEST = ROOT / "tools.yaml"
TOKEN = token_for("studio", "OWNER")


def ours_argv(*args: str) -> list[str]:
    """Our server as a client launches it: the installed console script, else `python -m hoursmith_mcp`."""
    script = Path(sys.executable).parent / "hoursmith-mcp"
    return [str(script), *args] if script.exists() else [sys.executable, "-m", "hoursmith_mcp", *args]


def floor_argv(floor_file: Path) -> list[str]:
    return [sys.executable, str(BENCH / "floor_server.py"), str(floor_file)]


@functools.cache
def fastmcp_installed() -> bool:
    """FastMCP's server is the optional `bench` extra: without it the bench reports that peer as absent.

    The test extra's `fastmcp-slim[client]` installs the same `fastmcp` package without the server's
    dependencies, so finding the package is not enough: the server itself must import (in a child, so
    the bench's own process stays as lean as what it measures)."""
    if importlib.util.find_spec("fastmcp") is None:
        return False
    probe = subprocess.run(
        [sys.executable, "-c", "from fastmcp import FastMCP"], capture_output=True, check=False
    )
    return probe.returncode == 0


def fastmcp_argv(openapi_file: Path) -> list[str]:
    return [sys.executable, str(BENCH / "fastmcp_server.py"), str(openapi_file)]


def definitions(manifest: Path = MANIFEST) -> list[dict[str, Any]]:
    """The tool definitions our server lists, as wire JSON (taken from the engine: the same bytes)."""
    return [
        tool_definition(tool).model_dump(mode="json", by_alias=True, exclude_none=True)
        for tool in load_manifest(manifest).tools
    ]


def routes(manifest: Path = MANIFEST) -> dict[str, dict[str, Any]]:
    """Where each tool sends its arguments, for the floor server: method, path, (location, API name)."""
    return {
        tool.name: {
            "method": tool.method,
            "path": tool.path,
            "arguments": {arg.name: (arg.location, arg.api_name) for arg in tool.arguments},
        }
        for tool in load_manifest(manifest).tools
    }


def floor_spec(workdir: Path, count: int | None = None) -> Path:
    """The floor server's file: the definitions our server lists and where their arguments go; with
    `count`, those of the synthetic manifest of that many tools."""
    tools, where = definitions(), routes()
    if count is not None:
        tools = synthetic_definitions(tools, count)
        where = {clone_name(name, k): r for k in range(count // len(where) + 1) for name, r in where.items()}
    return write_json(workdir / f"floor-{count or len(tools)}.json", {"tools": tools, "routes": where})


def openapi_file(workdir: Path, manifest: Path = MANIFEST) -> Path:
    """The OpenAPI document FastMCP's peer serves, generated from the manifest (bench/openapi_doc.py)."""
    from bench.openapi_doc import document

    return write_json(workdir / f"openapi-{manifest.stem}.json", document(load_manifest(manifest)))


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def raw_manifest() -> dict[str, Any]:
    data, _ = load_yaml(MANIFEST.read_text(encoding="utf-8"), str(MANIFEST))
    return dict(data)


class _NoAliases(yaml.CSafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def clone_name(name: str, copy_index: int) -> str:
    return name if copy_index == 0 else f"{name}_{copy_index}"


def synthetic_manifest(count: int, path: Path) -> Path:
    """tools.yaml's tools cloned (renamed, examples and all) up to `count` tools, as block YAML."""
    data = raw_manifest()
    originals = data["tools"]
    tools = []
    for index in range(count):
        tool = copy.deepcopy(originals[index % len(originals)])
        tool["name"] = clone_name(tool["name"], index // len(originals))
        tools.append(tool)
    names = {tool["name"] for tool in tools}
    # The workflows come along once every API tool they may call (or stand in for) is among the clones.
    if {tool["name"] for tool in originals} <= names:
        names |= {workflow["name"] for workflow in data.get("workflows", [])}
    else:
        data.pop("workflows", None)
    for toolset in data["toolsets"].values():
        copies = range((count + len(originals) - 1) // len(originals))
        toolset["tools"] = [
            clone_name(n, k) for k in copies for n in toolset["tools"] if clone_name(n, k) in names
        ]
    data["toolsets"] = {name: toolset for name, toolset in data["toolsets"].items() if toolset["tools"]}
    data["tools"] = tools
    # Resources and prompts stay when the tools they are backed by are among the clones.
    resources = [r for r in data.get("resources", []) if r["tool"] in names]
    uris = {r["uri"] for r in resources}
    prompts = [
        prompt
        for prompt in data.get("prompts", [])
        if set(prompt.get("tools", [])) <= names and set(prompt.get("embed", [])) <= uris
    ]
    for key, kept in (("resources", resources), ("prompts", prompts)):
        if kept:
            data[key] = kept
        else:
            data.pop(key, None)
    with path.open("w", encoding="utf-8") as file:
        yaml.dump(data, file, Dumper=_NoAliases, sort_keys=False, width=110, allow_unicode=True)
    return path


def synthetic_definitions(base: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """The definitions the synthetic manifest would list, for a floor of the same size."""
    result = []
    for index in range(count):
        item = dict(base[index % len(base)])
        item["name"] = clone_name(item["name"], index // len(base))
        result.append(item)
    return result


@contextmanager
def child_url(argv: list[str]) -> Iterator[str]:
    """A helper process that prints one line (its URL or port) and serves until its stdin closes."""
    process = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line:
            raise RuntimeError(f"{argv[1]} did not start")
        yield line
    finally:
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def dataset(workdir: Path) -> tuple[Dataset, Path]:
    """The real-sized answers (bench/dataset.py), made once per run and shared by every scenario."""
    path = workdir / "dataset.json"
    if not path.exists():
        build_dataset().write(path)
    return Dataset.read(path), path


@contextmanager
def upstream(workdir: Path) -> Iterator[tuple[str, Dataset]]:
    """The fixture upstream's base URL (the same /api/v1 prefix as the real API) and what it serves."""
    data, path = dataset(workdir)
    with child_url([sys.executable, str(BENCH / "upstream.py"), str(path)]) as port:
        yield f"http://127.0.0.1:{port}/api/v1", data


@contextmanager
def sandbox() -> Iterator[str]:
    with child_url([sys.executable, str(BENCH / "sandbox_proc.py")]) as base_url:
        yield base_url
