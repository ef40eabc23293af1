"""Field rules for request bodies: text, money, durations, dates, enums; reasons collected per field."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import invalid
from .timeutil import format_ts, parse_date, parse_ts

MAX_DURATION_SECONDS = 24 * 3600
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_HMS_RE = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m)?\s*(?:(\d+)\s*s)?$")
_DECIMAL_UNIT_RE = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)\s*([hm])$")
_CLOCK_RE = re.compile(r"^(\d+):([0-5]\d)(?::([0-5]\d))?$")


class FieldError(ValueError):
    """One field's reason for rejection."""


class BodyChecker:
    """Walks a JSON body field by field, collecting a reason for each bad field.

    Handlers call ``take``/``require`` with a parser; the parsed values are returned, and
    ``finish`` raises one 422 with every collected reason.
    """

    def __init__(self, body: dict[str, Any], allowed: Iterable[str], read_only: Iterable[str] = ()) -> None:
        self.body = body
        self.errors: dict[str, str] = {}
        allowed_set = set(allowed)
        read_only_set = set(read_only)
        for name in body:
            if name in read_only_set:
                self.errors[name] = "read-only field; it cannot be set over the API"
            elif name not in allowed_set:
                self.errors[name] = "unknown field"

    def has(self, name: str) -> bool:
        return name in self.body

    def fail(self, name: str, reason: str) -> None:
        self.errors.setdefault(name, reason)

    def take(self, name: str, parser: Callable[[Any], Any]) -> Any:
        """The parsed value of an optional field (None when absent or null)."""
        if name not in self.body or self.body[name] is None:
            return None
        try:
            return parser(self.body[name])
        except FieldError as exc:
            self.fail(name, str(exc))
            return None

    def require(self, name: str, parser: Callable[[Any], Any]) -> Any:
        value = self.take(name, parser)
        if value is None and name not in self.errors:
            self.fail(name, "required")
        return value

    def values(
        self,
        parsers: dict[str, Callable[[Any], Any]],
        *,
        creating: bool,
        required: Iterable[str] = (),
        non_null: Iterable[str] = (),
    ) -> dict[str, Any]:
        """The parsed fields present in the body (all required ones when creating); null clears a field."""
        required_set, non_null_set = set(required), set(non_null) | set(required)
        out: dict[str, Any] = {}
        for name, parser in parsers.items():
            if creating and name in required_set:
                out[name] = self.require(name, parser)
            elif name not in self.body:
                continue
            elif self.body[name] is None:
                if name in non_null_set:
                    self.fail(name, "must not be null")
                else:
                    out[name] = None
            else:
                value = self.take(name, parser)
                if name not in self.errors:
                    out[name] = value
        return out

    def finish(self) -> None:
        if self.errors:
            raise invalid(self.errors)


# --- parsers: each takes a raw JSON value and returns the stored value or raises FieldError ---


def text(max_len: int = 200, *, empty_to_none: bool = False) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        if not isinstance(value, str):
            raise FieldError("must be a string")
        if value.strip() == "":
            if empty_to_none:
                return None
            raise FieldError("must not be empty")
        if len(value) > max_len:
            raise FieldError(f"at most {max_len} characters")
        return value

    return parse


def email(value: Any) -> str | None:
    parsed = text(254, empty_to_none=True)(value)
    if parsed is not None and not _EMAIL_RE.match(parsed):
        raise FieldError("must be an email address")
    return parsed


