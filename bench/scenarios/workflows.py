"""Issue 10's "Measure" table: eight everyday requests on the sandbox, done with the workflow tools and
done the plain way (the API tools alone, as a careful model would call them), side by side; the
tools/list bytes the workflow tools add; and time_summary's own cost over 2,000 entries.

Both paths run against the same sandbox state (reset before each), as the studio Owner, in UTC. Every
number is read from the run: calls sent, result bytes (structuredContent as compact JSON, which is
also the text block the model reads), and the steps left to the model, counted by one rule for both
paths (see STEP_RULE).
"""

from __future__ import annotations

import json
import re
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench import fixtures as fx
from bench.report import Row, Section, median
from bench.rpc import StdioPeer, python_env
from bench.settings import Settings
from hoursmith_mcp.engine.calls import autopaging
from hoursmith_mcp.engine.calls.connection import Connection
from hoursmith_mcp.engine.calls.redaction import Redactor
from hoursmith_mcp.engine.calls.reporting import SilentReporter
from hoursmith_mcp.engine.calls.request import OutgoingRequest
from hoursmith_mcp.engine.calls.tool_call import ToolRunner
from hoursmith_mcp.engine.calls.transport import Upstream, UpstreamResponse
from hoursmith_mcp.engine.calls.workflow import WorkflowRunner
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.serving.server import tool_definition
from hoursmith_mcp.sandbox import seed

CALLS_TARGET = 8
RESULT_TARGET = 8 * 1024
LIST_GROWTH_TARGET = 6 * 1024
SUMMARY_CPU_TARGET_MS = 50.0
SUMMARY_ENTRIES = 2000
STEP_RULE = (
    "one step per value the model must produce itself: a date or instant read from a clock it does not "
    "have, an id carried from one result into the next call's arguments, a record filtered by hand, a "
    "number added into a total, and a total converted for display"
)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
WORKFLOWS = ("start_timer", "stop_timer", "get_running_timer", "log_time", "time_summary", "unbilled_time")


@dataclass
class Tally:
    """One way of doing the eight requests: what it sent and what came back."""

    calls: int = 0
    result_bytes: int = 0
    steps: int = 0
    per_request: list[tuple[str, int, int, int]] = field(default_factory=list)  # label, calls, bytes, steps


