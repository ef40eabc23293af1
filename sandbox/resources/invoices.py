"""Invoices: read-only over the API, for Owner, Admin and Manager (created and sent in the app)."""

from __future__ import annotations

from typing import Any

from ..dispatch import Ctx, Reply, Route
from ..listing import (
    ListSpec,
    date_range,
    enum_filter,
    exact,
    number_range,
    reject_query,
    sort_fields,
    timestamp_range,
)
from ..store import Record
from .common import client_name_filter, copy_record, created_range, list_reply, load, ok

STATUSES = ("DRAFT", "SENT", "PAID", "CANCELLED")
# Documented in lower case, so stored and returned in lower case (unlike the other enums).
PAYMENT_STATUSES = ("unpaid", "partially_paid", "paid", "refunded")


def render(record: Record) -> dict[str, Any]:
    return copy_record(record)


def _spec(ctx: Ctx) -> ListSpec:
    return ListSpec(
        kind="invoices",
        sort_fields=sort_fields(
            "amountPaid",
            "createdAt",
            "dueDate",
            "id",
            "issueDate",
            "number",
            "paidAt",
            "paymentStatus",
            "sentAt",
            "status",
            "total",
            "updatedAt",
            decimals=("amountPaid", "total"),
            ranks={"status": STATUSES, "paymentStatus": PAYMENT_STATUSES},
        ),
        search_fields=("number",),
        filters={
            "clientId": exact("clientId"),
            "clientName": client_name_filter(ctx),
            "status": enum_filter("status", STATUSES),
            "paymentStatus": enum_filter("paymentStatus", PAYMENT_STATUSES),
            **date_range("issueDate"),
            **date_range("dueDate"),
            **timestamp_range("sentAt"),
            **timestamp_range("paidAt"),
            **created_range(),
            **number_range("total"),
        },
    )


def list_invoices(ctx: Ctx) -> Reply:
    return list_reply(ctx, _spec(ctx), ctx.store.rows("invoices", ctx.principal.org_id), render)


def get_invoice(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    return ok(render(load(ctx, "invoices", "invoice")))


_STAFF = "access invoices"
ROUTES = [
    Route("GET", "/invoices", list_invoices, _STAFF),
    Route("GET", "/invoices/{id}", get_invoice, _STAFF),
]
