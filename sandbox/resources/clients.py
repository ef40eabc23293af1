"""Clients: full CRUD for Owner, Admin and Manager; no access for Members."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..dispatch import Ctx, Reply, Route
from ..errors import conflict
from ..listing import ListSpec, reject_query, sort_fields, timestamp_range
from ..shapes import CLIENT_FIELDS, SYSTEM_FIELDS, new_record
from ..store import Record
from ..validation import (
    BodyChecker,
    blank_to_null,
    boolean,
    choice,
    currency,
    decimal_number,
    email,
    money,
    text,
)
from .common import copy_record, created, created_range, list_reply, load, no_content, ok, stamp

_OPTIONAL_TEXT = (
    "contactName",
    "phone",
    "website",
    "billingAddress",
    "billingLine1",
    "billingLine2",
    "billingCity",
    "billingRegion",
    "billingPostalCode",
    "billingCountry",
    "taxNumber",
)
# clients/billing-defaults: "Due on receipt, Net 7, Net 15, Net 30, or inherit the workspace default"
# (null). The workspace's own list (Net 14, Net 60, none) is the workspace setting's, not a client's.
PAYMENT_TERMS = ("Due on receipt", "Net 7", "Net 15", "Net 30")

# Blank strings reach these parsers as null already ("Empty strings are coerced to null").
PARSERS: dict[str, Any] = {
    "name": text(200),
    **{name: text(200) for name in _OPTIONAL_TEXT},
    "notes": text(5000),
    "email": email,
    "billingEmail": email,
    "currency": currency,  # null: the workspace default applies ("leave it blank to inherit")
    "defaultRate": money(decimals=4),
    "defaultPaymentTerms": choice(PAYMENT_TERMS),
    "defaultTaxRate": decimal_number(maximum=Decimal(100)),
    "requirePoNumber": boolean,  # null: the toggle is off
}

SPEC = ListSpec(
    kind="clients",
    sort_fields={**sort_fields("createdAt", "id", "updatedAt"), "name": lambda r: str(r["name"]).casefold()},
    search_fields=("name", "contactName", "email"),
    filters={**created_range(), **timestamp_range("updatedAt")},
)


def render(record: Record) -> dict[str, Any]:
    return copy_record(record)


def list_clients(ctx: Ctx) -> Reply:
    return list_reply(ctx, SPEC, ctx.store.rows("clients", ctx.principal.org_id), render)


def get_client(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    return ok(render(load(ctx, "clients", "client")))


def _values(ctx: Ctx, *, creating: bool) -> dict[str, Any]:
    checker = BodyChecker(blank_to_null(ctx.body), CLIENT_FIELDS, SYSTEM_FIELDS)
    values = checker.values(PARSERS, creating=creating, required=("name",), non_null=("name",))
    checker.finish()
    if "requirePoNumber" in values or creating:
        values["requirePoNumber"] = bool(values.get("requirePoNumber"))
    return values


def create_client(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    values = _values(ctx, creating=True)
    record = new_record("clients", ctx.principal.org_id, ctx.store.new_id(), stamp(ctx), **values)
    return created(render(ctx.store.insert("clients", record)))


def update_client(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    record = load(ctx, "clients", "client")
    record.update(_values(ctx, creating=False), updatedAt=stamp(ctx))
    return ok(render(record))


# clients/archive-and-delete: "Delete is blocked if the client has any non-archived projects, invoices,
# or time entries. You'll see:" this message. (api/errors lists only projects and invoices: the page
# about deleting is the specific one; time entries count on any project of the client, archived too.)
DELETE_BLOCKED = "Cannot delete a client with projects, invoices, or time entries. Archive it instead."


def delete_client(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    record = load(ctx, "clients", "client")
    org_id = ctx.principal.org_id
    projects = [p for p in ctx.store.rows("projects", org_id) if p["clientId"] == record["id"]]
    project_ids = {p["id"] for p in projects}
    if (
        any(p["status"] != "ARCHIVED" for p in projects)
        or any(i["clientId"] == record["id"] for i in ctx.store.rows("invoices", org_id))
        or any(e["projectId"] in project_ids for e in ctx.store.rows("timeEntries", org_id))
    ):
        raise conflict(DELETE_BLOCKED)
    record["deletedAt"] = stamp(ctx)  # soft delete: older records keep resolving the client's name
    return no_content()


_STAFF = "access clients"
ROUTES = [
    Route("GET", "/clients", list_clients, _STAFF),
    Route("POST", "/clients", create_client, _STAFF),
    Route("GET", "/clients/{id}", get_client, _STAFF),
    Route("PATCH", "/clients/{id}", update_client, _STAFF),
    Route("DELETE", "/clients/{id}", delete_client, _STAFF),
]
