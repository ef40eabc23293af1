"""Time entries and timers: staff manage anyone's, Members their own; invoiced entries are locked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..dispatch import Ctx, Reply, Route
from ..errors import ApiError, conflict, not_found
from ..listing import (
    ListSpec,
    bool_filter,
    date_range,
    exact,
    number_range,
    parse_bool,
    reject_query,
    sort_fields,
)
from ..shapes import SYSTEM_FIELDS, new_record
from ..store import Record
from ..timeutil import format_ts, parse_ts
from ..validation import (
    BodyChecker,
    FieldError,
    boolean,
    check_duration,
    day,
    duration_seconds,
    identifier,
    parse_duration,
    text,
    timestamp,
)
from .common import copy_record, created, created_range, list_reply, no_content, ok, stamp

READ_ONLY = (*SYSTEM_FIELDS, "invoiceId")
PARSERS: dict[str, Any] = {
    "userId": identifier,
    "projectId": identifier,
    "taskId": identifier,
    "durationSeconds": duration_seconds,
    "duration": parse_duration,
    "billable": boolean,
    "note": text(2000, empty_to_none=True),
    "entryDate": day,
    "startedAt": timestamp,
    "stoppedAt": timestamp,
}
INPUT_FIELDS = tuple(PARSERS)  # every field the API takes is one it parses
FUTURE_SKEW = timedelta(minutes=1)
# time-tracking/live-timer: "If you stop a timer before it reaches 5 minutes, the entry is never recorded."
MIN_TIMER_SECONDS = 5 * 60
# The message the docs quote (time-tracking/edit-and-delete, invoiced-and-locked-time).
LOCKED = "Invoiced time entries are locked"
REASSIGNERS = ("OWNER", "ADMIN")


def is_running(entry: Record) -> bool:
    return entry["startedAt"] is not None and entry["stoppedAt"] is None


def live_duration(entry: Record, now: datetime) -> int | None:
    """A running timer's duration grows with the clock; a stopped entry's is stored."""
    if not is_running(entry):
        return entry["durationSeconds"]  # type: ignore[no-any-return]
    started = parse_ts(entry["startedAt"])
    return max(0, int((now - started).total_seconds())) if started else None


def render_at(now: datetime) -> Any:
    def render(entry: Record) -> dict[str, Any]:
        out = copy_record(entry)
        out["durationSeconds"] = live_duration(entry, now)
        return out

    return render


def visible_entries(ctx: Ctx) -> list[Record]:
    rows = ctx.store.rows("timeEntries", ctx.principal.org_id)
    if ctx.principal.is_member:
        rows = [e for e in rows if e["userId"] == ctx.principal.user_id]
    return rows


def _load(ctx: Ctx) -> Record:
    entry = next((e for e in visible_entries(ctx) if e["id"] == ctx.params["id"]), None)
    if entry is None:
        raise not_found("time entry")
    return entry


def _spec(ctx: Ctx) -> ListSpec:
    def running_filter(raw: str) -> Any:
        wanted = parse_bool(raw)
        return lambda entry: is_running(entry) is wanted

    return ListSpec(
        kind="timeEntries",
        sort_fields={
            **sort_fields("createdAt", "entryDate", "id", "updatedAt"),
            # A running timer's duration changes every second; it sorts as null so cursors stay stable.
            "durationSeconds": lambda e: None if is_running(e) else e["durationSeconds"],
        },
        search_fields=("note",),
        filters={
            "projectId": exact("projectId"),
            "taskId": exact("taskId"),
            "userId": exact("userId"),
            "billable": bool_filter("billable"),
            "running": running_filter,
            **date_range("entryDate"),
            **created_range(),
            # listTimeEntrys: "Accepts decimal-string values like "150.00"".
            **number_range("durationSeconds", lambda e: live_duration(e, ctx.now)),
        },
    )


def list_entries(ctx: Ctx) -> Reply:
    if ctx.principal.is_member:  # [decided] a Member's listing is pinned to themselves
        ctx.query = [(name, value) for name, value in ctx.query if name != "userId"]
    return list_reply(ctx, _spec(ctx), visible_entries(ctx), render_at(ctx.now))


def get_entry(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    return ok(render_at(ctx.now)(_load(ctx)))


def get_running(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    user = ctx.principal.user_id
    running = [
        e
        for e in ctx.store.rows("timeEntries", ctx.principal.org_id)
        if e["userId"] == user and is_running(e)
    ]
    return ok(render_at(ctx.now)(running[0]) if running else None)


def _stop(entry: Record, ctx: Ctx) -> None:
    elapsed = live_duration(entry, ctx.now) or 1
    entry.update(stoppedAt=stamp(ctx), durationSeconds=min(max(1, elapsed), 86400), updatedAt=stamp(ctx))
    _discard_if_short(entry, ctx)


def _discard_if_short(timer: Record, ctx: Ctx) -> None:
    """A timer stopped under 5 minutes is never recorded (live-timer, the-one-timer-rule)."""
    if timer["durationSeconds"] is not None and timer["durationSeconds"] < MIN_TIMER_SECONDS:
        timer["deletedAt"] = stamp(ctx)


def _reject_other_user(ctx: Ctx) -> None:
    wanted = ctx.body.get("userId")
    if ctx.principal.is_member and wanted is not None and wanted != ctx.principal.user_id:
        raise ApiError(403, "the MEMBER role may only log and change their own time")


def _reject_reassignment(ctx: Ctx, entry: Record) -> None:
    """time-tracking/edit-and-delete: "Reassigning an entry to a different person is Owner/Admin only."
    A Manager edits anyone's entry, but naming another person moves it."""
    wanted = ctx.body.get("userId")
    if wanted is not None and wanted != entry["userId"] and ctx.principal.role not in REASSIGNERS:
        raise ApiError(403, f"the {ctx.principal.role} role may not reassign a time entry to another person")


