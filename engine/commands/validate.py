"""`validate`: check manifests for people (text), programs (json) and GitHub Actions."""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TextIO

from ..manifest.loader import CheckedManifest, ManifestUnreadable, check_manifest
from ..manifest.problems import Problem

Format = Literal["text", "json", "github"]
EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


@dataclass(frozen=True)
class FileReport:
    file: str
    checked: CheckedManifest | None
    unreadable: str | None = None

    @property
    def ok(self) -> bool:
        return self.checked is not None and not self.checked.errors

    def summary(self) -> str:
        if self.checked is None:
            return f"{self.file}: {self.unreadable}"
        if self.checked.manifest is not None:
            manifest = self.checked.manifest
            destructive = sum(tool.destructive for tool in manifest.listing)
            workflows = f"{_plural(len(manifest.workflows), 'workflow')}, " if manifest.workflows else ""
            offered = "".join(
                f", {_plural(len(items), noun)}"
                for items, noun in ((manifest.prompts, "prompt"), (manifest.resources, "resource"))
                if items
            )
            warnings = len(self.checked.problems)
            extra = f", {_plural(warnings, 'warning')}" if warnings else ""
            tools = _plural(len(manifest.listing), "tool")
            return f"{self.file}: {tools} ({workflows}{destructive} destructive){offered}{extra} OK"
        errors = len(self.checked.errors)
        warnings = len(self.checked.problems) - errors
        extra = f", {_plural(warnings, 'warning')}" if warnings else ""
        return f"{self.file}: {_plural(errors, 'error')}{extra}: invalid"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def display_name(path: Path) -> str:
    """The path as a person would type it: relative to here when it is below here."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path)


def validate_files(paths: list[Path]) -> list[FileReport]:
    reports = []
    for path in paths:
        shown = Path(display_name(path))
        try:
            reports.append(FileReport(str(shown), check_manifest(shown)))
        except ManifestUnreadable as exc:
            reports.append(FileReport(str(shown), None, unreadable=str(exc).split(": ", 1)[-1]))
    return reports


def run_validate(
    files: list[str], output_format: Format, default_manifest: Path, out: TextIO = sys.stdout
) -> int:
    paths = [Path(f) for f in files] or [default_manifest]
    reports = validate_files(paths)
    {"text": _write_text, "json": _write_json, "github": _write_github}[output_format](reports, out)
    if any(report.checked is None and report.unreadable for report in reports):
        return EXIT_USAGE
    return EXIT_OK if all(report.ok for report in reports) else EXIT_INVALID


def _write_text(reports: list[FileReport], out: TextIO) -> None:
    for report in reports:
        for problem in report.checked.problems if report.checked else []:
            out.write(f"{problem}\n")
        out.write(f"{report.summary()}\n")


def _problem_json(problem: Problem) -> dict[str, object]:
    return {
        "line": problem.line,
        "column": problem.column,
        "severity": problem.severity,
        "rule": problem.rule,
        "message": problem.message,
    }


def _write_json(reports: list[FileReport], out: TextIO) -> None:
    files = []
    for report in reports:
        manifest = report.checked.manifest if report.checked else None
        files.append(
            {
                "file": report.file,
                "ok": report.ok,
                "error": report.unreadable,
                "tools": len(manifest.listing) if manifest else None,
                "workflows": len(manifest.workflows) if manifest else None,
                "destructive": sum(t.destructive for t in manifest.listing) if manifest else None,
                "prompts": len(manifest.prompts) if manifest else None,
                "resources": len(manifest.resources) if manifest else None,
                "problems": [_problem_json(p) for p in (report.checked.problems if report.checked else [])],
            }
        )
    json.dump({"ok": all(r.ok for r in reports), "files": files}, out, indent=2)
    out.write("\n")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _write_github(reports: list[FileReport], out: TextIO) -> None:
    """Workflow commands GitHub Actions turns into annotations on the changed lines."""
    for report in reports:
        if report.checked is None:
            out.write(
                f"::error file={_escape_property(report.file)},title=validate::"
                f"{_escape_data(report.summary())}\n"
            )
            continue
        for p in report.checked.problems:
            out.write(
                f"::{p.severity} file={_escape_property(p.file)},line={p.line},col={p.column},"
                f"title={_escape_property(p.rule)}::{_escape_data(p.message)}\n"
            )
        out.write(f"{report.summary()}\n")
