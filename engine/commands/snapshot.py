"""`snapshot`: what clients see of a manifest (server info, tools/list, prompts, resources), written
to a file beside it and checked, so a change to a tool's name, arguments or annotations is made on
purpose: it fails until the snapshot is updated with `--update` (and the file committed).

Exit 0 when every snapshot matches (or was updated), 1 when one differs or is missing, 2 on a usage
error (an unreadable or invalid manifest).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, TextIO

import anyio

from ..manifest.loader import ManifestUnreadable, check_manifest, read_manifest_text
from ..manifest.model import Manifest
from ..manifest.yaml_source import load_yaml
from ..serving.surface import client_view
from .product import Product
from .snapshot_diff import describe_changes
from .validate import display_name

EXIT_OK, EXIT_DIFFERS, EXIT_USAGE = 0, 1, 2


def snapshot_path(manifest: Path) -> Path:
    """tools.yaml -> tools.snapshot.json, beside it."""
    return manifest.with_name(f"{manifest.stem}.snapshot.json")


def render(view: dict[str, Any]) -> str:
    return json.dumps(view, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def run_snapshot(
    product: Product,
    files: list[str],
    *,
    update: bool,
    snapshot: Path | None = None,
    out: TextIO = sys.stdout,
) -> int:
    manifests = [Path(f) for f in files] or [product.manifest(None).path]
    if snapshot is not None and len(manifests) != 1:
        return _usage(product, "--snapshot names one file: give one manifest with it")
    worst = EXIT_OK
    for path in manifests:
        shown = Path(display_name(path))
        try:
            manifest = _valid_manifest(shown)
        except ManifestUnreadable as exc:
            return _usage(product, str(exc))
        except ValueError as exc:
            out.write(f"{exc}\n")
            worst = max(worst, EXIT_USAGE)
            continue
        target = snapshot or snapshot_path(shown)
        text = render(anyio.run(client_view, manifest))
        if update:
            target.write_text(text, encoding="utf-8")
            out.write(f"{target}: written ({_counts(json.loads(text))} from {shown})\n")
            continue
        worst = max(worst, _check(product, shown, manifest, target, text, out))
    return worst


def _valid_manifest(path: Path) -> Manifest:
    checked = check_manifest(path)
    if checked.manifest is None:
        lines = [str(problem) for problem in checked.errors]
        raise ValueError("\n".join([*lines, f"{path}: invalid; fix it first (see validate)"]))
    return checked.manifest


def _check(product: Product, path: Path, manifest: Manifest, target: Path, text: str, out: TextIO) -> int:
    update = f"{product.command} snapshot --update {path}"
    try:
        recorded = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        out.write(f"{target}: no snapshot of {path} yet; create it with: {update}  (then commit {target})\n")
        return EXIT_DIFFERS
    except ValueError as exc:
        out.write(f"{target}: not a JSON snapshot ({exc}); rewrite it with: {update}\n")
        return EXIT_DIFFERS
    current = json.loads(text)
    changes = describe_changes(recorded, current)
    if not changes:
        out.write(f"{target}: matches {path} ({_counts(current)})\n")
        return EXIT_OK
    out.write(f"{target}: what clients see of {path} changed ({len(changes)} difference(s)):\n")
    places = _places(path, manifest)
    for change in changes:
        where = places.get((change.section, change.name), str(target))
        out.write(f"{where}: {change.text}\n")
    out.write(
        f"If these changes are intended, update the snapshot and commit it with the manifest:\n  {update}\n"
    )
    return EXIT_DIFFERS


def _places(path: Path, manifest: Manifest) -> dict[tuple[str, str | None], str]:
    """FILE:LINE:COL of each tool in the manifest, so a change points at the tool that made it."""
    _, source = load_yaml(read_manifest_text(path), str(path))
    places: dict[tuple[str, str | None], str] = {}
    for tool in manifest.tools:
        line, column = source.position((*tool.where, "name"))
        places[("tools", tool.name)] = f"{path}:{line}:{column}"
    for workflow in manifest.workflows:
        line, column = source.position((*workflow.where, "name"))
        places.setdefault(("tools", workflow.name), f"{path}:{line}:{column}")
    for prompt in manifest.prompts:
        line, column = source.position((*prompt.where, "name"))
        places[("prompts", prompt.name)] = f"{path}:{line}:{column}"
    for resource in manifest.resources:
        line, column = source.position((*resource.where, "uri"))
        section = "resource_templates" if "{" in resource.uri else "resources"
        places[(section, resource.uri)] = f"{path}:{line}:{column}"
    line, column = source.position(("server",))
    places[("server", None)] = f"{path}:{line}:{column}"
    return places


def _counts(view: dict[str, Any]) -> str:
    parts = [f"{len(view.get('tools', {}))} tools"]
    for key in ("prompts", "resources", "resource_templates"):
        if view.get(key):
            parts.append(f"{len(view[key])} {key.replace('_', ' ')}")
    return ", ".join(parts)


def _usage(product: Product, message: str) -> int:
    sys.stderr.write(f"{product.command}: {message}\n")
    return EXIT_USAGE
