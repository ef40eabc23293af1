"""A draft manifest written as YAML, with the importer's notes and reviews as comments at their place,
and the FILE:LINE:COL of each note (the comments sit at the end of lines, so nothing shifts).

Each tool is dumped on its own (libyaml when present), so the lines of its keys and arguments are
known without parsing the result again: the draft of a thousand operations is written in one pass.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .model import DocPath
from .openapi_draft import Draft, Note

_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[valid-type,misc]
    """No anchors or aliases: the importer shares resolved schemas between tools, and each tool is
    dumped alone, so an anchor could be neither unique nor defined where an alias points at it."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


_KEY = re.compile(r"^( *)(- )?([A-Za-z0-9_$.-]+):(?: |$)")


def _dump(value: Any) -> list[str]:
    text = yaml.dump(
        value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000, default_flow_style=False
    )
    return text.splitlines()


def render_draft(draft: Draft, header: list[str]) -> tuple[str, dict[Note, tuple[int, int]]]:
    """The YAML text, and where each note is in it (1-based line and column)."""
    lines: list[str] = [f"# {line}" if line else "#" for line in header]
    places: dict[DocPath, int] = {}  # path -> index into lines
    columns: dict[DocPath, int] = {}
    document = draft.document
    head = {key: value for key, value in document.items() if key != "tools"}
    section: str | None = None
    for text in _dump(head):
        match = _KEY.match(text)
        if match and not match[1]:
            section = match[3]
            _place(places, columns, (section,), len(lines), 0)
        elif match and len(match[1]) == 2 and section:
            _place(places, columns, (section, match[3]), len(lines), 2)
        lines.append(text)
    tool_notes = [note for note in draft.notes if note.at == ("tools",)]
    for note in tool_notes:
        lines.append(f"# import: {note.message} ({note.pointer})")
    if "tools" in document:
        _place(places, columns, ("tools",), len(lines), 0)
        lines.append("tools:")
        for index, tool in enumerate(document["tools"]):
            in_arguments = False
            for offset, text in enumerate(_dump([tool])):
                match = _KEY.match(text)
                row = len(lines)
                if offset == 0:
                    _place(places, columns, ("tools", index), row, 2)
                    _place(places, columns, ("tools", index, "name"), row, 4)
                elif match and len(match[1]) == 2:
                    in_arguments = match[3] == "arguments"
                    _place(places, columns, ("tools", index, match[3]), row, 4)
                elif match and in_arguments and len(match[1]) == 4 and not match[2]:
                    _place(places, columns, ("tools", index, "arguments", match[3]), row, 6)
                lines.append(f"  {text}")
    comments: dict[int, list[str]] = {}
    for path, text in draft.reviews.items():
        place = _nearest(places, path)
        if place is not None:
            comments.setdefault(place, []).append(text)
    positions: dict[Note, tuple[int, int]] = {}
    for note in draft.notes:
        found = _nearest(places, note.at)
        if found is None:
            continue
        row = found
        path = _nearest_path(places, note.at)
        positions[note] = (row + 1, columns.get(path, 0) + 1)
        if note.at != ("tools",):
            comments.setdefault(row, []).append(f"import: {note.message} ({note.pointer})")
    for row, texts in comments.items():
        lines[row] += "  # " + "; ".join(texts)
    return "\n".join(lines) + "\n", positions


def _place(
    places: dict[DocPath, int], columns: dict[DocPath, int], path: DocPath, row: int, column: int
) -> None:
    places.setdefault(path, row)
    columns.setdefault(path, column)


def _nearest_path(places: dict[DocPath, int], path: DocPath) -> DocPath:
    for end in range(len(path), -1, -1):
        if path[:end] in places:
            return path[:end]
    return ()


def _nearest(places: dict[DocPath, int], path: DocPath) -> int | None:
    return places.get(_nearest_path(places, path))
