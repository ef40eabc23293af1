"""Figures, their targets and verdicts; rendered as a console table and as BENCHMARKS.md sections."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 500 samples is the 495th smallest)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def kib(value: int) -> str:
    return f"{value / 1024:.1f} MiB"


@dataclass(frozen=True)
class Row:
    figure: str
    ours: str
    floor: str  # the floor's figure, or "" when the row has none
    result: str  # the ratio, the difference or the size that the target is about
    target: str = ""
    met: bool | None = None  # None: reported for context, no target


@dataclass
class Table:
    """A side-by-side table (one column per server measured), printed under a section's own rows."""

    headers: tuple[str, ...]
    rows: list[tuple[str, ...]] = field(default_factory=list)

    def markdown(self) -> str:
        lines = ["| " + " | ".join(self.headers) + " |", "|" + "---|" * len(self.headers)]
        lines += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in self.rows]
        return "\n".join(lines)

    def console(self) -> str:
        widths = [max(len(h), *(len(r[i]) for r in self.rows)) for i, h in enumerate(self.headers)]
        lines = ["  ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=True))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in self.rows]
        return "\n".join(lines)


@dataclass
class Section:
    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # method notes and, when a target is missed, evidence
    tables: list[Table] = field(default_factory=list)  # side-by-side figures, before the notes

    def add(self, row: Row) -> Row:
        self.rows.append(row)
        return row

    def notes_markdown(self) -> str:
        """Notes are paragraphs, except the lines of a fenced block (and list items), kept together."""
        out: list[str] = []
        fenced = False
        for note in self.notes:
            if note.startswith("```"):
                fenced = not fenced
            if out and out[-1] != "" and note != "" and not fenced and not note.startswith("```"):
                out.append("")
            out.append(note)
        return "\n".join(out)

    @property
    def missed(self) -> list[Row]:
        return [row for row in self.rows if row.met is False]


def verdict(met: bool | None) -> str:
    return "" if met is None else ("met" if met else "MISSED")


HEADERS = ("figure", "ours", "floor", "result", "target", "verdict")


def _cells(row: Row) -> tuple[str, ...]:
    return (row.figure, row.ours, row.floor, row.result, row.target, verdict(row.met))


def console_table(sections: Sequence[Section]) -> str:
    rows = [_cells(row) for section in sections for row in section.rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(HEADERS)]
    lines = []
    for section in sections:
        lines.append(f"\n== {section.title}")
        if section.rows:
            lines.append("  ".join(h.ljust(w) for h, w in zip(HEADERS, widths, strict=True)))
        for row in section.rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(_cells(row), widths, strict=True)).rstrip())
        for table in section.tables:
            lines += ["", table.console()]
    return "\n".join(lines)


def markdown_table(rows: Sequence[Row]) -> str:
    lines = ["| " + " | ".join(HEADERS) + " |", "|" + "---|" * len(HEADERS)]
    for row in rows:
        cells = [c.replace("|", "\\|") for c in _cells(row)]
        if row.met is False:
            cells[-1] = "**MISSED**"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
