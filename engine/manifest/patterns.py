"""Regular expressions a manifest declares (JSON Schema `pattern`), judged for what they may cost.

Python's regex engine backtracks: `^(a+)+$` takes exponential time on "aaaa…!", and every unbounded
quantifier that can overlap the next multiplies the work by the subject's length. A pattern is checked
against text the model or the API sends, on the event loop, where nothing can interrupt it; so the
engine bounds both factors:
- structure, at validate time (`pattern_problem`): no repetition of variable length, and no
  alternation (the parser has already merged single characters into a set), repeated more than
  FEW_REPEATS times; no backreference; and at most two unbounded quantifiers (one if the pattern is not
  anchored with `^`, since a search tries every start), so the work is at most quadratic in the length
  of the subject (a conservative rule: `(?:ab|cd)+` is refused though it is safe);
- the subject, when checking (engine/manifest/bounded_validator.py): at most MAX_PATTERN_SUBJECT
  characters, so quadratic stays near 10^7 steps.
A quantifier bounded above LARGE_REPEAT counts as unbounded.
"""

from __future__ import annotations

import re
from functools import cache
from re import _constants as sre_constants  # type: ignore[attr-defined]  # the parser behind re.compile
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MAX_PATTERN_SUBJECT = 4096  # characters of a string a pattern is ever run on
LARGE_REPEAT = 100
FEW_REPEATS = 16  # a variable part repeated at most this often is tried in few enough ways
_MANY = 10**6
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT}
_STARTS = {sre_constants.AT_BEGINNING, sre_constants.AT_BEGINNING_STRING}


# Characters a one-character item may match, tried on a sample: enough to tell `[^@\s]` from `@`.
_SAMPLE = [chr(code) for code in range(0x250)] + ["\u2028", "\u4e00", "\U0001f600"]
_CATEGORIES: dict[Any, Any] = {
    sre_constants.CATEGORY_DIGIT: str.isdigit,
    sre_constants.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    sre_constants.CATEGORY_SPACE: str.isspace,
    sre_constants.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    sre_constants.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre_constants.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}
ANYTHING = frozenset(_SAMPLE)


def _one_char(op: Any, av: Any) -> frozenset[str] | None:
    """The sample characters a one-character item matches, or None for anything longer."""
    if op == sre_constants.LITERAL:
        return frozenset(c for c in _SAMPLE if ord(c) == av) or frozenset({chr(av)})
    if op == sre_constants.NOT_LITERAL:
        return frozenset(c for c in _SAMPLE if ord(c) != av)
    if op == sre_constants.ANY:
        return frozenset(c for c in _SAMPLE if c != "\n")
    if op != sre_constants.IN:
        return None
    negate = bool(av) and av[0][0] == sre_constants.NEGATE

    def member(c: str) -> bool:
        for kind, value in av:
            if kind == sre_constants.LITERAL and ord(c) == value:
                return True
            if kind == sre_constants.RANGE and value[0] <= ord(c) <= value[1]:
                return True
            if kind == sre_constants.CATEGORY and _CATEGORIES.get(value, lambda _: True)(c):
                return True
        return False

    return frozenset(c for c in _SAMPLE if member(c) != negate)


