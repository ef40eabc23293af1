"""No duplicates, nothing lost: 200+ create_time_entry calls through the engine while about 20% of
first attempts fail (500 after commit, dropped connection after commit, 429, timeout), plus a few
calls whose every attempt fails before anything is written.

Afterwards: exactly one entry per successful call, none duplicated, and every call that reported a
failure without `outcome_unknown` created nothing.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from typing import Any

import httpx
import pytest
from mcp import Client

from hoursmith_mcp.cli import default_manifest_path
from hoursmith_mcp.engine.calls.connection import Connection
from hoursmith_mcp.engine.calls.redaction import Redactor
from hoursmith_mcp.engine.manifest.loader import load_manifest
from hoursmith_mcp.engine.manifest.model import Manifest, RetryPolicy
from hoursmith_mcp.engine.serving.runtime import running_engine
from hoursmith_mcp.sandbox import seed
from hoursmith_mcp.sandbox.runner import RunningSandbox

pytestmark = pytest.mark.anyio

CALLS = 220
FAULTS: dict[str, dict[str, Any]] = {
    "500 after commit": {"status": 500, "afterCommit": True},
    "drop after commit": {"drop": True, "afterCommit": True},
    "429": {"status": 429, "retryAfter": 0},
    "timeout": {"delaySeconds": 0.8},  # the engine gives up at 0.3 s; the API still commits later
}


def quick_manifest() -> Manifest:
    """tools.yaml with timeouts and backoff shortened so the test runs in seconds."""
    manifest = load_manifest(default_manifest_path())
    retry = RetryPolicy(
        max_attempts=3, backoff_initial_seconds=0.01, backoff_max_seconds=0.05, deadline_seconds=5
    )
    return dataclasses.replace(
        manifest, api=dataclasses.replace(manifest.api, timeout_seconds=0.3, retry=retry)
    )


def created_notes(upstream: RunningSandbox, token: str) -> Counter[str]:
    notes: Counter[str] = Counter()
    cursor = None
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=10) as client:
        for _ in range(20):  # bounded paging
            params = {"search": "dup-check", "limit": 200, **({"cursor": cursor} if cursor else {})}
            page = client.get(f"{upstream.base_url}/time-entries", params=params).json()
            notes.update(entry["note"] for entry in page["data"])
            cursor = page["pagination"]["nextCursor"]
            if cursor is None:
                return notes
    raise AssertionError("paging did not end")


async def test_retried_creates_never_duplicate_and_failures_create_nothing(
    upstream: RunningSandbox, fresh: httpx.Client
) -> None:
    rng = random.Random(20261128)
    token = seed.token_for("studio", "OWNER")
    injected: Counter[str] = Counter()
    outcomes: dict[str, str] = {}
    connection = Connection(base_url=upstream.base_url, token=token)
    async with (
        running_engine(quick_manifest(), connection, Redactor([token], "hsk_")) as engine,
        Client(engine.server, mode="legacy") as client,
    ):
        for index in range(CALLS):
            note = f"dup-check {index}"
            roll = rng.random()
            if roll < 0.2:
                kind = rng.choice(list(FAULTS))
                spec = {"method": "POST", "path": "/api/v1/time-entries", "times": 1, **FAULTS[kind]}
            elif roll < 0.23:
                kind = "500 on every attempt"
                spec = {"method": "POST", "path": "/api/v1/time-entries", "times": 3, "status": 500}
            else:
                kind = ""
            if kind:
                assert fresh.post("/_sandbox/faults", json=spec).status_code == 201
                injected[kind] += 1
            result = await client.call_tool(
                "create_time_entry",
                {
                    "project_id": seed.HOURLY_PROJECT_ID,
                    "entry_date": "2026-03-02",
                    "duration": "15m",
                    "note": note,
                },
            )
            if not result.is_error:
                outcomes[note] = "ok"
            else:
                assert result.structured_content is not None
                error = result.structured_content["error"]
                outcomes[note] = "unknown" if error.get("outcome_unknown") else "failed"
            fresh.delete("/_sandbox/faults")  # a leftover fault must not leak into the next call
    created = created_notes(upstream, token)
    duplicates = {note: count for note, count in created.items() if count > 1}
    succeeded = [note for note, outcome in outcomes.items() if outcome == "ok"]
    failed = [note for note, outcome in outcomes.items() if outcome == "failed"]
    print(
        f"\nno-duplicates: {CALLS} calls, {sum(injected.values())} with injected faults {dict(injected)}, "
        f"{len(succeeded)} succeeded, {len(failed)} failed, "
        f"{sum(1 for o in outcomes.values() if o == 'unknown')} unknown, "
        f"{sum(created.values())} records created, {len(duplicates)} duplicated"
    )
    assert duplicates == {}
    assert all(created[note] == 1 for note in succeeded)
    assert all(created[note] == 0 for note in failed)
    assert sum(injected.values()) >= 0.15 * CALLS
    assert injected["500 on every attempt"] > 0 and len(failed) >= injected["500 on every attempt"]
    assert set(injected) >= set(FAULTS)
