"""JSON Schema validation whose cost a manifest cannot blow up: the manifest's patterns run only if they
passed engine/manifest/patterns.py, and never on more than MAX_PATTERN_SUBJECT characters.

Used wherever a manifest's schema meets data: a tool's arguments, the API's answer against an output
schema, and `validate`'s checks of defaults and examples (which run before the rule that refuses a bad
pattern has said so, and must not hang on it meanwhile).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

from .patterns import MAX_PATTERN_SUBJECT, pattern_problem


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string") or pattern_problem(pattern) is not None:
        return  # a pattern validate refuses is never run (the manifest is not served)
    if len(instance) > MAX_PATTERN_SUBJECT:
        yield ValidationError(
            f"is {len(instance):,} characters long; text is checked against a pattern up to "
            f"{MAX_PATTERN_SUBJECT:,} characters"
        )
    elif not _compiled(pattern).search(instance):
        shown = instance if len(instance) <= 80 else f"{instance[:80]}…"
        yield ValidationError(f"{shown!r} does not match {pattern!r}")


BoundedValidator: Any = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"pattern": _pattern}
)