class _Walk:
    r"""Finds a repetition of variable length inside another, and the longest run of unbounded
    repetitions that can trade characters with each other (each multiplies the work by the length of
    the text): `[^@]+@[^@]+` is two runs of one (`@` separates them), `\d+\d+` one run of two."""

    def __init__(self) -> None:
        self.nested = False
        self.alternation = False
        self.backreference = False
        self.longest_run = 0
        self._run = 0  # unbounded repetitions in the current run
        self._run_chars: frozenset[str] = frozenset()  # what the run's last repetition matches

    def _unbounded(self, chars: frozenset[str]) -> None:
        self._run = self._run + 1 if self._run and chars & self._run_chars else 1
        self._run_chars = chars
        self.longest_run = max(self.longest_run, self._run)

    def _fixed(self, chars: frozenset[str] | None) -> None:
        if chars is not None and not chars & self._run_chars:
            self._run, self._run_chars = 0, frozenset()  # a character the run cannot take ends it

    def visit(self, items: Any, enclosing: int = 1) -> None:
        """`enclosing`: how many times the enclosing repetitions may repeat this part, together."""
        for op, av in items:
            if op in _REPEATS:
                low, high, body = av
                unbounded = high == sre_constants.MAXREPEAT or high > LARGE_REPEAT
                # (a+)+, (a{1,9}){2,50}: a repetition of variable length repeated many times splits
                # the same text in exponentially many ways ((\d{1,3}\.){3} only in 27).
                if enclosing > FEW_REPEATS and low != high:
                    self.nested = True
                single = _one_char(*body[0]) if len(body) == 1 else None
                if unbounded:
                    self._unbounded(single if single is not None else ANYTHING)
                elif single is not None and low > 0:
                    self._fixed(single)
                if single is None:
                    inner = _Walk()
                    inner.visit(
                        body, min(enclosing * (LARGE_REPEAT + 1 if unbounded else max(high, 1)), _MANY)
                    )
                    self._absorb(inner)
            elif op == sre_constants.SUBPATTERN:
                self.visit(av[-1], enclosing)
            elif op == sre_constants.BRANCH:
                # The parser has already made one character set of single-character alternatives
                # ([a-z]|[0-9]); what is left can match the same text in more than one way.
                self.alternation = self.alternation or enclosing > FEW_REPEATS
                for branch in av[1]:
                    inner = _Walk()
                    inner.visit(branch, enclosing)
                    self._absorb(inner)
                self._run_chars = ANYTHING if self._run else self._run_chars
            elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
                inner = _Walk()
                inner.visit(av[1], enclosing)
                self._absorb(inner)
            elif op in (sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS):
                self.backreference = True
            else:
                self._fixed(_one_char(op, av))
            # ATOMIC_GROUP and POSSESSIVE_REPEAT never backtrack into themselves: not looked into

    def _absorb(self, inner: _Walk) -> None:
        """A part looked at on its own (a group, a branch): its findings, its runs counted with ours."""
        self.nested = self.nested or inner.nested
        self.alternation = self.alternation or inner.alternation
        self.backreference = self.backreference or inner.backreference
        if inner.longest_run:
            self._run += inner.longest_run
            self._run_chars = ANYTHING
            self.longest_run = max(self.longest_run, self._run)


@cache
def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` may not be used (it does not compile, or may take too long), or None."""
    try:
        re.compile(pattern)
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"pattern {_shown(pattern)} is not a valid regular expression ({exc})"
    walk = _Walk()
    try:
        walk.visit(parsed)
    except RecursionError:
        return f"pattern {_shown(pattern)} nests too deeply"
    if walk.backreference:
        return f"pattern {_shown(pattern)} uses a backreference, which can take exponential time"
    if walk.nested or walk.alternation:
        what = "a repetition (like (a+)+)" if walk.nested else "an alternation (like (a|aa)+)"
        return (
            f"pattern {_shown(pattern)} repeats {what}, which can take exponential time on a string "
            "that almost matches"
        )
    first = parsed.data[0] if parsed.data else None
    anchored = first is not None and first[0] == sre_constants.AT and first[1] in _STARTS
    allowed = 2 if anchored else 1
    if walk.longest_run > allowed:
        where = "" if anchored else " without a leading ^ (a search tries every start)"
        return (
            f"pattern {_shown(pattern)} has {walk.longest_run} unbounded repetitions in a row that can "
            f"take the same characters{where}; at most {allowed} keep checking a string fast: separate "
            "them by a character they cannot take, bound them ({1,50}) or anchor the pattern with ^"
        )
    return None


def _shown(pattern: str) -> str:
    return repr(pattern if len(pattern) <= 60 else f"{pattern[:60]}…")


def schema_pattern_problems(schema: Any) -> list[str]:
    """Why the patterns of a JSON Schema may not be used: each bad `pattern`, and any
    `patternProperties` (its patterns run on property names, whose length nothing bounds)."""
    problems: list[str] = []
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            pattern = node.get("pattern")
            problem = pattern_problem(pattern) if isinstance(pattern, str) else None
            if problem:
                problems.append(problem)
            if "patternProperties" in node:
                problems.append(
                    "patternProperties is not supported: its patterns would run on property names"
                )
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return problems