def _check_refs(ctx: Ctx, checker: BodyChecker, merged: Record, project_changed: bool) -> Record | None:
    org_id = ctx.principal.org_id
    project = ctx.store.get("projects", merged["projectId"] or "", org_id)
    on_project = project is not None and (
        not ctx.principal.is_member
        or ctx.principal.user_id in ctx.store.project_users.get(project["id"], set())
    )
    if not on_project:
        checker.fail("projectId", "no such project, or you are not on it")
        project = None
    elif project is not None and project_changed and project["status"] == "ARCHIVED":
        checker.fail("projectId", "this project is archived; time cannot be logged on it")
    if merged["taskId"] is not None:
        task = ctx.store.get("tasks", merged["taskId"], org_id)
        if task is None or task["projectId"] != merged["projectId"]:
            checker.fail("taskId", "no such task on this project")
    if ctx.store.member_by_user(org_id, merged["userId"] or "") is None:
        checker.fail("userId", "no member of this workspace has this user id")
    return project


def _span(checker: BodyChecker, started: str, stopped: str) -> int | None:
    start, stop = parse_ts(started), parse_ts(stopped)
    if start is None or stop is None:
        return None
    try:
        return check_duration(int((stop - start).total_seconds()))
    except FieldError as exc:
        checker.fail("stoppedAt", f"stoppedAt - startedAt {exc}")
        return None


def _durationseconds_wins(ctx: Ctx, checker: BodyChecker) -> None:
    """When both forms come, ``duration`` is ignored, including any complaint about it."""
    if "durationSeconds" in ctx.body:
        checker.errors.pop("duration", None)


