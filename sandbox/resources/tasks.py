"""Tasks: CRUD + archive for Owner, Admin and Manager; Members read and update tasks assigned to them."""

from __future__ import annotations

from typing import Any

from ..dispatch import Ctx, Reply, Route
from ..errors import ApiError, not_found
from ..listing import (
    FilterParser,
    ListSpec,
    bool_filter,
    date_range,
    enum_filter,
    exact,
    parse_bool,
    reject_query,
    sort_fields,
)
from ..shapes import SYSTEM_FIELDS, TASK_FIELDS, new_record
from ..store import Record
from ..validation import BodyChecker, boolean, day, enum, identifier, string_list, text, timestamp
from .common import copy_record, created, created_range, list_reply, ok, stamp

STATUSES = ("TODO", "IN_PROGRESS", "DONE")
PRIORITIES = ("LOW", "MEDIUM", "HIGH")
MEMBER_LOCKED_FIELDS = ("projectId", "assigneeIds", "archivedAt")

PARSERS: dict[str, Any] = {
    "projectId": identifier,
    "name": text(200),
    "description": text(5000, empty_to_none=True),
    "status": enum(STATUSES),
    "priority": enum(PRIORITIES),
    "billable": boolean,
    "assigneeIds": string_list,
    "startDate": day,
    "endDate": day,
    "dueDate": day,
    "archivedAt": timestamp,
}


def render(record: Record) -> dict[str, Any]:
    return copy_record(record)


def visible_tasks(ctx: Ctx) -> list[Record]:
    rows = ctx.store.rows("tasks", ctx.principal.org_id)
    if ctx.principal.is_member:  # [decided] a Member sees only the tasks assigned to them
        rows = [t for t in rows if ctx.principal.user_id in (t["assigneeIds"] or [])]
    return rows


def _load(ctx: Ctx) -> Record:
    record = next((t for t in visible_tasks(ctx) if t["id"] == ctx.params["id"]), None)
    if record is None:
        raise not_found("task")
    return record


def _assignee_filter(raw: str) -> Any:
    return lambda record: raw in (record.get("assigneeIds") or [])


def _archived_filter(raw: str) -> Any:
    wanted = parse_bool(raw)
    return lambda record: (record.get("archivedAt") is not None) is wanted


FILTERS: dict[str, FilterParser] = {
    "projectId": exact("projectId"),
    "assigneeId": _assignee_filter,
    "status": enum_filter("status", STATUSES),
    "priority": enum_filter("priority", PRIORITIES),
    "billable": bool_filter("billable"),
    "archived": _archived_filter,
    **date_range("startDate"),
    **date_range("dueDate"),
    **date_range("endDate"),
    **created_range(),
}
SPEC = ListSpec(
    kind="tasks",
    sort_fields={
        **sort_fields(
            "createdAt",
            "dueDate",
            "endDate",
            "id",
            "priority",
            "startDate",
            "status",
            "updatedAt",
            ranks={"priority": PRIORITIES, "status": STATUSES},
        ),
        "name": lambda r: str(r["name"]).casefold(),
    },
    search_fields=("name", "description"),
    filters=FILTERS,
)


def list_tasks(ctx: Ctx) -> Reply:
    rows = visible_tasks(ctx)
    if not any(name == "archived" for name, _ in ctx.query):  # archived tasks are left out by default
        rows = [t for t in rows if t["archivedAt"] is None]
    return list_reply(ctx, SPEC, rows, render)


def get_task(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    return ok(render(_load(ctx)))


def _check_rules(ctx: Ctx, checker: BodyChecker, merged: Record, creating: bool) -> None:
    org_id = ctx.principal.org_id
    project = ctx.store.get("projects", merged["projectId"] or "", org_id)
    if project is None:
        checker.fail("projectId", "no such project in this workspace")
    elif creating and project["status"] == "ARCHIVED":
        checker.fail("projectId", "this project is archived; tasks cannot be added to it")
    for user_id in merged["assigneeIds"] or []:
        if ctx.store.member_by_user(org_id, user_id) is None:
            checker.fail("assigneeIds", f"no member of this workspace has user id {user_id}")
    if merged["startDate"] and merged["endDate"] and merged["endDate"] < merged["startDate"]:
        checker.fail("endDate", "must be on or after startDate")
    if merged["startDate"] and merged["dueDate"] and merged["dueDate"] < merged["startDate"]:
        checker.fail("dueDate", "must be on or after startDate")


def _put_assignees_on_project(ctx: Ctx, task: Record) -> None:
    # Assigning someone to a task puts them on its project (so a Member can see the project).
    ctx.store.users_on_project(task["projectId"]).update(task["assigneeIds"] or [])


def create_task(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    checker = BodyChecker(
        ctx.body, [f for f in TASK_FIELDS if f != "archivedAt"], (*SYSTEM_FIELDS, "archivedAt")
    )
    values = checker.values(
        PARSERS, creating=True, required=("projectId", "name"), non_null=("status", "priority", "billable")
    )
    task = new_record("tasks", ctx.principal.org_id, ctx.store.new_id(), stamp(ctx))
    task.update(status="TODO", priority="MEDIUM", billable=True, assigneeIds=[])
    task.update(values)
    task["assigneeIds"] = task["assigneeIds"] or []
    _check_rules(ctx, checker, task, creating=True)
    checker.finish()
    ctx.store.insert("tasks", task)
    _put_assignees_on_project(ctx, task)
    return created(render(task))


def update_task(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    task = _load(ctx)
    if ctx.principal.is_member:
        locked = [name for name in MEMBER_LOCKED_FIELDS if name in ctx.body]
        if locked:
            raise ApiError(403, "the MEMBER role may not change " + ", ".join(locked) + " of a task")
    checker = BodyChecker(ctx.body, TASK_FIELDS, SYSTEM_FIELDS)
    values = checker.values(
        PARSERS, creating=False, non_null=("projectId", "name", "status", "priority", "billable")
    )
    merged = {**task, **values}
    merged["assigneeIds"] = merged["assigneeIds"] or []
    _check_rules(ctx, checker, merged, creating=False)
    checker.finish()
    task.update(merged, updatedAt=stamp(ctx))
    _put_assignees_on_project(ctx, task)
    return ok(render(task))


def archive_task(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    BodyChecker(ctx.body, ()).finish()
    task = _load(ctx)
    if task["archivedAt"] is None:
        task.update(archivedAt=stamp(ctx), updatedAt=stamp(ctx))
    return ok(render(task))


ROUTES = [
    Route("GET", "/tasks", list_tasks),
    Route("POST", "/tasks", create_task, "create tasks"),
    Route("GET", "/tasks/{id}", get_task),
    Route("PATCH", "/tasks/{id}", update_task),
    Route("POST", "/tasks/{id}/archive", archive_task, "archive tasks"),
]
