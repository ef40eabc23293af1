"""Small helpers shared by the resource handlers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..dispatch import Ctx, Reply
from ..errors import not_found
from ..listing import ListSpec, paginate, parse_query, timestamp_range
from ..store import Record
from ..timeutil import format_ts


def ok(data: Any) -> Reply:
    return Reply(200, {"data": data})


def created(data: Any) -> Reply:
    return Reply(201, {"data": data})


def no_content() -> Reply:
    return Reply(204)


def list_reply(
    ctx: Ctx, spec: ListSpec, rows: Iterable[Record], render: Callable[[Record], dict[str, Any]]
) -> Reply:
    query = parse_query(spec, ctx.query)
    page, next_cursor = paginate(spec, query, rows)
    return Reply(
        200,
        {"data": [render(r) for r in page], "pagination": {"nextCursor": next_cursor, "limit": query.limit}},
    )


def load(ctx: Ctx, kind: str, noun: str) -> Record:
    record = ctx.store.get(kind, ctx.params["id"], ctx.principal.org_id)
    if record is None:
        raise not_found(noun)
    return record


def stamp(ctx: Ctx) -> str:
    return format_ts(ctx.now)


def created_range() -> dict[str, Any]:
    return timestamp_range("createdAt")


def client_name_filter(ctx: Ctx, key: str = "clientId") -> Callable[[str], Callable[[Record], bool]]:
    """``clientName``: case-insensitive partial match on the name of the record's client."""
    names = {c["id"]: str(c["name"]).lower() for c in ctx.store.tables["clients"].values()}

    def parse(raw: str) -> Callable[[Record], bool]:
        needle = raw.lower()
        return lambda record: needle in names.get(record.get(key) or "", "")

    return parse


def copy_record(record: Record, drop: Iterable[str] = ()) -> dict[str, Any]:
    dropped = set(drop)
    return {k: (list(v) if isinstance(v, list) else v) for k, v in record.items() if k not in dropped}
