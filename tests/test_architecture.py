"""The tree reads like the architecture: imports are read from the source (ast) and checked.

- no import cycle anywhere;
- the engine's stages import only earlier stages: manifest -> calls -> serving -> commands;
- the engine imports nothing of the product: not the sandbox, not the product layer, and it names no
  product (the product layer tells it the command, its variables and its sandbox);
- the sandbox is a simulator of the API, independent of the engine;
- nothing imports `engine` or `sandbox` as top-level names (the installed name is hoursmith_mcp).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "hoursmith_mcp"
STAGES = ("manifest", "calls", "serving", "commands")
PRODUCT_NAMES = re.compile(r"hoursmith|hsk_", re.IGNORECASE)


def modules() -> dict[str, Path]:
    """Every module of the distribution by its installed name (engine and sandbox under hoursmith_mcp)."""
    found: dict[str, Path] = {}
    for top in ("engine", "sandbox"):
        for path in sorted((ROOT / top).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join((PACKAGE, *parts)).removesuffix(".__init__")] = path
    for path in sorted((ROOT / PACKAGE).glob("*.py")):
        found[f"{PACKAGE}.{path.stem}".removesuffix(".__init__")] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules of the distribution that `name` imports (anywhere in the file, lazily or not)."""
    is_package = path.name == "__init__.py"
    here = name.split(".") if is_package else name.split(".")[:-1]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            targets.add(module)
            # `from . import errors` imports a module; `from .model import Tool` a name.
            targets.update(
                f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in known
            )
    return {t for t in targets if t != name and (t in known or t.split(".")[0] in ("engine", "sandbox"))}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def stage_of(module: str) -> int | None:
    parts = module.split(".")
    if parts[:2] != [PACKAGE, "engine"] or len(parts) < 3 or parts[2] not in STAGES:
        return None
    return STAGES.index(parts[2])


def test_the_graph_was_read() -> None:
    edges = graph()
    assert "hoursmith_mcp.engine.calls.tool_call" in edges
    assert "hoursmith_mcp.engine.manifest.model" in edges["hoursmith_mcp.engine.calls.tool_call"]
    assert "hoursmith_mcp.engine.calls.errors" in edges["hoursmith_mcp.engine.calls.tool_call"]


def test_no_import_cycle() -> None:
    edges = graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in edges.get(node, ()):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in edges[node]:
                cycles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert cycles == []


def test_engine_stages_import_only_earlier_stages() -> None:
    wrong = [
        f"{source} -> {target}"
        for source, targets in graph().items()
        for target in targets
        if (s := stage_of(source)) is not None and (t := stage_of(target)) is not None and t > s
    ]
    assert wrong == []


def test_the_engine_imports_nothing_of_the_product() -> None:
    engine = f"{PACKAGE}.engine"
    wrong = [
        f"{source} -> {target}"
        for source, targets in graph().items()
        if source == engine or source.startswith(f"{engine}.")
        for target in targets
        if not (target == engine or target.startswith(f"{engine}."))
    ]
    assert wrong == []


def test_the_engine_names_no_product() -> None:
    named = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "engine").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if PRODUCT_NAMES.search(line)
    ]
    assert named == []


def test_the_sandbox_is_independent_of_the_engine() -> None:
    sandbox = f"{PACKAGE}.sandbox"
    wrong = [
        f"{source} -> {target}"
        for source, targets in graph().items()
        if source == sandbox or source.startswith(f"{sandbox}.")
        for target in targets
        if not (target == sandbox or target.startswith(f"{sandbox}."))
    ]
    assert wrong == []


def test_nothing_imports_the_folders_by_their_top_level_names() -> None:
    wrong = []
    for path in sorted(
        [*ROOT.glob("tests/**/*.py"), *ROOT.glob("bench/**/*.py"), *(ROOT / PACKAGE).glob("*.py")]
    ):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            wrong += [
                f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in ("engine", "sandbox")
            ]
    assert wrong == []