class Runner:
    def __init__(self, peer: StdioPeer) -> None:
        self.peer = peer
        self.path = Tally()
        self._calls = self._bytes = 0

    async def call(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        answer = await self.peer.call_tool(name, arguments)
        result = answer.result
        if result.get("isError"):
            raise RuntimeError(f"{name} {arguments}: {result['content'][0]['text'][:300]}")
        structured = result["structuredContent"]
        self._calls += 1
        self._bytes += len(json.dumps(structured, separators=(",", ":"), ensure_ascii=False).encode())
        return dict(structured)

    def request_done(self, label: str, steps: int) -> None:
        self.path.per_request.append((label, self._calls, self._bytes, steps))
        self.path.calls += self._calls
        self.path.result_bytes += self._bytes
        self.path.steps += steps
        self._calls = self._bytes = 0


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _day(offset: int = 0) -> str:
    return (datetime.now(UTC).date() + timedelta(days=offset)).isoformat()


def _last_week() -> tuple[str, str]:
    today = datetime.now(UTC).date()
    start = today - timedelta(days=today.weekday() + 7)
    return start.isoformat(), (start + timedelta(days=6)).isoformat()


def _words_only(arguments: dict[str, Any]) -> bool:
    """True when no argument is an id or a computed date: the user's own words, names and numbers."""
    return not any(
        isinstance(v, str) and (UUID.match(v) or re.match(r"^\d{4}-\d{2}-\d{2}", v))
        for v in arguments.values()
    )


def _set_up(base_url: str) -> None:
    """A realistic last week for the Owner (the seed's entries are from 2025), then ready for the timer."""
    start, _ = _last_week()
    projects = [
        seed.HOURLY_PROJECT_ID,
        seed.NORTHWIND_PROJECT_ID,
        seed.NON_BILLABLE_PROJECT_ID,
        seed.FIXED_PROJECT_ID,
    ]
    headers = {"Authorization": f"Bearer {fx.TOKEN}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as api:
        for index in range(24):
            day = datetime.fromisoformat(start).date() + timedelta(days=index % 5)
            body = {
                "projectId": projects[index % 4],
                "entryDate": day.isoformat(),
                "durationSeconds": 1800 + 900 * (index % 5),
                "note": f"Week work {index}",
            }
            api.post(
                "/time-entries", json=body, headers={"Idempotency-Key": f"bench-week-{index}"}
            ).raise_for_status()


def _backdate_running_timer(base_url: str) -> None:
    """Not a model step: the API refuses a timer stopped within a second; the bench lets it run 25 min."""
    headers = {"Authorization": f"Bearer {fx.TOKEN}"}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as api:
        running = api.get("/time-entries/running").json()["data"]
        started = (datetime.now(UTC) - timedelta(minutes=25)).isoformat().replace("+00:00", "Z")
        api.patch(f"/time-entries/{running['id']}", json={"startedAt": started}).raise_for_status()


async def with_workflows(runner: Runner, base_url: str) -> None:
    requests: list[tuple[str, str, dict[str, Any]]] = [
        ("start a timer on Acme Website Redesign", "start_timer", {"project": "Acme Website Redesign"}),
        ("what am I tracking", "get_running_timer", {}),
        ("stop it", "stop_timer", {}),
        ("hours per project last week", "time_summary", {"period": "last_week", "group_by": "project"}),
        (
            "log 1h30 yesterday on Hooli Podcast Pilot",
            "log_time",
            {"project": "Hooli Podcast Pilot", "duration": "1h30m", "day": "yesterday"},
        ),
        ("overdue invoices", "list_invoices", {"status": "SENT", "due_date_to": "yesterday"}),
        ("unbilled hours for Acme Robotics", "unbilled_time", {"client": "Acme Robotics"}),
        (
            "add a 23.50 taxi expense for Acme Robotics",
            "create_expense",
            {
                "client_id": "Acme Robotics",
                "description": "Taxi",
                "amount": "23.50",
                "expense_date": "today",
                "category": "TRAVEL",
            },
        ),
    ]
    for label, tool, arguments in requests:
        if tool == "stop_timer":
            _backdate_running_timer(base_url)
        assert _words_only(arguments), arguments
        await runner.call(tool, arguments)
        runner.request_done(label, 0)


async def the_plain_way(runner: Runner, base_url: str) -> None:
    """The API tools alone, with no redundant call: what a careful model needs, and what it must do."""
    found = await runner.call("list_projects", {"search": "Acme Website Redesign"})
    project = found["items"][0]["id"]
    await runner.call(
        "create_time_entry", {"project_id": project, "entry_date": _day(), "started_at": _now()}
    )
    runner.request_done("start a timer on Acme Website Redesign", 3)  # the id, today, now

    timer = (await runner.call("get_running_timer", {}))["timer"]
    await runner.call("get_project", {"project_id": timer["project_id"]})
    runner.request_done("what am I tracking", 3)  # the id, now, now - started_at

    _backdate_running_timer(base_url)
    timer = (await runner.call("get_running_timer", {}))["timer"]
    await runner.call("update_time_entry", {"time_entry_id": timer["id"], "stopped_at": _now()})
    runner.request_done("stop it", 3)  # the id, now, the duration in words

    start, end = _last_week()
    entries = (
        await runner.call(
            "list_time_entries", {"entry_date_from": start, "entry_date_to": end, "max_items": 1000}
        )
    )["items"]
    names = await runner.call("list_projects", {"max_items": 1000})
    groups = {entry["project_id"] for entry in entries}
    # two dates, each duration added into its project's total, each total in hours and named
    runner.request_done("hours per project last week", 2 + len(entries) + 2 * len(groups))
    del names

    found = await runner.call("list_projects", {"search": "Hooli Podcast Pilot"})
    await runner.call(
        "create_time_entry",
        {"project_id": found["items"][0]["id"], "entry_date": _day(-1), "duration": "1h30m"},
    )
    runner.request_done("log 1h30 yesterday on Hooli Podcast Pilot", 2)  # the id, yesterday

    await runner.call("list_invoices", {"status": "SENT", "due_date_to": _day(-1)})
    runner.request_done("overdue invoices", 1)  # yesterday

    client = (await runner.call("list_clients", {"search": "Acme Robotics"}))["items"][0]["id"]
    projects = (await runner.call("list_projects", {"client_id": client, "max_items": 1000}))["items"]
    billable = (await runner.call("list_time_entries", {"billable": True, "max_items": 1000}))["items"]
    ids = {p["id"] for p in projects}
    unbilled = [e for e in billable if e["project_id"] in ids and e["invoice_id"] is None]
    # the client id, each project id, each entry filtered, each kept duration added, the total in hours
    runner.request_done("unbilled hours for Acme Robotics", 1 + len(ids) + len(billable) + len(unbilled) + 1)

    client = (await runner.call("list_clients", {"search": "Acme Robotics"}))["items"][0]["id"]
    await runner.call(
        "create_expense",
        {
            "client_id": client,
            "description": "Taxi",
            "amount": "23.50",
            "expense_date": _day(),
            "category": "TRAVEL",
        },
    )
    runner.request_done("add a 23.50 taxi expense for Acme Robotics", 2)  # the id, today


async def _listing_bytes(env: dict[str, str], *args: str) -> tuple[int, int]:
    peer = await StdioPeer.spawn(fx.ours_argv(*args), env)
    try:
        await peer.handshake()
        listing = await peer.request("tools/list")
        return listing.size, len(listing.result["tools"])
    finally:
        await peer.close()


def _workflow_growth() -> tuple[int, int]:
    """Bytes the workflow tools add to the tools array (compact JSON, as on the wire): each workflow's
    definition and its comma, less the API tool a superseding workflow is listed in place of."""
    manifest = load_manifest(fx.MANIFEST)
    added = sum(_size(tool_definition(workflow)) + 1 for workflow in manifest.workflows)
    replaced = sum(
        _size(tool_definition(tool, autopaging.can_autopage(manifest, tool))) + 1
        for tool in manifest.tools
        if any(w.supersedes and w.name == tool.name for w in manifest.workflows)
    )
    return added - replaced, len(manifest.workflows)


def _size(definition: Any) -> int:
    return len(definition.model_dump_json(by_alias=True, exclude_none=True).encode())


class _TimedUpstream(Upstream):
    """The real transport, keeping count of the CPU time spent exchanging with the upstream."""

    spent = 0.0

    async def send(self, request: OutgoingRequest) -> UpstreamResponse:
        began = time.process_time()
        try:
            return await super().send(request)
        finally:
            self.spent += time.process_time() - began


async def _summary_cost(cfg: Settings) -> tuple[float, float, int]:
    """time_summary over 2,000 entries, the engine in this process and the sandbox in another: the CPU
    time of one call, and how much of it went to the upstream exchanges (HTTP client, reading and
    decoding 2,000 records); the difference is the workflow's own work."""
    manifest = load_manifest(fx.MANIFEST)
    workflow = next(w for w in manifest.workflows if w.name == "time_summary")
    arguments = {"period": "2026-02-01..2026-02-28", "group_by": "project"}
    with fx.sandbox() as url:
        headers = {"Authorization": f"Bearer {fx.TOKEN}"}
        with httpx.Client(base_url=url, headers=headers, timeout=30) as api:
            for index in range(SUMMARY_ENTRIES):
                body = {
                    "projectId": [seed.HOURLY_PROJECT_ID, seed.NORTHWIND_PROJECT_ID][index % 2],
                    "entryDate": f"2026-02-{1 + index % 28:02d}",
                    "durationSeconds": 600 + index,
                }
                api.post(
                    "/time-entries", json=body, headers={"Idempotency-Key": f"bench-{index}"}
                ).raise_for_status()
        connection = Connection(base_url=url, token=fx.TOKEN)
        upstream = _TimedUpstream(manifest.api, connection, manifest.server.user_agent)
        try:
            runner = WorkflowRunner(ToolRunner(manifest, upstream, url, Redactor([fx.TOKEN])))
            await runner.call(workflow, arguments, SilentReporter())  # warm-up: first validators
            total: list[float] = []
            exchange: list[float] = []
            for _ in range(3 if cfg.quick else 10):
                upstream.spent, began = 0.0, time.process_time()
                outcome = await runner.call(workflow, arguments, SilentReporter())
                total.append((time.process_time() - began) * 1000)
                exchange.append(upstream.spent * 1000)
        finally:
            await upstream.aclose()
    entries = outcome.structured["total"]["entries"]
    return median(total), median(exchange), entries


async def run(cfg: Settings) -> list[Section]:
    env = python_env({"HOURSMITH_API_TOKEN": fx.TOKEN, "HOURSMITH_TIME_ZONE": "UTC"})
    ours = plain = None
    with fx.sandbox() as url:
        control = httpx.Client(base_url=url.removesuffix("/api/v1"), timeout=30)
        async with AsyncExitStack() as stack:
            peer = await StdioPeer.spawn(fx.ours_argv(), {**env, "HOURSMITH_API_URL": url})
            stack.push_async_callback(peer.close)
            await peer.handshake()
            for name in ("ours", "plain"):
                control.post("/_sandbox/reset").raise_for_status()
                _set_up(url)
                runner = Runner(peer)
                await (with_workflows if name == "ours" else the_plain_way)(runner, url)
                if name == "ours":
                    ours = runner.path
                else:
                    plain = runner.path
        control.close()
    assert ours is not None and plain is not None
    base_env = {**env, "HOURSMITH_API_URL": "http://127.0.0.1:9/api/v1"}  # tools/list makes no call
    listing, listed = await _listing_bytes(base_env)
    growth, workflows = _workflow_growth()
    cpu, exchange, entries = await _summary_cost(cfg)

    section = Section("Workflow tools: eight everyday requests (issue 10), sandbox, studio Owner")
    section.add(
        Row(
            "tool calls for the eight requests",
            f"{ours.calls}",
            f"{plain.calls}",
            f"{ours.calls} calls",
            f"<= {CALLS_TARGET} (one each)",
            ours.calls <= CALLS_TARGET,
        )
    )
    section.add(
        Row(
            "steps left to the model (clock, dates, ids, sums)",
            f"{ours.steps}",
            f"{plain.steps}",
            f"{ours.steps} steps",
            "0",
            ours.steps == 0,
        )
    )
    section.add(
        Row(
            "result bytes the model reads",
            f"{ours.result_bytes:,} B",
            f"{plain.result_bytes:,} B",
            f"{ours.result_bytes / plain.result_bytes:.0%} of the plain way",
            f"<= {RESULT_TARGET:,} B",
            ours.result_bytes <= RESULT_TARGET,
        )
    )
    section.add(
        Row(
            f"tools/list growth from the {workflows} workflow tools",
            f"{growth:,} B",
            "",
            f"{listing:,} B for all {listed} tools",
            f"<= {LIST_GROWTH_TARGET:,} B",
            growth <= LIST_GROWTH_TARGET,
        )
    )
    section.add(
        Row(
            f"time_summary over {entries:,} entries: server CPU beyond the upstream exchanges",
            f"{cpu - exchange:.1f} ms",
            f"{exchange:.1f} ms",
            f"{cpu:.1f} ms CPU per call in all",
            f"<= {SUMMARY_CPU_TARGET_MS:.0f} ms",
            cpu - exchange <= SUMMARY_CPU_TARGET_MS,
        )
    )
    section.notes += [
        "The 'floor' column is the plain way: the same eight requests with the 31 API tools alone, with no "
        "redundant call (a model exploring would make more: the issue counted 21 calls and about 23 KB). "
        f"Steps left to the model are counted by one rule for both paths: {STEP_RULE}. With the workflow "
        "tools every argument is the user's own words (names, day words, durations; the bench asserts no "
        "argument is an id or a computed date), and totals, hours and names come back computed.",
        "time_summary's cost is CPU time (time.process_time) of the engine in the bench's process, the "
        "sandbox running in another, median of the runs. Its 'floor' is the part spent in the upstream "
        "exchanges (10 pages of 200: the HTTP client, reading and decoding the JSON); the figure is the "
        "rest: the workflow's own work (arguments, steps, projections, the exact aggregate, names, result).",
        "\n".join(  # one note: the notes are paragraphs, and a table's rows must not be apart
            [
                "| request | with workflows: calls, bytes | the plain way: calls, bytes, model steps |",
                "|---|---|---|",
                *(
                    f"| {a[0]} | {a[1]}, {a[2]:,} B | {b[1]}, {b[2]:,} B, {b[3]} |"
                    for a, b in zip(ours.per_request, plain.per_request, strict=True)
                ),
            ]
        ),
    ]
    return [section]
