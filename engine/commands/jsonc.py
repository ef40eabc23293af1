"""Editing one entry of a person's JSON config file in place, keeping every other byte.

Client config files are the person's own: Zed's and VS Code's allow `//` and `/* */` comments and
trailing commas, and their other settings must survive an edit untouched. So the file is not loaded
and dumped again: it is parsed (comments and trailing commas allowed) with the position of every
member, the entry is set by replacing or inserting text at one place, and the result is parsed back
and compared with the intended value before anyone writes it. A file that does not parse is refused
with the place of the problem.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


class JsoncError(ValueError):
    """The text is not JSON (even with comments and trailing commas allowed), or cannot be edited."""

    def __init__(self, message: str, text: str = "", offset: int = 0) -> None:
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        super().__init__(f"{line}:{column}: {message}" if text else message)


@dataclass
class Node:
    value: Any
    start: int  # offset of the value's first character
    end: int  # offset just past its last character
    members: dict[str, tuple[int, Node]] = field(default_factory=dict)  # objects: key -> (key offset, node)


_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def fail(self, message: str) -> JsoncError:
        if self.pos >= len(self.text):
            message = "the file ends before its JSON is complete (a missing } or ])"
        return JsoncError(message, self.text, self.pos)

    def skip(self) -> None:
        """Whitespace and comments."""
        text = self.text
        while self.pos < len(text):
            if text[self.pos] in " \t\r\n\ufeff":
                self.pos += 1
            elif text.startswith("//", self.pos):
                newline = text.find("\n", self.pos)
                self.pos = len(text) if newline < 0 else newline + 1
            elif text.startswith("/*", self.pos):
                close = text.find("*/", self.pos + 2)
                if close < 0:
                    raise self.fail("a /* comment is never closed")
                self.pos = close + 2
            else:
                return

    def document(self) -> Node:
        self.skip()
        node = self.value()
        self.skip()
        if self.pos != len(self.text):
            raise self.fail("unexpected text after the JSON value")
        return node

    def value(self) -> Node:
        if self.pos >= len(self.text):
            raise self.fail("unexpected end of the file")
        char = self.text[self.pos]
        if char == "{":
            return self.object()
        if char == "[":
            return self.array()
        if char == '"':
            start = self.pos
            return Node(self.string(), start, self.pos)
        start = self.pos
        for word, value in _LITERALS.items():
            if self.text.startswith(word, start):
                self.pos += len(word)
                return Node(value, start, self.pos)
        match = _NUMBER.match(self.text, start)
        if not match:
            raise self.fail("expected a JSON value")
        self.pos = match.end()
        return Node(json.loads(match.group()), start, self.pos)

    def string(self) -> str:
        decoder = json.JSONDecoder()
        try:
            value, end = decoder.raw_decode(self.text, self.pos)
        except json.JSONDecodeError:
            raise self.fail("a string is not closed or has a bad escape") from None
        self.pos = end
        return str(value)

    def object(self) -> Node:
        start = self.pos
        self.pos += 1
        node = Node({}, start, start)
        while True:
            self.skip()
            if self.text.startswith("}", self.pos):
                break
            if not self.text.startswith('"', self.pos):
                raise self.fail("expected a quoted key or }")
            key_at = self.pos
            key = self.string()
            self.skip()
            if not self.text.startswith(":", self.pos):
                raise self.fail(f"expected : after the key {key!r}")
            self.pos += 1
            self.skip()
            member = self.value()
            if key in node.members:
                raise JsoncError(f"the key {key!r} appears twice", self.text, key_at)
            node.members[key] = (key_at, member)
            node.value[key] = member.value
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1  # a trailing comma before } is allowed (JSONC)
                continue
            if not self.text.startswith("}", self.pos):
                raise self.fail("expected , or } after a member")
            break
        self.pos += 1
        node.end = self.pos
        return node

    def array(self) -> Node:
        start = self.pos
        self.pos += 1
        items: list[Any] = []
        while True:
            self.skip()
            if self.text.startswith("]", self.pos):
                break
            items.append(self.value().value)
            self.skip()
            if self.text.startswith(",", self.pos):
                self.pos += 1
                continue
            if not self.text.startswith("]", self.pos):
                raise self.fail("expected , or ] after an item")
            break
        self.pos += 1
        return Node(items, start, self.pos)


def parse(text: str) -> Node:
    """The document's root, with member positions; an empty text is an empty object."""
    if not text.strip(" \t\r\n\ufeff"):
        return Node({}, 0, 0)
    return _Parser(text).document()