def identifier(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FieldError("must be an id string")
    return value


def boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise FieldError("must be true or false")
    return value


def integer(minimum: int, maximum: int) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                raise FieldError("must be an integer")
        if not minimum <= value <= maximum:
            raise FieldError(f"must be between {minimum} and {maximum}")
        return int(value)

    return parse


def to_decimal(value: Any) -> Decimal:
    """A number or a decimal string (money inputs accept both)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise FieldError("must be a number or a decimal string")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise FieldError("must be a number or a decimal string") from None
    if not number.is_finite():
        raise FieldError("must be a finite number")
    return number


def format_money(number: Decimal) -> str:
    """At least two decimals ("150.00"), more only when given ("12.3456")."""
    exponent = number.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{number:.{places}f}"


def money(*, decimals: int = 4, positive: bool = False, empty_to_none: bool = False) -> Callable[[Any], Any]:
    def parse(value: Any) -> str | None:
        if empty_to_none and isinstance(value, str) and value.strip() == "":
            return None
        number = to_decimal(value)
        exponent = number.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > decimals:
            raise FieldError(f"at most {decimals} decimal places")
        if positive and number <= 0:
            raise FieldError("must be greater than 0")
        if number < 0:
            raise FieldError("must not be negative")
        return format_money(number)

    return parse


def decimal_number(*, maximum: Decimal | None = None) -> Callable[[Any], str]:
    """A non-negative decimal that is not money (hours, tax rates), returned as a string."""

    def parse(value: Any) -> str:
        number = to_decimal(value)
        if number < 0:
            raise FieldError("must not be negative")
        if maximum is not None and number > maximum:
            raise FieldError(f"must be at most {maximum}")
        return format(number.normalize(), "f")

    return parse


def enum(allowed: Iterable[str], *, lower: bool = False) -> Callable[[Any], str]:
    """Case-insensitive on input; stored upper-case (lower-case for the few lower-case enums)."""
    values = tuple(allowed)

    def parse(value: Any) -> str:
        if not isinstance(value, str) or value.upper() not in {v.upper() for v in values}:
            raise FieldError("must be one of " + ", ".join(values))
        return value.lower() if lower else value.upper()

    return parse


def choice(allowed: Iterable[str]) -> Callable[[Any], str]:
    """One of a few documented labels (e.g. "Net 30"), case-insensitive, stored as documented."""
    values = tuple(allowed)
    canonical = {v.casefold(): v for v in values}

    def parse(value: Any) -> str:
        if not isinstance(value, str) or value.strip().casefold() not in canonical:
            raise FieldError("must be one of " + ", ".join(values))
        return canonical[value.strip().casefold()]

    return parse


def blank_to_null(body: dict[str, Any]) -> dict[str, Any]:
    """ "Empty strings are coerced to null" (createClient, updateClient): blank text becomes null."""
    return {
        name: None if isinstance(value, str) and not value.strip() else value for name, value in body.items()
    }


def day(value: Any) -> str:
    if not isinstance(value, str) or parse_date(value) is None:
        raise FieldError("must be a date YYYY-MM-DD")
    return value


def timestamp(value: Any) -> str:
    moment = parse_ts(value) if isinstance(value, str) else None
    if moment is None:
        raise FieldError("must be an ISO-8601 timestamp, e.g. 2025-05-01T09:30:00Z")
    return format_ts(moment)


def string_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise FieldError("must be an array of id strings")
    return list(dict.fromkeys(value))


def currency(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value):
        raise FieldError("must be a three-letter currency code")
    return value.upper()


def parse_duration(value: Any) -> int:
    """Seconds from "1h30m", "1:30" (h:mm[:ss]), "90m", "1.5h", "45s"; 1 s to 24 h."""
    if not isinstance(value, str) or not value.strip():
        raise FieldError('must be a duration string like "1h30m", "1:30", "90m" or "1.5h"')
    spec = value.strip().lower()
    seconds: Decimal | None = None
    if match := _DECIMAL_UNIT_RE.match(spec):
        scale = 3600 if match.group(2) == "h" else 60
        seconds = Decimal(match.group(1)) * scale
    elif match := _CLOCK_RE.match(spec):
        seconds = Decimal(int(match.group(1)) * 3600 + int(match.group(2)) * 60 + int(match.group(3) or 0))
    elif (match := _HMS_RE.match(spec)) and any(match.groups()):
        hours, minutes, secs = (int(g or 0) for g in match.groups())
        seconds = Decimal(hours * 3600 + minutes * 60 + secs)
    if seconds is None:
        raise FieldError('must be a duration string like "1h30m", "1:30", "90m" or "1.5h"')
    return check_duration(int(seconds.to_integral_value()))


def check_duration(seconds: int) -> int:
    if seconds < 1:
        raise FieldError("must be at least 1 second")
    if seconds > MAX_DURATION_SECONDS:
        raise FieldError("must be at most 24 hours (86400 seconds)")
    return seconds


def duration_seconds(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FieldError("must be an integer number of seconds")
    return check_duration(value)
