"""`import-openapi`: an OpenAPI 3.0/3.1 document (file or stdin, JSON or YAML) -> a draft manifest.

The draft goes to --output (or stdout); every construct it could not carry over is a warning on
stderr at FILE:LINE:COL of the draft, with the JSON pointer of its place in the source document, and
also a comment on that line of the draft. Exit 0 when a draft was written, 2 when the document
cannot be read or is not OpenAPI 3.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from ..manifest.draft_yaml import render_draft
from ..manifest.openapi_draft import ImportError_, draft_from_openapi
from .product import Product

EXIT_OK, EXIT_USAGE = 0, 2


def read_document(source: str, stdin: TextIO) -> dict[str, Any]:
    """JSON when it parses as JSON (quick for large documents), else YAML."""
    text = stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    stripped = text.lstrip()
    if stripped.startswith("{"):
        try:
            loaded = json.loads(text)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            return loaded
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        loaded = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise ValueError(f"neither JSON nor YAML: {exc}") from None
    if not isinstance(loaded, dict):
        raise ValueError("the document is not a mapping")
    return loaded


def run_import_openapi(
    product: Product,
    source: str,
    *,
    output: Path | None,
    tags: list[str],
    paths: list[str],
    server_name: str | None,
    base_url: str | None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
    stderr: TextIO = sys.stderr,
) -> int:
    started = time.perf_counter()
    try:
        document = read_document(source, stdin)
        draft = draft_from_openapi(
            document, tags=tags, path_globs=paths, server_name=server_name, base_url=base_url
        )
    except (OSError, UnicodeDecodeError, ValueError, ImportError_) as exc:
        stderr.write(f"{product.command}: cannot import {source}: {exc}\n")
        return EXIT_USAGE
    shown = str(output) if output else "<stdout>"
    tools = len(draft.document.get("tools", []))
    header = [
        f"Draft manifest imported from {source if source != '-' else 'stdin'} "
        f"by `{product.command} import-openapi`.",
        "Review it before serving: `# review` comments mark guesses (destructive, auth, error envelope);",
        "`# import` comments mark what the manifest could not carry over. Then run",
        f"`{product.command} validate {shown if output else 'FILE'}`.",
    ]
    text, positions = render_draft(draft, header)
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        stdout.write(text)
    for note in draft.notes:
        line, column = positions.get(note, (1, 1))
        stderr.write(
            f"{shown}:{line}:{column}: warning: {note.message} (source {note.pointer}) [openapi-import]\n"
        )
    if tools == 0:
        filters = " with these filters" if tags or paths else ""
        stderr.write(
            f"{product.command}: no operation to import{filters}; "
            "the draft has no tools and will not validate\n"
        )
    elapsed = time.perf_counter() - started
    reviews = sum(1 for tool in draft.document.get("tools", []) if tool["method"] != "GET")
    stderr.write(
        f"{shown}: {tools} tools from {draft.operations} operations, {len(draft.notes)} warning(s), "
        f"{reviews} destructive flag(s) to review ({elapsed:.1f}s)\n"
    )
    return EXIT_OK
