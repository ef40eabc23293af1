"""Where no workflow tool fits, the API tools do the job in one call too: their date filters take the
same day words, and their client, project, task and member ids take a name through the same lookup."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import httpx
import pytest

from hoursmith_mcp.engine.calls.clock import Clock
from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import error_of, in_process_client, request_log, result_json, role_token

pytestmark = pytest.mark.anyio

ZONE = ZoneInfo("Asia/Tokyo")  # UTC+9, no DST: late evening UTC is already tomorrow here
NOW = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)  # 05:00 on Thursday 5 March in Tokyo


def pinned() -> Clock:
    return Clock(ZONE, 0, now=lambda: NOW)


def queries(control: httpx.Client, path: str) -> list[dict[str, list[str]]]:
    return [parse_qs(e["query"]) for e in request_log(control) if e["path"] == f"/api/v1{path}"]


async def test_filters_take_day_words_in_the_users_zone(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with in_process_client(upstream, role_token("OWNER"), clock=pinned()) as client:
        overdue = result_json(
            await client.call_tool("list_invoices", {"status": "SENT", "due_date_to": "yesterday"})
        )
        created = result_json(
            await client.call_tool("list_clients", {"created_at_from": "monday", "created_at_to": "today"})
        )
    assert overdue["resolved"] == {"due_date_to": "2026-03-04", "time_zone": "Asia/Tokyo"}
    assert {i["number"] for i in overdue["items"]} == {"BLS-0001", "BLS-0003"}  # SENT, due in 2025
    assert queries(fresh, "/invoices")[0]["dueDateTo"] == ["2026-03-04"]
    # Timestamp filters get the first and last instant of those local days, as UTC.
    (clients_query,) = queries(fresh, "/clients")
    assert clients_query["createdAtFrom"] == ["2026-03-01T15:00:00Z"]  # Monday 2 March, 00:00 in Tokyo
    assert clients_query["createdAtTo"] == ["2026-03-05T14:59:59.999Z"]
    assert created["resolved"]["created_at_to"] == "2026-03-05T14:59:59.999Z"


async def test_ids_take_names_and_a_create_in_words_needs_one_call(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with in_process_client(upstream, role_token("MANAGER"), clock=pinned()) as client:
        expense = result_json(
            await client.call_tool(
                "create_expense",
                {"client_id": "acme robotics", "project_id": "Website Redesign", "description": "Taxi",
                 "amount": "23.50", "expense_date": "today", "category": "TRAVEL"},
            )
        )  # fmt: skip
        words = {"project_id": "Hooli Podcast Pilot", "task_id": "audio", "started_at": "now"}
        timer = result_json(await client.call_tool("create_time_entry", {**words, "entry_date": "today"}))
        tasks = result_json(await client.call_tool("list_tasks", {"project_id": "Acme Mobile App"}))
    assert (expense["client_id"], expense["project_id"]) == (
        seed.CLIENT_WITH_ACTIVE_PROJECT_ID,
        seed.HOURLY_PROJECT_ID,
    )
    assert expense["expense_date"] == "2026-03-05"
    assert expense["resolved"]["client_id"] == {
        "id": seed.CLIENT_WITH_ACTIVE_PROJECT_ID,
        "name": "Acme Robotics",
    }
    assert expense["resolved"]["project_id"]["name"] == "Acme Website Redesign"  # scoped to that client
    assert timer["started_at"].startswith("2026-03-04T20:00:00") and timer["stopped_at"] is None
    assert timer["resolved"]["task_id"]["name"] == "Audio editing"
    assert {task["project_id"] for task in tasks["items"]} == {seed.PROJECT_WITHOUT_MEMBERS_ID}
    lookups = [
        parse_qs(e["query"]) | {"path": [e["path"]]} for e in request_log(fresh) if e["method"] == "GET"
    ]
    task_lookup = next(q for q in lookups if q["path"] == ["/api/v1/tasks"] and "search" in q)
    assert task_lookup["projectId"] == [seed.NON_BILLABLE_PROJECT_ID]  # the task is looked up in its project


async def test_the_record_acted_on_is_named_by_its_id_never_by_a_name(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        result = await client.call_tool("delete_client", {"client_id": "Initech Labs"})
    assert error_of(result)["status"] == 404  # the text went to the API as an id, and named nothing
    assert [e["rawPath"] for e in request_log(fresh)] == ["/api/v1/clients/Initech%20Labs"]


async def test_a_name_is_never_a_guess_and_an_id_costs_no_lookup(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with in_process_client(upstream, role_token("OWNER")) as client:
        ambiguous = await client.call_tool("create_task", {"project_id": "Acme", "name": "x"})
        fresh.delete("/_sandbox/requests")
        by_id = result_json(await client.call_tool("get_project", {"project_id": seed.HOURLY_PROJECT_ID}))
        only_by_id = request_log(fresh)
        fresh.delete("/_sandbox/requests")
        paged = result_json(
            await client.call_tool(
                "list_time_entries", {"project_id": "Acme Mobile App", "limit": 2, "max_items": 6}
            )
        )
    error = error_of(ambiguous)
    assert error["code"] == "ambiguous_name" and len(error["candidates"]) == 3
    first = ambiguous.content[0].text.splitlines()[0]  # type: ignore[union-attr]
    assert first == "create_task: argument 'project_id': 'Acme' matches several records; none is picked"
    assert by_id["id"] == seed.HOURLY_PROJECT_ID and "resolved" not in by_id
    assert [e["path"] for e in only_by_id] == [f"/api/v1/projects/{seed.HOURLY_PROJECT_ID}"]
    # Auto-paging reads the name once, then pages with the id.
    assert (
        len(paged["items"]) == 6 and paged["resolved"]["project_id"]["id"] == seed.PROJECT_WITHOUT_MEMBERS_ID
    )
    paths = [e["path"] for e in request_log(fresh)]
    assert paths.count("/api/v1/projects") == 1 and paths.count("/api/v1/time-entries") == 3


async def test_a_member_resolves_only_what_she_may_see(upstream: RunningSandbox, fresh: httpx.Client) -> None:
    async with in_process_client(upstream, role_token("MEMBER")) as client:
        hers = result_json(
            await client.call_tool("list_time_entries", {"project_id": "Hooli Podcast Pilot", "limit": 1})
        )
        not_hers = await client.call_tool("list_time_entries", {"project_id": "Acme Mobile App"})
        clients = await client.call_tool("list_expenses", {"client_id": "Acme Robotics"})
    assert hers["resolved"]["project_id"]["id"] == seed.NON_BILLABLE_PROJECT_ID
    assert error_of(not_hers)["code"] == "name_not_found"  # she is not on it: the API lists it to nobody
    refused = error_of(clients)
    assert (refused["status"], refused["code"], refused["lookup"]) == (403, "forbidden_scope", "list_clients")
