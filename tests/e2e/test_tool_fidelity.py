"""The tools take what the API documents, through portable schemas: date filters with full timestamps,
money as a number or a decimal string, optional fields cleared with null or "", a duration string on
update; and a 422 names the argument the model sent, keeping the API's message."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from mcp import Client

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import error_of, in_process_client, result_json, role_token

pytestmark = pytest.mark.anyio
MANIFEST = load_manifest(default_manifest_path())


async def ok(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, f"{tool}: {result.content}"
    return result_json(result)


def direct(upstream: RunningSandbox, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {role_token('OWNER')}"}
    if method == "POST":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return httpx.request(method, upstream.base_url + path, headers=headers, timeout=10, **kwargs)


async def test_date_filters_take_a_date_or_a_full_timestamp(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        # A timestamp bound compares with the day's UTC midnight: noon on the 10th leaves the 10th out,
        # 23:00 at +02:00 on the 12th is 21:00 UTC, which keeps the 12th in.
        entries = await ok(
            client,
            "list_time_entries",
            {
                "entry_date_from": "2025-03-10T12:00:00Z",
                "entry_date_to": "2025-03-12T23:00:00+02:00",
                "limit": 200,
            },
        )
        assert {e["entry_date"] for e in entries["items"]} == {"2025-03-11", "2025-03-12"}
        by_day = await ok(
            client,
            "list_time_entries",
            {"entry_date_from": "2025-03-11", "entry_date_to": "2025-03-12", "limit": 200},
        )
        assert sorted(e["id"] for e in by_day["items"]) == sorted(e["id"] for e in entries["items"])
        for tool, argument in [
            ("list_projects", "start_date_from"),
            ("list_tasks", "due_date_to"),
            ("list_expenses", "expense_date_from"),
            ("list_invoices", "issue_date_to"),
            ("list_invoices", "due_date_from"),
        ]:
            await ok(client, tool, {argument: "2025-04-01T00:00:00Z"})


async def test_update_client_clears_optional_fields_with_null_or_empty(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    acme = seed.CLIENT_WITH_ACTIVE_PROJECT_ID
    async with in_process_client(upstream, role_token("MANAGER")) as client:
        cleared = await ok(
            client,
            "update_client",
            {
                "client_id": acme,
                "currency": "",
                "default_rate": None,
                "default_tax_rate": "",
                "default_payment_terms": None,
                "require_po_number": "",
                "email": "",
                "contact_name": None,
            },
        )
        assert cleared["currency"] is None  # blank currency: the workspace default applies
        assert cleared["default_rate"] is None and cleared["default_tax_rate"] is None
        assert cleared["default_payment_terms"] is None and cleared["require_po_number"] is False
        assert cleared["email"] is None and cleared["contact_name"] is None
        assert cleared["name"] == "Acme Robotics"  # what was not given is unchanged
        terms = await ok(
            client,
            "update_client",
            {"client_id": acme, "default_payment_terms": "Net 15", "default_rate": 99.5},
        )
        assert terms["default_payment_terms"] == "Net 15" and terms["default_rate"] == "99.50"


async def test_update_project_clears_fields_and_takes_money_as_numbers(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        switched = await ok(
            client,
            "update_project",
            {
                "project_id": seed.FIXED_PROJECT_ID,
                "rate_type": "HOURLY",
                "fixed_fee_amount": None,  # FIXED -> HOURLY needs the fee cleared
                "hourly_rate": 132.25,
                "start_date": "",
                "due_date": None,
                "description": "",
            },
        )
        assert switched["rate_type"] == "HOURLY" and switched["fixed_fee_amount"] is None
        assert switched["hourly_rate"] == "132.25"
        assert switched["start_date"] is None and switched["due_date"] is None
        assert switched["description"] is None
        budget = await ok(
            client, "update_project", {"project_id": seed.HOURLY_PROJECT_ID, "budget_hours": None}
        )
        assert budget["budget_hours"] is None
        money = await ok(
            client, "update_project", {"project_id": seed.HOURLY_PROJECT_ID, "budget_amount": 15000}
        )
        assert money["budget_amount"] == "15000.00"


async def test_expense_money_as_a_number_in_bodies_and_filters(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        created = await ok(
            client,
            "create_expense",
            {
                "client_id": seed.DELETABLE_CLIENT_ID,
                "description": "Taxi",
                "amount": 19.9,
                "expense_date": "2025-06-02",
                "category": "OTHER",
                "custom_category": "Cabs",
            },
        )
        assert created["amount"] == "19.90"
        cleared = await ok(
            client, "update_expense", {"expense_id": created["id"], "custom_category": None, "amount": 21}
        )
        assert cleared["custom_category"] is None and cleared["amount"] == "21.00"
        listed = await ok(
            client,
            "list_expenses",
            {"amount_min": 21, "amount_max": 21.0, "client_id": seed.DELETABLE_CLIENT_ID},
        )
        assert [e["id"] for e in listed["items"]] == [created["id"]]
        invoices = await ok(client, "list_invoices", {"total_min": 2500.5})
        assert invoices["items"] and all(float(i["total"]) >= 2500.5 for i in invoices["items"])


async def test_update_time_entry_takes_a_duration_string_and_clears_task_and_note(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    tool = MANIFEST.tool("update_time_entry")
    assert tool is not None and "duration" in {a.name for a in tool.arguments}
    async with in_process_client(upstream, role_token("MEMBER")) as client:
        entry = await ok(
            client, "update_time_entry", {"time_entry_id": seed.MEMBER_OWN_ENTRY_ID, "duration": "2h15m"}
        )
        assert entry["duration_seconds"] == 8100
        cleared = await ok(
            client,
            "update_time_entry",
            {"time_entry_id": seed.MEMBER_OWN_ENTRY_ID, "task_id": None, "note": ""},
        )
        assert cleared["task_id"] is None and cleared["note"] is None


async def test_create_time_entry_with_both_duration_forms_follows_the_docs(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    # createTimeEntry: "If both are sent, durationSeconds wins." The tool says so and does so.
    tool = MANIFEST.tool("create_time_entry")
    assert tool is not None and "duration_seconds wins" in tool.description
    async with in_process_client(upstream, role_token("OWNER")) as client:
        entry = await ok(
            client,
            "create_time_entry",
            {
                "project_id": seed.HOURLY_PROJECT_ID,
                "entry_date": "2025-06-02",
                "duration_seconds": 600,
                "duration": "2h",
            },
        )
        assert entry["duration_seconds"] == 600


async def test_a_422_names_the_argument_the_model_sent_and_keeps_the_api_message(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    body = {"startDate": "2026-05-01", "dueDate": "2026-04-01"}
    api_error = direct(upstream, "PATCH", f"/projects/{seed.HOURLY_PROJECT_ID}", json=body).json()["error"]
    assert set(api_error["fields"]) == {"dueDate"}
    async with in_process_client(upstream, role_token("OWNER")) as client:
        result = await client.call_tool(
            "update_project",
            {"project_id": seed.HOURLY_PROJECT_ID, "start_date": "2026-05-01", "due_date": "2026-04-01"},
        )
        error = error_of(result)
        assert error["fields"] == {"due_date": api_error["fields"]["dueDate"]}
        assert error["message"] == api_error["message"]
        # Query arguments too: a date that matches the pattern but does not exist.
        error = error_of(await client.call_tool("list_time_entries", {"entry_date_from": "2025-02-30"}))
        assert set(error["fields"]) == {"entry_date_from"}
        # A field the API names that the model did not send is still named as its argument.
        error = error_of(
            await client.call_tool(
                "create_time_entry", {"project_id": seed.HOURLY_PROJECT_ID, "entry_date": "2025-06-02"}
            )
        )
        assert set(error["fields"]) == {"duration_seconds"}


async def test_timers_through_the_tools_follow_the_one_timer_and_five_minute_rules(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    now = datetime.now(UTC)
    async with in_process_client(upstream, role_token("MEMBER")) as sam:
        running = (await ok(sam, "get_running_timer", {}))["timer"]
        again = await ok(
            sam,
            "create_time_entry",
            {
                "project_id": running["project_id"],
                "task_id": running["task_id"],
                "entry_date": now.date().isoformat(),
                "started_at": now.isoformat(),
            },
        )
        assert again["id"] == running["id"] == seed.RUNNING_TIMER_ENTRY_ID  # no effect: still counting
        assert (await ok(sam, "get_running_timer", {}))["timer"]["started_at"] == running["started_at"]
    async with in_process_client(upstream, role_token("OWNER")) as owner:
        started = (now - timedelta(minutes=2)).isoformat()
        timer = await ok(
            owner,
            "create_time_entry",
            {
                "project_id": seed.HOURLY_PROJECT_ID,
                "entry_date": now.date().isoformat(),
                "started_at": started,
            },
        )
        stopped = await ok(
            owner, "update_time_entry", {"time_entry_id": timer["id"], "stopped_at": now.isoformat()}
        )
        assert stopped["deleted_at"] is not None  # under 5 minutes: discarded, and the result says so
        gone = error_of(await owner.call_tool("get_time_entry", {"time_entry_id": timer["id"]}))
        assert gone["code"] == "not_found"
