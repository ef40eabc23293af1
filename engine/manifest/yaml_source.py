"""YAML loading that remembers where every value came from, so problems can say FILE:LINE:COL.

The document is composed into nodes with PyYAML's safe loader and rebuilt by hand, recording the
position of every value and every mapping key. Dates stay strings (JSON has no date type), mapping
keys are kept as their source text (`401:` is the key "401"), and duplicate keys are an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .model import DocPath
from .problems import ManifestError, Problem

_MERGE_TAG = "tag:yaml.org,2002:merge"
# What a hostile file can cost. Aliases (*name) may add at most this much plus twice the file's own
# length, counted in characters of the text they repeat (scalars included) and one per node: a 1 MiB
# file that aliases a 1 MB string a thousand times is refused, not built.
ALIAS_ALLOWANCE = 1024 * 1024
MAX_DEPTH = 64  # levels of mappings and lists; nothing a manifest declares needs more
_MAX_INT_DIGITS = 400  # as for JSON read from outside (calls/bounded_json.py): more than a double holds
_TRACKED_SCALAR = 64  # a scalar this long or longer is remembered, so aliasing it is counted


# libyaml composes nodes (with their marks) about 15x faster than the pure-Python parser.
_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _JsonishLoader(_BaseLoader):  # type: ignore[valid-type,misc]
    """Safe loader without the timestamp resolver: `2026-03-02` stays the string it looks like."""


_JsonishLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class SourceMap:
    """Positions (1-based line, column) of values and keys, by their path in the document."""

    file: str
    values: dict[DocPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[DocPath, tuple[int, int]] = field(default_factory=dict)

    def position(self, path: DocPath, *, key: bool = False) -> tuple[int, int]:
        """Where `path` is, or its nearest known ancestor (a missing key is reported at its parent)."""
        if key and path in self.keys:
            return self.keys[path]
        for end in range(len(path), -1, -1):
            found = self.values.get(path[:end])
            if found is not None:
                return found
        return (1, 1)

    def problem(self, path: DocPath, message: str, rule: str, *, key: bool = False) -> Problem:
        line, column = self.position(path, key=key)
        return Problem(self.file, line, column, message, rule)


def load_yaml(text: str, file: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document into plain JSON-like data plus its source map."""
    source = SourceMap(file)
    loader = _JsonishLoader(text)
    try:
        try:
            root = loader.get_single_node()
        except RecursionError:  # the pure-Python composer (libyaml stops at 1,000 levels itself)
            raise ManifestError([Problem(file, 1, 1, "YAML nested too deeply to read", "yaml")]) from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            reason = " ".join(part for part in (exc.context, exc.problem) if part)
            if exc.context_mark and mark and exc.context_mark.line != mark.line:
                reason += f" (the construct began on line {exc.context_mark.line + 1})"
            raise ManifestError(
                [Problem(file, line, column, f"YAML syntax error: {reason}", "yaml")]
            ) from None
        except yaml.YAMLError as exc:
            raise ManifestError([Problem(file, 1, 1, f"YAML error: {exc}", "yaml")]) from None
        if root is None:
            raise ManifestError([Problem(file, 1, 1, "the file is empty", "yaml")])
        builder = _Builder(loader, source, ALIAS_ALLOWANCE + 2 * len(text))
        data = builder.build(root, ())
        if builder.problems:
            raise ManifestError(builder.problems)
        return data, source
    finally:
        loader.dispose()