def create_entry(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    _reject_other_user(ctx)
    checker = BodyChecker(ctx.body, INPUT_FIELDS, READ_ONLY)
    values = checker.values(PARSERS, creating=True, required=("projectId",), non_null=("billable", "userId"))
    _durationseconds_wins(ctx, checker)
    started, stopped = values.get("startedAt"), values.get("stoppedAt")
    # durationSeconds wins when both forms are sent.
    seconds = values.get("durationSeconds") if "durationSeconds" in ctx.body else values.get("duration")
    if stopped and not started:
        checker.fail("stoppedAt", "needs startedAt")
    duration_failed = "durationSeconds" in checker.errors or "duration" in checker.errors
    if seconds is None and started and stopped:
        seconds = _span(checker, started, stopped)
    elif seconds is None and not started and not duration_failed:
        checker.fail(
            "durationSeconds",
            'required: give durationSeconds (integer seconds) or duration (e.g. "1h30m"), '
            "or startedAt alone to start a timer",
        )
    elif seconds is not None and started and not stopped:
        start = parse_ts(started)
        stopped = format_ts(start + timedelta(seconds=seconds)) if start else None
    starts_timer = seconds is None and bool(started) and not stopped
    start_moment = parse_ts(started) if started else None
    if starts_timer and start_moment is not None and start_moment > ctx.now + FUTURE_SKEW:
        checker.fail("startedAt", "a timer cannot start in the future")
    entry_date = values.get("entryDate")
    if entry_date is None and start_moment is not None:
        entry_date = start_moment.date().isoformat()  # a timer's entryDate defaults to its start day
    elif entry_date is None and "entryDate" not in checker.errors:
        checker.fail("entryDate", "required")
    checker.finish()

    entry = new_record(
        "timeEntries",
        ctx.principal.org_id,
        ctx.store.new_id(),
        stamp(ctx),
        userId=values.get("userId") or ctx.principal.user_id,
        projectId=values["projectId"],
        taskId=values.get("taskId"),
        durationSeconds=seconds,
        note=values.get("note"),
        entryDate=entry_date,
        startedAt=started,
        stoppedAt=stopped,
    )
    project = _check_refs(ctx, checker, entry, project_changed=True)
    checker.finish()
    assert project is not None
    entry["billable"] = values["billable"] if "billable" in values else project["rateType"] != "NON_BILLABLE"
    if starts_timer:
        running = [
            other
            for other in ctx.store.rows("timeEntries", ctx.principal.org_id)
            if other["userId"] == entry["userId"] and is_running(other)
        ]
        for other in running:
            # the-one-timer-rule: "Starting the same timer you already have running has no effect".
            if (other["projectId"], other["taskId"]) == (entry["projectId"], entry["taskId"]):
                return ok(render_at(ctx.now)(other))
        for other in running:  # one running timer per person: starting one stops the previous
            _stop(other, ctx)
    ctx.store.insert("timeEntries", entry)
    return created(render_at(ctx.now)(entry))


def update_entry(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    entry = _load(ctx)
    if entry["invoiceId"] is not None:
        raise conflict(LOCKED)
    _reject_other_user(ctx)
    _reject_reassignment(ctx, entry)
    checker = BodyChecker(ctx.body, INPUT_FIELDS, READ_ONLY)
    non_null = ("userId", "projectId", "billable", "entryDate", "durationSeconds", "duration", "startedAt")
    values = checker.values(PARSERS, creating=False, non_null=non_null)
    _durationseconds_wins(ctx, checker)
    if "stoppedAt" in ctx.body and ctx.body["stoppedAt"] is None and not is_running(entry):
        checker.fail("stoppedAt", "a stopped entry cannot be restarted; start a new timer instead")
    seconds = values.pop("durationSeconds", None) if "durationSeconds" in ctx.body else values.get("duration")
    values.pop("duration", None)
    merged = {**entry, **values}
    if merged["stoppedAt"] is not None and merged["startedAt"] is not None and "stoppedAt" in values:
        span = _span(checker, merged["startedAt"], merged["stoppedAt"])
        merged["durationSeconds"] = seconds or span
    elif seconds is not None:
        if is_running(merged):
            checker.fail("durationSeconds", "this timer is running; stop it with stoppedAt first")
        merged["durationSeconds"] = seconds
    checker.finish()
    _check_refs(ctx, checker, merged, project_changed=merged["projectId"] != entry["projectId"])
    checker.finish()
    stops_timer = is_running(entry) and not is_running(merged)
    entry.update(merged, updatedAt=stamp(ctx))
    if stops_timer:
        _discard_if_short(entry, ctx)  # answered with deletedAt set, so the caller sees it is gone
    return ok(render_at(ctx.now)(entry))


def delete_entry(ctx: Ctx) -> Reply:
    reject_query(ctx.query)
    entry = _load(ctx)
    if entry["invoiceId"] is not None:
        raise conflict(LOCKED)
    entry["deletedAt"] = stamp(ctx)
    return no_content()


ROUTES = [
    Route("GET", "/time-entries", list_entries),
    Route("POST", "/time-entries", create_entry),
    Route("GET", "/time-entries/running", get_running),
    Route("GET", "/time-entries/{id}", get_entry),
    Route("PATCH", "/time-entries/{id}", update_entry),
    Route("DELETE", "/time-entries/{id}", delete_entry),
]
