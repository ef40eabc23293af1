"""Problems found in a manifest, each tied to a place in its file."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a manifest, at FILE:LINE:COL (1-based)."""

    file: str
    line: int
    column: int
    message: str
    rule: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else "warning: "
        return f"{self.file}:{self.line}:{self.column}: {prefix}{self.message} [{self.rule}]"


class ManifestError(Exception):
    """A manifest could not be loaded; carries every problem found, not only the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def did_you_mean(word: str, choices: list[str]) -> str:
    """' (did you mean 'projection'?)' for a near miss: the same word in another case, else a close
    spelling; '' when nothing is close enough to be a useful guess."""
    same_case = [choice for choice in choices if choice.lower() == word.lower()]
    close = same_case or difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""
