"""Projects: CRUD + archive for Owner, Admin and Manager; Members read the projects they are on."""

from __future__ import annotations

from typing import Any

from ..dispatch import Ctx, Reply, Route
from ..errors import not_found
from ..listing import ListSpec, date_range, enum_filter, exact, reject_query, sort_fields
from ..shapes import PROJECT_FIELDS, PROJECT_MONEY_FIELDS, SYSTEM_FIELDS, new_record
from ..store import Record
from ..validation import BodyChecker, day, decimal_number, enum, identifier, money, text
from .common import client_name_filter, copy_record, created, created_range, list_reply, ok, stamp

STATUSES = ("ACTIVE", "COMPLETED", "ARCHIVED")
RATE_TYPES = ("HOURLY", "FIXED", "NON_BILLABLE")
# projects/billing-types-and-rates: "When a project's Hourly rate is left blank, it inherits the client's
# default hourly rate" - on a FIXED project too (its rate powers reports); non-billable time is never priced.
PRICED_RATE_TYPES = ("HOURLY", "FIXED")

PARSERS: dict[str, Any] = {
    "clientId": identifier,
    "name": text(200),
    "description": text(5000, empty_to_none=True),
    "color": text(32, empty_to_none=True),
    "status": enum(STATUSES),
    "rateType": enum(RATE_TYPES),
    "hourlyRate": money(decimals=4, empty_to_none=True),
    "fixedFeeAmount": money(decimals=4, empty_to_none=True),
    "budgetHours": decimal_number(),
    "budgetAmount": money(decimals=4, empty_to_none=True),
    "startDate": day,
    "dueDate": day,
}


def render_for(ctx: Ctx) -> Any:
    """Members are money-blind: rates and amounts are left out of their payloads ([decided])."""
    drop = PROJECT_MONEY_FIELDS if ctx.principal.is_member else ()

    def render(record: Record) -> dict[str, Any]:
        return copy_record(record, drop)

    return render


def visible_projects(ctx: Ctx) -> list[Record]:
    rows = ctx.store.rows("projects", ctx.principal.org_id)
    if ctx.principal.is_member:
        user = ctx.principal.user_id
        rows = [p for p in rows if user in ctx.store.project_users.get(p["id"], set())]
    return rows


def find_visible(ctx: Ctx, project_id: str) -> Record | None:
    return next((p for p in visible_projects(ctx) if p["id"] == project_id), None)


def _spec(ctx: Ctx) -> ListSpec:
    return ListSpec(
        kind="projects",
        sort_fields={
            **sort_fields(
                "createdAt", "dueDate", "id", "startDate", "status", "updatedAt", ranks={"status": STATUSES}
            ),
            "name": lambda r: str(r["name"]).casefold(),
        },
        search_fields=("name", "description"),
        filters={
            "clientId": exact("clientId"),
            "clientName": client_name_filter(ctx),
            "status": enum_filter("status", STATUSES),
            **date_range("startDate"),
            **date_range("dueDate"),
            **created_range(),
        },
    )


def list_projects(ctx: Ctx) -> Reply:
    return list_reply(ctx, _spec(ctx), visible_projects(ctx), render_for(ctx))


def get_project(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    record = find_visible(ctx, ctx.params["id"])
    if record is None:
        raise not_found("project")
    return ok(render_for(ctx)(record))


def _check_rules(ctx: Ctx, checker: BodyChecker, merged: Record, hourly_given_blank: bool) -> None:
    """The project rules, checked on the record as it would be after the write."""
    client = ctx.store.get("clients", merged["clientId"] or "", ctx.principal.org_id)
    if merged["clientId"] and client is None:
        checker.fail("clientId", "no such client in this workspace")
    if merged["budgetAmount"] is not None and merged["budgetHours"] is not None:
        reason = "budgetAmount and budgetHours are mutually exclusive; set one of them"
        checker.fail("budgetAmount", reason)
        checker.fail("budgetHours", reason)
    if merged["rateType"] == "FIXED" and merged["fixedFeeAmount"] is None:
        checker.fail("fixedFeeAmount", "required when rateType is FIXED")
    if merged["rateType"] != "FIXED" and merged["fixedFeeAmount"] is not None:
        checker.fail(
            "fixedFeeAmount", f"only allowed when rateType is FIXED (this project is {merged['rateType']})"
        )
    if merged["startDate"] and merged["dueDate"] and merged["dueDate"] < merged["startDate"]:
        checker.fail("dueDate", "must be on or after startDate")
    if hourly_given_blank and client is not None:
        merged["hourlyRate"] = client.get("defaultRate")  # a blank hourlyRate inherits the client's rate


def create_project(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    checker = BodyChecker(ctx.body, PROJECT_FIELDS, SYSTEM_FIELDS)
    values = checker.values(
        PARSERS, creating=True, required=("clientId", "name"), non_null=("status", "rateType")
    )
    merged = new_record("projects", ctx.principal.org_id, ctx.store.new_id(), stamp(ctx))
    merged.update(status="ACTIVE", rateType="HOURLY")
    merged.update(values)
    blank_rate = merged["rateType"] in PRICED_RATE_TYPES and merged["hourlyRate"] is None
    _check_rules(ctx, checker, merged, blank_rate)
    checker.finish()
    ctx.store.insert("projects", merged)
    return created(render_for(ctx)(merged))


def update_project(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    record = find_visible(ctx, ctx.params["id"])
    if record is None:
        raise not_found("project")
    checker = BodyChecker(ctx.body, PROJECT_FIELDS, SYSTEM_FIELDS)
    values = checker.values(PARSERS, creating=False, non_null=("clientId", "name", "status", "rateType"))
    merged = {**record, **values}
    blank_rate = (
        "hourlyRate" in values and values["hourlyRate"] is None and merged["rateType"] in PRICED_RATE_TYPES
    )
    _check_rules(ctx, checker, merged, blank_rate)
    checker.finish()
    record.update(merged, updatedAt=stamp(ctx))
    return ok(render_for(ctx)(record))


def archive_project(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    BodyChecker(ctx.body, ()).finish()
    record = find_visible(ctx, ctx.params["id"])
    if record is None:
        raise not_found("project")
    if record["status"] != "ARCHIVED":  # archiving twice is harmless: the record stays as it is
        record.update(status="ARCHIVED", updatedAt=stamp(ctx))
    return ok(render_for(ctx)(record))


ROUTES = [
    Route("GET", "/projects", list_projects),
    Route("POST", "/projects", create_project, "create projects"),
    Route("GET", "/projects/{id}", get_project),
    Route("PATCH", "/projects/{id}", update_project, "update projects"),
    Route("POST", "/projects/{id}/archive", archive_project, "archive projects"),
]
