"""List endpoints: query parsing, filters, sorting and keyset cursors.

A cursor carries the sort it was made with and the sort key of the last record sent (value, id).
The next page holds the records strictly after that key, so inserts and deletes between requests
never make a page skip or repeat a record that existed throughout.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .errors import invalid
from .store import Record
from .timeutil import day_end, day_start, format_ts, parse_date, parse_ts
from .validation import FieldError

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
MAX_SEARCH = 200

Predicate = Callable[[Record], bool]
FilterParser = Callable[[str], Predicate]  # raises FieldError for a bad value
SortValue = Callable[[Record], Any]  # str | int | Decimal | None


@dataclass(frozen=True)
class ListSpec:
    kind: str
    sort_fields: dict[str, SortValue]
    search_fields: tuple[str, ...]
    filters: dict[str, FilterParser]
    default_sort: str = "-createdAt"


@dataclass
class ListQuery:
    limit: int = DEFAULT_LIMIT
    sort: str = "-createdAt"
    after: tuple[Any, str] | None = None
    predicates: list[Predicate] = field(default_factory=list)


# --- sort values ----------------------------------------------------------------------------------


def plain(name: str) -> SortValue:
    return lambda record: record.get(name)


def decimal_value(name: str) -> SortValue:
    def value(record: Record) -> Decimal | None:
        raw = record.get(name)
        return None if raw is None else Decimal(str(raw))

    return value


def ranked(name: str, order: Sequence[str]) -> SortValue:
    """Enums sort in their documented order (LOW < MEDIUM < HIGH), not alphabetically."""
    ranks = {value: index for index, value in enumerate(order)}
    return lambda record: None if record.get(name) is None else ranks.get(record[name], len(ranks))


def sort_fields(
    *names: str, decimals: Iterable[str] = (), ranks: dict[str, Sequence[str]] | None = None
) -> dict[str, SortValue]:
    decimal_names = set(decimals)
    ranks = ranks or {}
    result: dict[str, SortValue] = {}
    for name in names:
        if name in ranks:
            result[name] = ranked(name, ranks[name])
        elif name in decimal_names:
            result[name] = decimal_value(name)
        else:
            result[name] = plain(name)
    return result


# --- filters --------------------------------------------------------------------------------------

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def parse_bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise FieldError("must be true/false, 1/0 or yes/no")


def exact(name: str) -> FilterParser:
    return lambda raw: lambda record: record.get(name) == raw


def enum_filter(name: str, values: Sequence[str]) -> FilterParser:
    def parse(raw: str) -> Predicate:
        matches = [v for v in values if v.lower() == raw.strip().lower()]
        if not matches:
            raise FieldError("must be one of " + ", ".join(values))
        return lambda record: record.get(name) == matches[0]

    return parse


def bool_filter(name: str) -> FilterParser:
    def parse(raw: str) -> Predicate:
        wanted = parse_bool(raw)
        return lambda record: bool(record.get(name)) is wanted

    return parse


def _moment(raw: str, upper: bool) -> datetime:
    """A bound: a bare date is the start (From) or the end (To) of that UTC day, else an ISO timestamp."""
    day = parse_date(raw)
    moment = (day_end(day) if upper else day_start(day)) if day else parse_ts(raw)
    if moment is None:
        raise FieldError("must be a date YYYY-MM-DD or an ISO-8601 timestamp")
    return moment


def date_range(name: str) -> dict[str, FilterParser]:
    """``<name>From`` / ``<name>To`` on a YYYY-MM-DD column, inclusive. The bound may be a date or a
    timestamp (api/filtering-and-sorting); the column's value counts as that day's UTC midnight."""

    def bound(upper: bool) -> FilterParser:
        def parse(raw: str) -> Predicate:
            moment = _moment(raw, upper)
            # The same test on dates, computed once: midnight(d) <= moment iff d <= moment's day;
            # midnight(d) >= moment iff d >= moment's day, or the next day when moment is past midnight.
            first = moment.date() + (
                timedelta(days=0) if moment == day_start(moment.date()) else timedelta(days=1)
            )
            limit = (moment.date() if upper else first).isoformat()
            if upper:
                return lambda r: r.get(name) is not None and r[name] <= limit
            return lambda r: r.get(name) is not None and r[name] >= limit

        return parse

    return {f"{name}From": bound(False), f"{name}To": bound(True)}


def timestamp_range(name: str) -> dict[str, FilterParser]:
    """``<name>From`` / ``<name>To`` (timestamps); a bare date means the start / end of that day (UTC)."""

    def bound(upper: bool) -> FilterParser:
        def parse(raw: str) -> Predicate:
            limit = format_ts(
                _moment(raw, upper)
            )  # stored timestamps share this format: strings compare in time order
            if upper:
                return lambda r: r.get(name) is not None and r[name] <= limit
            return lambda r: r.get(name) is not None and r[name] >= limit

        return parse

    return {f"{name}From": bound(False), f"{name}To": bound(True)}


def number_range(
    name: str, value: SortValue | None = None, *, integer: bool = False
) -> dict[str, FilterParser]:
    """``<name>Min`` / ``<name>Max``, inclusive; decimal strings accepted."""
    get = value or decimal_value(name)

    def bound(upper: bool) -> FilterParser:
        def parse(raw: str) -> Predicate:
            try:
                limit = Decimal(raw.strip())
            except InvalidOperation:
                raise FieldError("must be a number") from None
            if not limit.is_finite() or (integer and limit != limit.to_integral_value()):
                raise FieldError("must be an integer" if integer else "must be a number")

            def check(record: Record) -> bool:
                current = get(record)
                if current is None:
                    return False
                return bool(Decimal(current) <= limit if upper else Decimal(current) >= limit)

            return check

        return parse

    return {f"{name}Min": bound(False), f"{name}Max": bound(True)}


# --- cursors --------------------------------------------------------------------------------------


def _encode_value(value: Any) -> list[Any]:
    if value is None:
        return ["n"]
    if isinstance(value, Decimal):
        return ["d", str(value)]
    if isinstance(value, int):
        return ["i", value]
    return ["s", str(value)]


def _decode_value(encoded: Any) -> Any:
    if not isinstance(encoded, list) or not encoded or encoded[0] not in ("n", "d", "i", "s"):
        raise ValueError("bad cursor value")
    tag = encoded[0]
    if tag == "n":
        return None
    if tag == "d":
        return Decimal(encoded[1])
    if tag == "i":
        return int(encoded[1])
    return str(encoded[1])


def encode_cursor(kind: str, sort: str, value: Any, record_id: str) -> str:
    raw = json.dumps({"k": kind, "s": sort, "v": _encode_value(value), "i": record_id}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(kind: str, sort: str, cursor: str) -> tuple[Any, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("k") != kind or not isinstance(data.get("i"), str):
            raise ValueError("wrong resource")
        value = _decode_value(data.get("v"))
    except (ValueError, binascii.Error, UnicodeDecodeError, InvalidOperation, IndexError, TypeError):
        raise FieldError("not a cursor from this list; start again without one") from None
    if data.get("s") != sort:
        raise FieldError(f"this cursor was made with sort={data.get('s')}; pass the same sort or start again")
    return value, data["i"]


# --- parsing and paging ---------------------------------------------------------------------------

RESERVED = ("limit", "cursor", "sort", "search")


def reject_query(params: Sequence[tuple[str, str]]) -> None:
    """For endpoints that take no query parameters at all."""
    if params:
        raise invalid({name: "this endpoint takes no query parameters" for name, _ in params})


def parse_query(spec: ListSpec, params: Sequence[tuple[str, str]]) -> ListQuery:
    errors: dict[str, str] = {}
    seen: dict[str, str] = {}
    for name, value in params:
        if name in seen:
            errors[name] = "given more than once"
        elif value == "":
            errors[name] = "empty value; omit the parameter instead"
        elif name not in RESERVED and name not in spec.filters:
            allowed = ", ".join([*RESERVED, *sorted(spec.filters)])
            errors[name] = f"unknown parameter; this list accepts {allowed}"
        seen[name] = value

    query = ListQuery(sort=spec.default_sort)
    if "limit" in seen and "limit" not in errors:
        raw = seen["limit"]
        if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
            errors["limit"] = f"must be an integer from 1 to {MAX_LIMIT}"
        else:
            query.limit = int(raw)
    if "sort" in seen and "sort" not in errors:
        name = seen["sort"].removeprefix("-")
        if name not in spec.sort_fields:
            errors["sort"] = "unknown sort field; allowed: " + ", ".join(sorted(spec.sort_fields))
        else:
            query.sort = seen["sort"]
    if "search" in seen and "search" not in errors:
        needle = seen["search"].lower()
        if len(needle) > MAX_SEARCH:
            errors["search"] = f"at most {MAX_SEARCH} characters"
        else:
            fields = spec.search_fields
            query.predicates.append(lambda r: any(needle in str(r.get(f) or "").lower() for f in fields))
    for name, value in seen.items():
        if name in spec.filters and name not in errors:
            try:
                query.predicates.append(spec.filters[name](value))
            except FieldError as exc:
                errors[name] = str(exc)
    if "cursor" in seen and "cursor" not in errors and "sort" not in errors:
        try:
            query.after = decode_cursor(spec.kind, query.sort, seen["cursor"])
        except FieldError as exc:
            errors["cursor"] = str(exc)
    if errors:
        raise invalid(errors)
    return query


def _null_first_key(value: Any) -> tuple[Any, ...]:
    # Nulls compare lowest: first when ascending, last when descending (as documented).
    return (0,) if value is None else (1, value)


def paginate(spec: ListSpec, query: ListQuery, rows: Iterable[Record]) -> tuple[list[Record], str | None]:
    descending = query.sort.startswith("-")
    field_name = query.sort.removeprefix("-")
    value_of = spec.sort_fields[field_name]
    keyed = [
        ((_null_first_key(value_of(r)), r["id"]), r)
        for r in rows
        if all(check(r) for check in query.predicates)
    ]
    if query.after is not None:
        after_value, after_id = query.after
        boundary = (_null_first_key(after_value), after_id)
        keyed = [(k, r) for k, r in keyed if (k < boundary if descending else k > boundary)]
    keyed.sort(key=lambda pair: pair[0], reverse=descending)
    page = [record for _, record in keyed[: query.limit]]
    next_cursor = None
    if len(keyed) > query.limit:
        last = page[-1]
        next_cursor = encode_cursor(spec.kind, query.sort, value_of(last), last["id"])
    return page, next_cursor
