"""Checks a manifest's structure against schemas/manifest.schema.json, reporting every violation."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from .model import DocPath
from .problems import Problem, did_you_mean
from .schema_file import manifest_schema_path
from .yaml_source import SourceMap

_UNEXPECTED = re.compile(r"'([^']*)' (?:was|were) unexpected")


@cache
def manifest_validator() -> Draft202012Validator:
    schema = json.loads(manifest_schema_path().read_text(encoding="utf-8"))
    # Local $refs inlined once: resolving them on every use dominates validation of large manifests.
    return Draft202012Validator(_inline_refs(schema, schema.get("$defs", {})))


def _inline_refs(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        # The schema's $defs are not recursive, so expanding them terminates.
        target = _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        siblings = {k: _inline_refs(v, defs) for k, v in node.items() if k != "$ref"}
        return {**target, **siblings} if siblings else target
    return {k: _inline_refs(v, defs) for k, v in node.items() if k != "$defs"}


def describe_path(path: DocPath) -> str:
    """`tools[3].arguments.client_id` for ("tools", 3, "arguments", "client_id")."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def check_structure(data: Any, source: SourceMap) -> list[Problem]:
    problems: list[Problem] = []
    for error in manifest_validator().iter_errors(data):
        problems.extend(_to_problems(error, source))
    return problems


def _to_problems(error: ValidationError, source: SourceMap) -> list[Problem]:
    path: DocPath = tuple(error.absolute_path)
    if error.validator == "additionalProperties":
        # Point at each unexpected key itself, not at the object that holds it.
        names = [name for group in _UNEXPECTED.findall(error.message) for name in group.split("', '")]
        if names:
            known = list(error.schema.get("properties", {})) if isinstance(error.schema, dict) else []
            return [
                source.problem(
                    (*path, name),
                    f"{describe_path(path)}: unknown key {name!r}{did_you_mean(name, known)}",
                    "schema",
                    key=True,
                )
                for name in names
            ]
    if error.validator == "propertyNames":
        # jsonschema does not say which key failed; find it by re-checking each one.
        bad = (
            [key for key in error.instance if not _name_ok(error, key)]
            if isinstance(error.instance, dict)
            else []
        )
        return [
            source.problem(
                (*path, key), f"{describe_path(path)}: key {key!r} is not allowed here", "schema", key=True
            )
            for key in bad
        ] or [source.problem(path, f"{describe_path(path)}: {error.message}", "schema")]
    if error.validator == "not" and error.validator_value == {} and path:
        # A key this combination of settings forbids; its schema says why.
        why = error.schema.get("description") if isinstance(error.schema, dict) else None
        message = f"{describe_path(path[:-1])}: key {path[-1]!r} is not allowed here"
        return [source.problem(path, f"{message}: {why}" if why else message, "schema", key=True)]
    return [source.problem(path, f"{describe_path(path)}: {_short(error)}", "schema")]


def _name_ok(error: ValidationError, key: str) -> bool:
    names_schema = error.validator_value
    return not isinstance(names_schema, dict) or bool(Draft202012Validator(names_schema).is_valid(key))


def _short(error: ValidationError) -> str:
    message = error.message
    if (
        error.validator == "enum"
        and isinstance(error.instance, str)
        and isinstance(error.validator_value, list)
    ):
        words = [value for value in error.validator_value if isinstance(value, str)]
        return message + did_you_mean(error.instance, words)
    if error.validator == "required":
        return message.replace(" is a required property", " is required")
    if error.validator == "const" and isinstance(error.schema, dict) and error.schema.get("description"):
        return f"{message}: {error.schema['description']}"
    if error.validator == "oneOf" and isinstance(error.schema, dict) and error.schema.get("description"):
        return f"must be exactly one of its forms ({error.schema['description']})"
    if len(message) > 200:  # a huge instance repeated in the message helps nobody
        return f"{message[:200]}…"
    return message
