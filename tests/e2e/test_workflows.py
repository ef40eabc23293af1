"""The workflow tools end to end: the real server over stdio against the sandbox, as the Owner, a
Manager and a Member, with the failures a user meets. Totals are checked against sums computed here
from the raw API, and periods across a DST change and a month end."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from mcp import Client

from hoursmith_mcp.engine.calls.clock import Clock
from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

from .support import error_of, in_process_client, request_log, result_json, role_token, server_params

pytestmark = pytest.mark.anyio

ROLES = ("OWNER", "MANAGER", "MEMBER")
ZONE = "Europe/Berlin"  # the server's zone in these tests: an hour or two from UTC, with DST


@asynccontextmanager
async def stdio_client(upstream: RunningSandbox, role: str, *args: str) -> AsyncIterator[Client]:
    params = server_params(upstream, role_token(role), *args, env={"HOURSMITH_TIME_ZONE": ZONE})
    async with Client(params, mode="legacy") as client:  # type: ignore[arg-type]
        yield client


def api(upstream: RunningSandbox, role: str) -> httpx.Client:
    """The same token, straight to the API: what the test checks the server against."""
    headers = {"Authorization": f"Bearer {role_token(role)}", "Accept": "application/json"}
    return httpx.Client(base_url=upstream.base_url, headers=headers, timeout=10)


def raw_entries(upstream: RunningSandbox, role: str, **query: str) -> list[dict[str, Any]]:
    """Every entry the token sees with these filters, page by page, as the API gives them."""
    entries: list[dict[str, Any]] = []
    cursor = None
    with api(upstream, role) as client:
        for _ in range(1000):  # bounded: 200,000 entries at most
            params = {**query, "limit": "200", **({"cursor": cursor} if cursor else {})}
            page = client.get("/time-entries", params=params)
            page.raise_for_status()
            entries += page.json()["data"]
            cursor = page.json()["pagination"]["nextCursor"]
            if cursor is None:
                return entries
    raise AssertionError("paging did not end")


def local_day(offset: int = 0) -> str:
    return (datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=offset)).isoformat()


@pytest.mark.parametrize("role", ROLES)
async def test_a_timer_started_by_name_shows_names_and_stops_with_its_exact_duration(
    upstream: RunningSandbox, fresh: httpx.Client, role: str
) -> None:
    async with stdio_client(upstream, role) as client:
        before = result_json(await client.call_tool("get_running_timer", {}))
        if role == "MEMBER":  # Sam's seeded timer is running
            assert before["running"] is True and before["timer"]["project"] == "Acme Website Redesign"
            assert before["timer"]["task"] == "Homepage wireframes"
            assert "client" not in before["timer"]  # a Member may not read clients: left out, no error
        else:
            assert before == {"running": False}  # exactly what the API tool answers
            stopped = result_json(await client.call_tool("stop_timer", {}))
            assert stopped["stopped"] is None and "No timer was running" in stopped["message"]

        wireframes = {"project": "acme website redesign", "task": "wireframes"}
        previous = None
        if role == "MEMBER":  # the API: starting the timer already running changes nothing
            same = result_json(await client.call_tool("start_timer", wireframes))
            assert same["already_running"] is True and same["stopped"] is None
            assert same["started"]["id"] == seed.RUNNING_TIMER_ENTRY_ID
            switched = result_json(
                await client.call_tool("start_timer", {"project": "Acme Website Redesign"})
            )
            assert switched["already_running"] is False  # no task: another timer, so Sam's stops
            assert switched["stopped"]["id"] == seed.RUNNING_TIMER_ENTRY_ID
            assert switched["stopped"]["project"] == "Acme Website Redesign"
            previous = switched["started"]["id"]

        started = result_json(await client.call_tool("start_timer", wireframes))
        assert started["already_running"] is False
        assert started["started"]["project"] == "Acme Website Redesign"
        assert started["started"]["task"] == "Homepage wireframes"
        assert started["started"]["entry_date"] == started["started"]["started_at"][:10]  # the local day
        assert started["resolved"]["project"] == {
            "id": seed.HOURLY_PROJECT_ID,
            "name": "Acme Website Redesign",
        }
        assert started["resolved"]["time_zone"] == ZONE
        if role == "MEMBER":
            assert started["stopped"]["id"] == previous  # a few seconds old: discarded, and said
            assert started["stopped"]["project"] == "Acme Website Redesign"
            assert "discarded" in started["stopped"]["message"]
        else:
            assert started["stopped"] is None

        running = result_json(await client.call_tool("get_running_timer", {}))["timer"]
        assert running["id"] == started["started"]["id"] and running["project_id"] == seed.HOURLY_PROJECT_ID
        assert ("client" in running) is (role != "MEMBER")
        # Ten minutes ago, so the stop has something to measure (the API refuses a timer under 1 s).
        ten_minutes_ago = (datetime.now(UTC) - timedelta(minutes=10)).isoformat().replace("+00:00", "Z")
        with api(upstream, role) as direct:
            moved = direct.patch(f"/time-entries/{running['id']}", json={"startedAt": ten_minutes_ago})
            assert moved.status_code == 200, moved.text

        done = result_json(await client.call_tool("stop_timer", {"note": "Hero section"}))["stopped"]
        assert done["id"] == running["id"] and done["note"] == "Hero section"
        with api(upstream, role) as direct:  # the stored instants, to the millisecond
            stored = direct.get(f"/time-entries/{done['id']}").json()["data"]
        span = datetime.fromisoformat(stored["stoppedAt"]) - datetime.fromisoformat(stored["startedAt"])
        assert done["duration_seconds"] == int(span.total_seconds()) >= 600
        assert done["stopped_at"] == datetime.fromisoformat(stored["stoppedAt"]).astimezone(
            ZoneInfo(ZONE)
        ).isoformat(timespec="seconds")  # shown in the user's zone
        assert done["hours"] == float((Decimal(done["duration_seconds"]) / 3600).quantize(Decimal("0.01")))
        again = result_json(await client.call_tool("stop_timer", {}))
        assert again["stopped"] is None


@pytest.mark.parametrize("role", ROLES)
async def test_time_summary_totals_equal_sums_computed_from_the_raw_api(
    upstream: RunningSandbox, fresh: httpx.Client, role: str
) -> None:
    period = {"entryDateFrom": "2025-03-01", "entryDateTo": "2025-04-30", "running": "false"}
    raw = raw_entries(upstream, role, **period)
    assert raw, "the seed has entries in this period"
    async with stdio_client(upstream, role) as client:
        for group_by, field in (("project", "projectId"), ("day", "entryDate"), ("member", "userId")):
            summary = result_json(
                await client.call_tool(
                    "time_summary", {"period": "2025-03-01..2025-04-30", "group_by": group_by}
                )
            )
            assert summary["resolved"]["period"] == {"from": "2025-03-01", "to": "2025-04-30"}
            assert summary["total"]["seconds"] == sum(e["durationSeconds"] for e in raw)
            assert summary["total"]["entries"] == len(raw)
            billable = sum(e["durationSeconds"] for e in raw if e["billable"])
            assert summary["total"]["billable_seconds"] == billable
            expected: dict[str, int] = defaultdict(int)
            for entry in raw:
                expected[entry[field]] += entry["durationSeconds"]
            key = {"project": "project_id", "day": "day", "member": "user_id"}[group_by]
            assert {g[key]: g["seconds"] for g in summary["groups"]} == expected
            for group in summary["groups"]:
                exact = (Decimal(group["seconds"]) / 3600).quantize(Decimal("0.01"), ROUND_HALF_UP)
                assert group["hours"] == float(exact)
        by_project = result_json(
            await client.call_tool("time_summary", {"period": "2025-03-01..2025-04-30"})
        )["groups"]
        assert {g["project"] for g in by_project} >= {"Acme Website Redesign"}  # names beside ids
        if role == "MEMBER":  # her own time only, as the API shows her
            assert {e["userId"] for e in raw} == {seed.STUDIO_MEMBER_SAM_USER_ID}
        by_client = result_json(
            await client.call_tool("time_summary", {"period": "2025-03-01..2025-04-30", "group_by": "client"})
        )["groups"]
        names = {g.get("client") for g in by_client}
        assert names == (
            {None} if role == "MEMBER" else {"Acme Robotics", "Northwind Traders", "Hooli Media"}
        )


async def test_a_period_across_a_dst_change_and_a_month_end_counts_every_second_once(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    # Berlin moves to summer time at 02:00 on Sunday 29 March 2026; March ends two days later.
    entries = [
        ("2026-03-28", "2026-03-28T22:30:00Z", 5400),  # 23:30 -> 01:00 local, across local midnight
        ("2026-03-29", "2026-03-29T00:30:00Z", 3600),  # 01:30 CET -> 03:30 CEST: one real hour
        ("2026-03-29", None, 1800),
        ("2026-03-31", "2026-03-31T21:30:00Z", 7200),  # 23:30 -> 01:30 on 1 April, local
        ("2026-04-01", None, 900),
        ("2026-04-02", None, 600),  # outside the period
    ]
    with api(upstream, "MANAGER") as direct:
        for day, started, seconds in entries:
            body: dict[str, Any] = {"projectId": seed.HOURLY_PROJECT_ID, "entryDate": day}
            if started:
                stop = datetime.fromisoformat(started.replace("Z", "+00:00")) + timedelta(seconds=seconds)
                body |= {"startedAt": started, "stoppedAt": stop.isoformat().replace("+00:00", "Z")}
            else:
                body["durationSeconds"] = seconds
            created = direct.post(
                "/time-entries", json=body, headers={"Idempotency-Key": f"dst-{day}-{seconds}"}
            )
            assert created.status_code == 201, created.text
            assert created.json()["data"]["durationSeconds"] == seconds
    raw = raw_entries(upstream, "MANAGER", entryDateFrom="2026-03-27", entryDateTo="2026-04-01")
    async with stdio_client(upstream, "MANAGER") as client:
        summary = result_json(
            await client.call_tool("time_summary", {"period": "2026-03-27..2026-04-01", "group_by": "day"})
        )
    assert summary["resolved"] == {"period": {"from": "2026-03-27", "to": "2026-04-01"}, "time_zone": ZONE}
    days = {g["day"]: g["seconds"] for g in summary["groups"]}
    assert days == {"2026-03-28": 5400, "2026-03-29": 5400, "2026-03-31": 7200, "2026-04-01": 900}
    assert summary["total"]["seconds"] == sum(e["durationSeconds"] for e in raw) == 18900
    assert [g["day"] for g in summary["groups"]] == sorted(days)  # by day, in order


@pytest.mark.parametrize(
    ("now", "period", "expected"),
    [
        # 00:15 on Monday 30 March in Berlin is still Sunday in UTC: last week is the DST week.
        ("2026-03-29T22:15:00Z", "last_week", ("2026-03-23", "2026-03-29")),
        ("2026-03-29T22:15:00Z", "yesterday", ("2026-03-29", "2026-03-29")),
        # 00:30 on 1 April in Berlin: this month is April, last month March, though UTC says 31 March.
        ("2026-03-31T22:30:00Z", "this_month", ("2026-04-01", "2026-04-30")),
        ("2026-03-31T22:30:00Z", "last_month", ("2026-03-01", "2026-03-31")),
    ],
)
async def test_period_words_resolve_on_the_users_calendar(
    upstream: RunningSandbox, fresh: httpx.Client, now: str, period: str, expected: tuple[str, str]
) -> None:
    instant = datetime.fromisoformat(now.replace("Z", "+00:00"))
    clock = Clock(ZoneInfo(ZONE), 0, now=lambda: instant)
    async with in_process_client(upstream, role_token("OWNER"), clock=clock) as client:
        summary = result_json(await client.call_tool("time_summary", {"period": period}))
    assert summary["resolved"]["period"] == {"from": expected[0], "to": expected[1]}
    logged = [e for e in request_log(fresh) if e["path"].endswith("/time-entries")]
    assert f"entryDateFrom={expected[0]}&entryDateTo={expected[1]}" in logged[0]["query"]


@pytest.mark.parametrize("role", ROLES)
async def test_log_time_reads_names_and_day_words_and_unbilled_time_prices_it(
    upstream: RunningSandbox, fresh: httpx.Client, role: str
) -> None:
    async with stdio_client(upstream, role) as client:
        logged = result_json(
            await client.call_tool(
                "log_time",
                {"project": "Acme Website Redesign", "duration": "1h30m", "day": "yesterday", "note": "Copy"},
            )
        )["logged"]
        assert logged["entry_date"] in (local_day(-1), local_day(-2))  # local midnight may pass meanwhile
        assert (logged["duration_seconds"], logged["hours"], logged["project"]) == (
            5400,
            1.5,
            "Acme Website Redesign",
        )
        unbilled = result_json(await client.call_tool("unbilled_time", {"period": "yesterday..today"}))
    raw = [e for e in raw_entries(upstream, role, billable="true", running="false") if e["invoiceId"] is None]
    mine = [e for e in raw if logged["entry_date"] <= e["entryDate"] <= local_day()]
    assert sum(p["seconds"] for p in unbilled["projects"]) == sum(e["durationSeconds"] for e in mine)
    website = next(p for p in unbilled["projects"] if p["project_id"] == seed.HOURLY_PROJECT_ID)
    if role == "MEMBER":  # money-blind: no rate, no amount, no client name, and never a zero
        assert not {"rate", "amount", "currency", "client"} & set(website)
        assert not any("amount" in total for total in unbilled["totals"])
    else:
        with api(upstream, role) as direct:
            rate = Decimal(direct.get(f"/projects/{seed.HOURLY_PROJECT_ID}").json()["data"]["hourlyRate"])
        seconds = sum(e["durationSeconds"] for e in mine if e["projectId"] == seed.HOURLY_PROJECT_ID)
        assert website["rate"] == f"{rate:.2f}"
        assert website["amount"] == str((seconds * rate / 3600).quantize(Decimal("0.01"), ROUND_HALF_UP))
        assert website["client"] == "Acme Robotics" and website["currency"] == "EUR"


async def test_names_that_match_several_records_or_none_are_questions_not_guesses(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with stdio_client(upstream, "OWNER") as client:
        result = await client.call_tool("start_timer", {"project": "Acme"})
        error = error_of(result)
        assert error["code"] == "ambiguous_name" and error["argument"] == "project"
        assert {c["name"] for c in error["candidates"]} == {
            "Acme Website Redesign", "Acme Support Retainer", "Acme Mobile App"
        }  # fmt: skip
        assert all(c["id"] for c in error["candidates"])
        text = result.content[0].text  # type: ignore[union-attr]
        assert text.startswith("start_timer: argument 'project': 'Acme' matches several")
        assert "Acme Mobile App (id " in text
        missing = error_of(
            await client.call_tool("log_time", {"project": "Globex Moonbase", "duration": "1h"})
        )
        assert missing["code"] == "name_not_found" and missing["candidates"] == []
        # A task is looked up within its project: the website's wireframes are not the podcast's.
        podcast = {"project": "Hooli Podcast Pilot", "duration": "1h"}
        task = error_of(await client.call_tool("log_time", {**podcast, "task": "wireframes"}))
        assert task["code"] == "name_not_found" and task["argument"] == "task"
        bad_day = error_of(await client.call_tool("log_time", {**podcast, "day": "tomorrow"}))
        assert bad_day["code"] == "invalid_arguments" and "'tomorrow' is not a day" in bad_day["message"]
    writes = [e for e in request_log(fresh) if e["method"] != "GET"]
    assert writes == []  # nothing was sent but the lookups


async def test_a_member_naming_a_client_gets_the_apis_refusal_of_the_lookup(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with stdio_client(upstream, "MEMBER") as client:
        result = await client.call_tool("unbilled_time", {"client": "Acme Robotics"})
        by_id = result_json(
            await client.call_tool("unbilled_time", {"client": seed.CLIENT_WITH_ACTIVE_PROJECT_ID})
        )
    error = error_of(result)
    assert (error["status"], error["code"], error["lookup"]) == (403, "forbidden_scope", "list_clients")
    assert "looking up client 'Acme Robotics' with list_clients failed: 403 forbidden_scope" in (
        result.content[0].text  # type: ignore[union-attr]
    )
    assert {p["client_id"] for p in by_id["projects"]} == {seed.CLIENT_WITH_ACTIVE_PROJECT_ID}


async def test_a_steps_403_and_409_name_the_step_and_lose_nothing(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    fault = {"method": "POST", "path": "/api/v1/time-entries", "status": 403, "message": "no new time today"}
    assert fresh.post("/_sandbox/faults", json=fault).status_code == 201
    async with stdio_client(upstream, "MEMBER") as client:
        refused = await client.call_tool("log_time", {"project": "Hooli Podcast Pilot", "duration": "1h"})
        conflict = {"method": "PATCH", "path": "/api/v1/time-entries/*", "status": 409, "message": "locked"}
        assert fresh.post("/_sandbox/faults", json=conflict).status_code == 201
        locked = await client.call_tool("stop_timer", {})
    error = error_of(refused)
    assert (error["status"], error["code"], error["message"]) == (403, "forbidden_scope", "no new time today")
    assert (error["step"], error["tool"], error["changed"]) == ("entry", "create_time_entry", [])
    first = refused.content[0].text.splitlines()[0]  # type: ignore[union-attr]
    assert (
        first == "log_time: step 'entry' (create_time_entry) failed: 403 forbidden_scope: no new time today"
    )
    assert (error_of(locked)["status"], error_of(locked)["step"]) == (409, "entry")
    with api(upstream, "MEMBER") as direct:  # the timer still runs: nothing was hidden or half-done
        assert direct.get("/time-entries/running").json()["data"]["id"] == seed.RUNNING_TIMER_ENTRY_ID


async def test_a_write_lost_in_transit_is_retried_with_its_key_and_made_once(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    lost = {"method": "POST", "path": "/api/v1/time-entries", "status": 503, "afterCommit": True}
    assert fresh.post("/_sandbox/faults", json=lost).status_code == 201
    async with stdio_client(upstream, "OWNER") as client:
        logged = result_json(
            await client.call_tool(
                "log_time", {"project": "Acme Mobile App", "duration": "45m", "note": "Once"}
            )
        )["logged"]
    posts = [e for e in request_log(fresh) if e["method"] == "POST"]
    assert len(posts) == 2 and posts[0]["body"] == posts[1]["body"]  # the same request, byte for byte
    keys = {e["headers"].get("idempotency-key") for e in posts}
    assert len(keys) == 1 and None not in keys
    made = [e for e in raw_entries(upstream, "OWNER", search="Once") if e["note"] == "Once"]
    assert [e["id"] for e in made] == [logged["id"]]


async def test_a_timer_stopped_under_five_minutes_is_reported_as_discarded(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    async with stdio_client(upstream, "OWNER") as client:
        started = result_json(await client.call_tool("start_timer", {"project": "Acme Website Redesign"}))
        two_minutes_ago = (datetime.now(UTC) - timedelta(minutes=2)).isoformat().replace("+00:00", "Z")
        with api(upstream, "OWNER") as direct:  # past the API's 1 s floor, under its 5 min one
            moved = direct.patch(
                f"/time-entries/{started['started']['id']}", json={"startedAt": two_minutes_ago}
            )
            assert moved.status_code == 200, moved.text
        stopped = result_json(await client.call_tool("stop_timer", {}))["stopped"]
        assert stopped["id"] == started["started"]["id"]
        assert "discarded" in stopped["message"]  # the API keeps nothing under 5 minutes, and we say so
        with api(upstream, "OWNER") as direct:
            assert direct.get(f"/time-entries/{stopped['id']}").status_code == 404