def loads(text: str) -> Any:
    return parse(text).value


def has_comments_or_trailing_commas(text: str) -> bool:
    try:
        json.loads(text) if text.strip() else None
    except ValueError:
        return True
    return False


def set_member(text: str, path: tuple[str, ...], value: Any) -> str:
    """The text with the object member at `path` (keys from the root) set to `value`: replaced in
    place when it exists, else inserted first in its parent (creating missing parent objects), so
    that nothing else in the file changes. Raises JsoncError when a parent is not an object."""
    if not path:
        raise JsoncError("an empty member path")
    root = parse(text)
    if not text.strip(" \t\r\n\ufeff"):
        return _render(_nest(path, value), 0, _DEFAULT_INDENT) + "\n"
    unit = _indent_unit(text, root)
    node = root
    for depth, key in enumerate(path):
        if not isinstance(node.value, dict):
            shown = ".".join(path[:depth]) or "the top level"
            raise JsoncError(f"{shown} is not an object (it is {type(node.value).__name__})")
        found = node.members.get(key)
        if found is None:
            rest = _nest(path[depth + 1 :], value)
            return _insert_member(text, node, key, rest, depth, unit)
        node = found[1]
    indent = _line_indent(text, node.start)
    rendered = _render(value, len(indent), unit)
    edited = text[: node.start] + rendered + text[node.end :]
    return edited


_DEFAULT_INDENT = 2


def _nest(path: tuple[str, ...], value: Any) -> Any:
    for key in reversed(path):
        value = {key: value}
    return value


def _insert_member(text: str, parent: Node, key: str, value: Any, depth: int, unit: int) -> str:
    """`"key": value` as the parent object's first member, on its own line."""
    parent_indent = _line_indent(text, parent.start) if depth else ""
    member_indent = " " * (len(parent_indent) + unit) if depth else " " * unit
    rendered = _render(value, len(member_indent), unit)
    member = f"\n{member_indent}{json.dumps(key)}: {rendered}"
    after_brace = parent.start + 1
    if parent.members:
        rest = text[after_brace:]
        # The first member on the brace's line ({"a": 1}): it moves to a line of its own.
        gap = "" if rest.lstrip(" \t").startswith(("\n", "\r")) else "\n" + member_indent
        return text[:after_brace] + member + "," + gap + rest.lstrip(" \t")
    close = parent.end - 1  # the }
    inside = text[after_brace:close].rstrip()  # nothing, or only comments: they stay, before it
    return text[:after_brace] + inside + member + "\n" + parent_indent + text[close:]


def _render(value: Any, indent: int, unit: int) -> str:
    lines = json.dumps(value, indent=unit, ensure_ascii=False).split("\n")  # not splitlines: U+2028
    return "\n".join([lines[0], *(" " * indent + line for line in lines[1:])])


def _line_indent(text: str, offset: int) -> str:
    line_start = text.rfind("\n", 0, offset) + 1
    line = text[line_start:offset]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _indent_unit(text: str, root: Node) -> int:
    """The file's indentation step, from its first member (2 when it has none on its own line)."""
    for key_at, _ in root.members.values():
        indent = _line_indent(text, key_at)
        if indent and text[text.rfind("\n", 0, key_at) + 1 : key_at].strip() == "":
            return len(indent.expandtabs(4))
    return _DEFAULT_INDENT
