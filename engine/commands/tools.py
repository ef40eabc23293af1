"""`tools`: the manifest's tools as a table, after the filters (a preview of `serve`); `tools NAME`:
one tool in full (tool_card.py)."""

from __future__ import annotations

import sys

from ..calls.connection import StartupError
from ..manifest.model import Manifest, Tool
from ..manifest.workflow_model import Workflow
from ..serving.filtering import FilterSettings, select_tools, toolsets_of
from .manifest_choice import ManifestChoice
from .product import Product
from .startup import fail, load_for_serving


def show_one(product: Product, manifest: Manifest, filters: FilterSettings, name: str) -> int:
    from .call import UsageError, choose_tool
    from .tool_card import tool_card

    try:
        tool = choose_tool(manifest, name, filters, product.command)
    except UsageError as exc:
        return fail(product, str(exc))
    sys.stdout.write(tool_card(manifest, tool, toolsets_of(manifest).get(tool.name, []), product.command))
    return 0


HEADERS = ("NAME", "METHOD PATH", "READ-ONLY", "DESTRUCTIVE", "TOOLSETS")


def run_tools(
    product: Product, chosen: ManifestChoice, filters: FilterSettings, name: str | None = None
) -> int:
    try:
        manifest = load_for_serving(product, chosen.path)
    except StartupError as exc:
        return fail(product, str(exc))
    if name is not None:
        return show_one(product, manifest, filters, name)
    selection = select_tools(manifest, filters)
    for warning in selection.warnings:
        sys.stderr.write(f"{product.command}: warning: {warning}\n")
    sets = toolsets_of(manifest)
    rows = [
        (
            tool.name,
            _what_it_calls(tool),
            "yes" if tool.read_only else "no",
            "yes" if tool.destructive else "no",
            ",".join(sets.get(tool.name, [])) or "-",
        )
        for tool in selection.tools
    ]
    widths = [max(len(row[i]) for row in [HEADERS, *rows]) for i in range(len(HEADERS))]
    for row in [HEADERS, *rows]:
        sys.stdout.write(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
        sys.stdout.write("\n")
    destructive = sum(1 for tool in selection.tools if tool.destructive)
    shown = (
        f"{len(selection.tools)} of {len(manifest.listing)}" if filters.active else f"{len(manifest.listing)}"
    )
    sys.stdout.write(f"\n{shown} tools ({destructive} destructive) from {manifest.file} ({chosen.origin})\n")
    return 0


def _what_it_calls(tool: Tool | Workflow) -> str:
    if isinstance(tool, Tool):
        return f"{tool.method} {tool.path}"
    called = dict.fromkeys(step.tool for step in tool.call_steps())  # in order, once each
    return f"workflow: {', '.join(called)}"