class _Builder:
    def __init__(self, loader: _JsonishLoader, source: SourceMap, alias_budget: int) -> None:
        self.loader = loader
        self.source = source
        self.problems: list[Problem] = []
        self.alias_limit = alias_budget
        self.alias_budget = alias_budget
        self.built: set[int] = set()  # nodes built once already: building one again is alias expansion
        self.active: set[int] = set()  # nodes on the current branch, to catch recursive aliases
        self.expanding = 0  # > 0 while building a node again (an alias): all it holds is counted

    def build(self, node: Node, path: DocPath, record: bool = True, depth: int = 0) -> Any:
        """`record`: keep positions below this node (off inside free-form sample data, the bulk of a
        manifest's nodes, whose problems are reported at the sample itself)."""
        if depth > MAX_DEPTH:
            raise ManifestError([self.source.problem(path, f"nested deeper than {MAX_DEPTH} levels", "yaml")])
        if record:
            start = node.start_mark
            self.source.values[path] = (start.line + 1, start.column + 1)
        if type(node) is ScalarNode:  # most nodes: skip the loader's bookkeeping, call the constructor
            if self.expanding:
                self._spend(1 + len(node.value), path)
            elif len(node.value) >= _TRACKED_SCALAR:  # a long scalar aliased on its own (`key: *text`)
                if id(node) in self.built:
                    self._spend(1 + len(node.value), path)
                self.built.add(id(node))
            return self._scalar(node)
        # Collections: bound alias expansion and refuse recursion.
        again = id(node) in self.built
        if again or self.expanding:
            self._spend(1, path)  # the node itself; what it holds counts as it is built
        self.built.add(id(node))
        if id(node) in self.active:
            raise ManifestError([self.source.problem(path, "recursive YAML alias", "yaml")])
        self.active.add(id(node))
        self.expanding += again
        try:
            if isinstance(node, MappingNode):
                return self._mapping(node, path, record, depth)
            if isinstance(node, SequenceNode):
                if not record:
                    return [self.build(item, path, False, depth + 1) for item in node.value]
                return [
                    self.build(item, (*path, index), True, depth + 1) for index, item in enumerate(node.value)
                ]
            self._problem_at(node, f"unsupported YAML node {node.tag}", "yaml")
            return None
        finally:
            self.active.discard(id(node))
            self.expanding -= again

    def _spend(self, cost: int, path: DocPath) -> None:
        self.alias_budget -= cost
        if self.alias_budget < 0:
            message = (
                f"aliases (*name) expand this document by more than {self.alias_limit:,} characters "
                "(twice the file, and 1 MiB); write the repeated part out, or share a smaller one"
            )
            raise ManifestError([self.source.problem(path, message, "yaml")])

    def _mapping(self, node: MappingNode, path: DocPath, record: bool, depth: int) -> dict[str, Any]:
        seen: dict[str, Node] = {}
        merges = False
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG:
                merges = True
            elif isinstance(key_node, ScalarNode):
                first = seen.setdefault(key_node.value, key_node)
                if first is not key_node:
                    self._problem_at(
                        key_node,
                        f"duplicate key {key_node.value!r} "
                        f"(first defined on line {first.start_mark.line + 1})",
                        "duplicate-key",
                    )
        if merges:
            self._spend(_merged_entries(node), path)  # counted before PyYAML copies them in
            try:
                self.loader.flatten_mapping(node)  # expands `<<: *anchor`; explicit keys come last and win
            except yaml.MarkedYAMLError as exc:
                mark = exc.problem_mark
                line, column = (mark.line + 1, mark.column + 1) if mark else self.source.position(path)
                self.problems.append(
                    Problem(self.source.file, line, column, f"bad merge key: {exc.problem}", "yaml")
                )
                return {}
        # Below an example's sample response or expected result nothing more is recorded.
        sample_data = record and len(path) == 4 and path[2] == "examples"
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self._problem_at(key_node, "mapping keys must be plain scalars", "yaml")
                continue
            key = key_node.value
            if not record:
                result[key] = self.build(value_node, path, False, depth + 1)
                continue
            child = (*path, key)
            self.source.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if sample_data and key in ("response", "result"):
                self.source.values[child] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
                result[key] = self.build(value_node, child, False, depth + 1)
            else:
                result[key] = self.build(value_node, child, True, depth + 1)
        return result

    def _scalar(self, node: ScalarNode) -> Any:
        """A JSON value; an unknown tag, a bad `!!int`, binary or a timestamp is a located problem."""
        constructor = self.loader.yaml_constructors.get(node.tag)
        try:
            value = constructor(self.loader, node) if constructor else self.loader.construct_object(node)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            reason = exc.problem if isinstance(exc, yaml.MarkedYAMLError) and exc.problem else str(exc)
            self._problem_at(node, f"cannot read this value: {reason.splitlines()[0]}", "yaml")
            return None
        if value is not None and not isinstance(value, str | int | float | bool):
            self._problem_at(node, f"{node.tag} values are not JSON; quote the text", "yaml")
            return None
        if isinstance(value, float) and not math.isfinite(value):
            self._problem_at(node, f"{node.value} is not a JSON number (infinite, or too large)", "yaml")
            return None
        if type(value) is int and len(node.value) > _MAX_INT_DIGITS and abs(value) >= 10**_MAX_INT_DIGITS:
            self._problem_at(node, f"an integer of more than {_MAX_INT_DIGITS} digits", "yaml")
            return None
        return value

    def _problem_at(self, node: Node, message: str, rule: str) -> None:
        mark = node.start_mark
        self.problems.append(Problem(self.source.file, mark.line + 1, mark.column + 1, message, rule))


def _merged_entries(node: MappingNode) -> int:
    """How many entries `<<` merge keys copy into `node` (each merged mapping's, its own merges too)."""
    total = 0
    pending: list[Node] = [value for key, value in node.value if key.tag == _MERGE_TAG]
    seen = 0
    while pending and seen < 100_000:  # a merge cycle is refused by PyYAML itself; stop counting anyway
        seen += 1
        merged = pending.pop()
        if isinstance(merged, SequenceNode):
            pending.extend(merged.value)
        elif isinstance(merged, MappingNode):
            total += len(merged.value)
            pending.extend(value for key, value in merged.value if key.tag == _MERGE_TAG)
    return total
