"""Expenses: full CRUD for Owner, Admin and Manager; no access for Members; billed expenses are locked."""

from __future__ import annotations

from typing import Any

from ..dispatch import Ctx, Reply, Route
from ..errors import conflict
from ..listing import (
    ListSpec,
    bool_filter,
    date_range,
    enum_filter,
    exact,
    number_range,
    reject_query,
    sort_fields,
)
from ..shapes import SYSTEM_FIELDS, new_record
from ..store import Record
from ..validation import BodyChecker, boolean, day, enum, identifier, money, text
from .common import (
    client_name_filter,
    copy_record,
    created,
    created_range,
    list_reply,
    load,
    no_content,
    ok,
    stamp,
)

CATEGORIES = ("TRAVEL", "MEALS", "SOFTWARE", "EQUIPMENT", "CONTRACTORS", "OTHER")
READ_ONLY = (*SYSTEM_FIELDS, "invoiceId")
PARSERS: dict[str, Any] = {
    "clientId": identifier,
    "projectId": identifier,
    "description": text(500),
    "amount": money(decimals=2, positive=True),
    "expenseDate": day,
    "category": enum(CATEGORIES),
    "customCategory": text(100, empty_to_none=True),
    "billable": boolean,
}
INPUT_FIELDS = tuple(PARSERS)  # every field the API takes is one it parses
# The message the docs quote (expenses/billed-and-locked).
LOCKED = "Invoiced expenses are locked"


def render(record: Record) -> dict[str, Any]:
    return copy_record(record)


def _spec(ctx: Ctx) -> ListSpec:
    return ListSpec(
        kind="expenses",
        sort_fields=sort_fields(
            "amount", "createdAt", "expenseDate", "id", "updatedAt", decimals=("amount",)
        ),
        search_fields=("description", "customCategory"),
        filters={
            "clientId": exact("clientId"),
            "clientName": client_name_filter(ctx),
            "projectId": exact("projectId"),
            "category": enum_filter("category", CATEGORIES),
            "billable": bool_filter("billable"),
            **date_range("expenseDate"),
            **created_range(),
            **number_range("amount"),
        },
    )


def list_expenses(ctx: Ctx) -> Reply:
    return list_reply(ctx, _spec(ctx), ctx.store.rows("expenses", ctx.principal.org_id), render)


def get_expense(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    return ok(render(load(ctx, "expenses", "expense")))


def _checker(ctx: Ctx) -> BodyChecker:
    checker = BodyChecker(ctx.body, INPUT_FIELDS, READ_ONLY)
    if "currency" in ctx.body:
        checker.errors["currency"] = "not accepted on input: an expense takes its client's currency"
    return checker


def _custom_category_only_for_other(expense: Record) -> None:
    """createExpense: "customCategory is a free-text label used when category=OTHER"."""
    if expense["category"] != "OTHER":
        expense["customCategory"] = None


def _check_refs(ctx: Ctx, checker: BodyChecker, merged: Record) -> Record | None:
    org_id = ctx.principal.org_id
    client = ctx.store.get("clients", merged["clientId"] or "", org_id)
    if client is None:
        checker.fail("clientId", "no such client in this workspace")
    if merged["projectId"] is not None:
        project = ctx.store.get("projects", merged["projectId"], org_id)
        if project is None:
            checker.fail("projectId", "no such project in this workspace")
        elif project["clientId"] != merged["clientId"]:
            checker.fail("projectId", "this project belongs to another client")
    return client


def create_expense(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    checker = _checker(ctx)
    required = ("clientId", "description", "amount", "expenseDate")
    values = checker.values(PARSERS, creating=True, required=required, non_null=("category", "billable"))
    expense = new_record("expenses", ctx.principal.org_id, ctx.store.new_id(), stamp(ctx))
    expense.update(category="OTHER", billable=True)
    expense.update(values)
    _custom_category_only_for_other(expense)
    client = _check_refs(ctx, checker, expense)
    checker.finish()
    assert client is not None
    # "it snapshots the client's currency when you create it" (a blank one is the workspace's)
    expense["currency"] = client["currency"] or ctx.principal.org["defaultCurrency"]
    ctx.store.insert("expenses", expense)
    return created(render(expense))


def update_expense(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    expense = load(ctx, "expenses", "expense")
    if expense["invoiceId"] is not None:
        raise conflict(LOCKED)
    checker = _checker(ctx)
    non_null = ("clientId", "description", "amount", "expenseDate", "category", "billable")
    values = checker.values(PARSERS, creating=False, non_null=non_null)
    merged = {**expense, **values}
    _custom_category_only_for_other(merged)
    _check_refs(ctx, checker, merged)
    checker.finish()
    # The currency stays the snapshot taken at creation: "An expense's currency is not editable".
    expense.update(merged, updatedAt=stamp(ctx))
    return ok(render(expense))


def delete_expense(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    expense = load(ctx, "expenses", "expense")
    if expense["invoiceId"] is not None:
        raise conflict(LOCKED)
    expense["deletedAt"] = stamp(ctx)
    return no_content()


_STAFF = "access expenses"
ROUTES = [
    Route("GET", "/expenses", list_expenses, _STAFF),
    Route("POST", "/expenses", create_expense, _STAFF),
    Route("GET", "/expenses/{id}", get_expense, _STAFF),
    Route("PATCH", "/expenses/{id}", update_expense, _STAFF),
    Route("DELETE", "/expenses/{id}", delete_expense, _STAFF),
]
