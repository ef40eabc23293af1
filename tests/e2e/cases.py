"""For each of the 31 tools: arguments that succeed for the studio Owner, and a characteristic failure.

A failure names whose token makes the call (workspace and role, or a revoked token), the arguments,
and the status and error code the API must answer with, which the tool must pass on unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hoursmith_mcp.sandbox import seed

MISSING = "00000000-0000-4000-8000-000000000000"


@dataclass(frozen=True)
class Failure:
    status: int
    code: str
    arguments: dict[str, Any] = field(default_factory=dict)
    role: str = "OWNER"
    workspace: str = "studio"
    revoked: bool = False


@dataclass(frozen=True)
class Case:
    tool: str
    ok: dict[str, Any]
    failure: Failure


def _member(status: int, code: str, arguments: dict[str, Any] | None = None) -> Failure:
    return Failure(status, code, arguments or {}, role="MEMBER")


_FREE = Failure(402, "forbidden_plan", workspace="free")
_REVOKED = Failure(401, "unauthenticated", revoked=True)

CASES: list[Case] = [
    Case("get_me", {}, _FREE),
    Case("get_organization", {}, _REVOKED),
    Case("list_members", {"limit": 5, "sort": "role"}, _FREE),
    Case("list_clients", {"limit": 3, "search": "a"}, _member(403, "forbidden_scope")),
    Case(
        "get_client",
        {"client_id": seed.CLIENT_WITH_ACTIVE_PROJECT_ID},
        Failure(404, "not_found", {"client_id": MISSING}),
    ),
    Case(
        "create_client",
        {"name": "Fresh Co", "currency": "EUR"},
        _member(403, "forbidden_scope", {"name": "X"}),
    ),
    Case(
        "update_client",
        {"client_id": seed.DELETABLE_CLIENT_ID, "notes": "Net 30"},
        Failure(404, "not_found", {"client_id": MISSING, "notes": "x"}),
    ),
    Case(
        "delete_client",
        {"client_id": seed.DELETABLE_CLIENT_ID},
        Failure(409, "conflict", {"client_id": seed.CLIENT_WITH_ACTIVE_PROJECT_ID}),
    ),
    Case("list_projects", {"status": "ACTIVE", "limit": 5}, _FREE),
    Case(
        "get_project",
        {"project_id": seed.HOURLY_PROJECT_ID},
        _member(404, "not_found", {"project_id": seed.PROJECT_WITHOUT_MEMBERS_ID}),
    ),
    Case(
        "create_project",
        {
            "client_id": seed.DELETABLE_CLIENT_ID,
            "name": "Launch",
            "rate_type": "HOURLY",
            "hourly_rate": "120.00",
        },
        Failure(
            422,
            "validation_error",
            {"client_id": seed.DELETABLE_CLIENT_ID, "name": "Fixed", "rate_type": "FIXED"},
        ),
    ),
    Case(
        "update_project",
        {"project_id": seed.HOURLY_PROJECT_ID, "description": "Phase two"},
        Failure(
            422,
            "validation_error",
            {"project_id": seed.HOURLY_PROJECT_ID, "start_date": "2026-05-01", "due_date": "2026-04-01"},
        ),
    ),
    Case(
        "archive_project",
        {"project_id": seed.HOURLY_PROJECT_ID},
        _member(403, "forbidden_scope", {"project_id": seed.HOURLY_PROJECT_ID}),
    ),
    Case("list_tasks", {"project_id": seed.HOURLY_PROJECT_ID}, _REVOKED),
    Case(
        "get_task", {"task_id": seed.SAM_TASK_ID}, _member(404, "not_found", {"task_id": seed.LENA_TASK_ID})
    ),
    Case(
        "create_task",
        {"project_id": seed.HOURLY_PROJECT_ID, "name": "QA pass", "priority": "HIGH"},
        _member(403, "forbidden_scope", {"project_id": seed.HOURLY_PROJECT_ID, "name": "Mine"}),
    ),
    Case(
        "update_task",
        {"task_id": seed.SAM_TASK_ID, "status": "DONE"},
        Failure(404, "not_found", {"task_id": MISSING, "status": "DONE"}),
    ),
    Case(
        "archive_task",
        {"task_id": seed.SAM_TASK_ID},
        _member(403, "forbidden_scope", {"task_id": seed.SAM_TASK_ID}),
    ),
    Case("list_time_entries", {"limit": 10, "sort": "-entryDate"}, _FREE),
    Case(
        "get_time_entry",
        {"time_entry_id": seed.MEMBER_OWN_ENTRY_ID},
        _member(404, "not_found", {"time_entry_id": seed.OTHER_MEMBERS_ENTRY_ID}),
    ),
    Case("get_running_timer", {}, _REVOKED),
    Case(
        "create_time_entry",
        {
            "project_id": seed.HOURLY_PROJECT_ID,
            "entry_date": "2026-03-02",
            "duration": "1h30m",
            "note": "Review",
        },
        Failure(
            422,
            "validation_error",
            {"project_id": seed.HOURLY_PROJECT_ID, "entry_date": "2026-03-02", "duration": "25h"},
        ),
    ),
    Case(
        "update_time_entry",
        # Reassigning: Owner/Admin only (time-tracking/edit-and-delete), so the roles part ways here.
        {"time_entry_id": seed.MEMBER_OWN_ENTRY_ID, "note": "Edited", "user_id": seed.STUDIO_ADMIN_USER_ID},
        Failure(409, "conflict", {"time_entry_id": seed.INVOICED_TIME_ENTRY_ID, "note": "Edited"}),
    ),
    Case(
        "delete_time_entry",
        {"time_entry_id": seed.MEMBER_OWN_ENTRY_ID},
        Failure(409, "conflict", {"time_entry_id": seed.INVOICED_TIME_ENTRY_ID}),
    ),
    Case("list_expenses", {"category": "TRAVEL"}, _member(403, "forbidden_scope")),
    Case(
        "get_expense",
        {"expense_id": seed.UNBILLED_EXPENSE_ID},
        Failure(404, "not_found", {"expense_id": MISSING}),
    ),
    Case(
        "create_expense",
        {
            "client_id": seed.DELETABLE_CLIENT_ID,
            "description": "Train",
            "amount": "42.50",
            "expense_date": "2026-03-02",
        },
        Failure(
            422,
            "validation_error",
            {
                "client_id": seed.DELETABLE_CLIENT_ID,
                "project_id": seed.HOURLY_PROJECT_ID,
                "description": "Cab",
                "amount": "12.00",
                "expense_date": "2026-03-02",
            },
        ),
    ),
    Case(
        "update_expense",
        {"expense_id": seed.UNBILLED_EXPENSE_ID, "description": "Taxi"},
        Failure(409, "conflict", {"expense_id": seed.BILLED_EXPENSE_ID, "description": "Taxi"}),
    ),
    Case(
        "delete_expense",
        {"expense_id": seed.UNBILLED_EXPENSE_ID},
        Failure(409, "conflict", {"expense_id": seed.BILLED_EXPENSE_ID}),
    ),
    Case("list_invoices", {"status": "PAID"}, _member(403, "forbidden_scope")),
    Case(
        "get_invoice",
        {"invoice_id": seed.PAID_INVOICE_ID},
        Failure(404, "not_found", {"invoice_id": MISSING}),
    ),
]

BY_TOOL = {case.tool: case for case in CASES}


@dataclass(frozen=True)
class WorkflowCase:
    """A workflow call every role makes: what it answers must be what the API answers that token."""

    tool: str
    arguments: dict[str, Any]


WORKFLOW_CASES: list[WorkflowCase] = [
    WorkflowCase("get_running_timer", {}),
    WorkflowCase("start_timer", {"project": "Acme Website Redesign", "task": "wireframes", "note": "Review"}),
    WorkflowCase("stop_timer", {"note": "Done"}),
    WorkflowCase(
        "log_time",
        {
            "project": "Hooli Podcast Pilot",
            "task": "Episode outline",
            "duration": "1h30m",
            "day": "yesterday",
        },
    ),
    WorkflowCase("log_time", {"project": seed.PROJECT_WITHOUT_MEMBERS_ID, "duration": "25m"}),
    WorkflowCase("time_summary", {"period": "2025-03-01..2025-04-30", "group_by": "client"}),
    WorkflowCase("time_summary", {"period": "2025-03-01..2025-03-31", "group_by": "member"}),
    WorkflowCase("unbilled_time", {}),
    WorkflowCase("unbilled_time", {"client": "Acme Robotics", "period": "2025-03-01..2025-12-31"}),
]
